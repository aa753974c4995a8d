import type pg from 'pg';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { createPool } from '../../core/db/pool';
import { keepsPreparedStatements } from '../../core/db/prepared';
import { ackEvents, claimEvents, enqueueEvent } from '../../core/outbox/operations';

// The claim and the ack go as named prepared statements unless the credential (or
// DATABASE_PREPARED_STATEMENTS) says the connection is a pooler in transaction mode, and a
// connection that loses them, as behind such a pooler, keeps working.

let db: TestDatabase;
const pools: pg.Pool[] = [];

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
});
afterAll(async () => {
	await Promise.all(pools.map((pool) => pool.end()));
	await db.drop();
});

function onePool(preparedStatements?: boolean): pg.Pool {
	const pool = createPool(db.appUrl, { applicationName: 'barnum-test-prepared', max: 1, preparedStatements });
	pools.push(pool);
	return pool;
}

async function deliverOne(pool: pg.Pool, consumerId: string): Promise<string> {
	const id = await enqueueEvent(db.app, { eventType: 'test.prepared', entityType: 'custom', entityId: crypto.randomUUID() });
	const { events } = await claimEvents(pool, { consumerId, limit: 10, leaseSeconds: 30, eventTypes: ['test.prepared'] });
	expect(events.map((e) => e.id)).toEqual([id]);
	expect(await ackEvents(pool, [{ id }])).toEqual([{ id, outcome: 'sent' }]);
	return id;
}

async function preparedOnConnection(pool: pg.Pool): Promise<string[]> {
	const { rows } = await pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name');
	return rows.map((r) => r.name);
}

test('by default the claim and the ack are prepared once on the connection and reused', async () => {
	const pool = onePool();
	await deliverOne(pool, 'prepared-1');
	await deliverOne(pool, 'prepared-1');
	expect(await preparedOnConnection(pool)).toEqual(['barnum_ack_events', 'barnum_claim_events']);
	const { rows } = await pool.query<{ name: string; generic_plans: number; custom_plans: number }>(
		"SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'barnum_claim_events'",
	);
	// Two executions of one statement, not two statements.
	expect(rows[0].generic_plans + rows[0].custom_plans).toBe(2);
});

test('with prepared statements turned off nothing is prepared on the connection', async () => {
	const pool = onePool(false);
	expect(keepsPreparedStatements(pool)).toBe(false);
	await deliverOne(pool, 'unprepared-1');
	expect(await preparedOnConnection(pool)).toEqual([]);
});

test('a connection that loses its prepared statements (a pooler in transaction mode) still claims and acks, unprepared from then on', async () => {
	const pool = onePool();
	await deliverOne(pool, 'lost-1');
	// What a transaction-mode pooler does between two transactions: the next statement reaches
	// a server connection that does not have the statement this client prepared.
	await pool.query('DISCARD ALL');
	const id = await deliverOne(pool, 'lost-1');
	expect(keepsPreparedStatements(pool)).toBe(false);
	expect(await preparedOnConnection(pool)).toEqual([]);
	const { rows } = await db.admin.query<{ status: string; attempts: number }>('SELECT status, attempts FROM whatsapp_events WHERE id = $1', [id]);
	expect(rows).toEqual([{ status: 'sent', attempts: 1 }]);
});

test('inside a transaction a lost statement fails that transaction once; the client then goes unprepared', async () => {
	const pool = onePool();
	await deliverOne(pool, 'tx-1');
	const client = await pool.connect();
	try {
		await client.query('DISCARD ALL');
		await client.query('BEGIN');
		await expect(claimEvents(client, { consumerId: 'tx-1', limit: 1, leaseSeconds: 30, eventTypes: ['test.prepared'] })).rejects.toMatchObject({
			code: '26000',
		});
		await client.query('ROLLBACK');
		expect(keepsPreparedStatements(client)).toBe(false);
		const id = await enqueueEvent(db.app, { eventType: 'test.prepared', entityType: 'custom', entityId: crypto.randomUUID() });
		await client.query('BEGIN');
		const { events } = await claimEvents(client, { consumerId: 'tx-1', limit: 1, leaseSeconds: 30, eventTypes: ['test.prepared'] });
		await client.query('COMMIT');
		expect(events.map((e) => e.id)).toEqual([id]);
	} finally {
		client.release();
	}
});
