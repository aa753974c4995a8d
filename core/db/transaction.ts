import type pg from 'pg';

/** Runs `work` in one transaction on a client of `pool`; rolls back and rejects if it fails. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
	const client = await pool.connect();
	try {
		await client.query('BEGIN');
		const result = await work(client).catch(async (error: unknown) => {
			await client.query('ROLLBACK').catch(() => undefined);
			return Promise.reject(error);
		});
		await client.query('COMMIT');
		return result;
	} finally {
		client.release();
	}
}
