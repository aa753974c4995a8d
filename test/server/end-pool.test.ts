import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPool, endPool } from '../../core/db/pool';
import { databaseUrl } from '../helpers/database';

// Stopping: the server ends its pool, then the embedded PostgreSQL. pool.end() resolves while its
// connections are still closing, and a database stopped at that moment cuts them (the server then
// logs "idle database connection lost"). endPool resolves only once they are gone.

test('endPool resolves only when every connection of the pool has left the server', async () => {
	const name = `barnum-end-pool-${randomBytes(4).toString('hex')}`;
	const pool = createPool(databaseUrl('postgres'), { applicationName: name, max: 8 });
	// Eight idle connections, as after a burst of requests.
	const clients = await Promise.all(Array.from({ length: 8 }, () => pool.connect()));
	for (const client of clients) client.release();
	expect(pool.idleCount).toBe(8);
	// Connected beforehand: it looks the moment endPool returns, as a stopping server would act.
	const observer = new pg.Client({ connectionString: databaseUrl('postgres') });
	await observer.connect();
	try {
		await endPool(pool);
		const { rows } = await observer.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [name]);
		expect(rows[0].n).toBe(0);
	} finally {
		await observer.end();
	}
});

test('endPool on a pool that never connected returns at once', async () => {
	const pool = createPool(databaseUrl('postgres'), { applicationName: 'barnum-end-pool-unused' });
	await endPool(pool);
	expect(pool.ended).toBe(true);
});
