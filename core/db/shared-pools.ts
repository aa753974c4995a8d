import { createHash } from 'node:crypto';
import type pg from 'pg';
import { createPool } from './pool';

const pools = new Map<string, pg.Pool>();

/**
 * One pool per distinct connection config for the Barnum action node, shared by its executions:
 * opening a connection (and TLS) per execution would cost more than the work. Idle connections
 * close after 30 s, so an unused pool holds nothing open.
 */
export function sharedPool(config: pg.ClientConfig, options: { preparedStatements?: boolean } = {}): pg.Pool {
	const preparedStatements = options.preparedStatements !== false;
	const key = createHash('sha256').update(JSON.stringify({ config, preparedStatements })).digest('hex');
	let pool = pools.get(key);
	if (!pool) {
		pool = createPool(config, { applicationName: 'barnum-n8n', max: 5, preparedStatements });
		pools.set(key, pool);
	}
	return pool;
}
