import pg from 'pg';
import { withoutPreparedStatements } from './prepared';
import { type CoreLogger, silentLogger } from './types';

// PostgreSQL returns bigint (count(*), sums) as text by default; Barnum's counters fit in a double.
// Set per pool, not on pg's global registry, so nothing else in the n8n process is affected.
export const types = {
	getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
		oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
	applicationName?: string;
	max?: number;
	logger?: CoreLogger;
	/** false behind a pooler in transaction mode: see withoutPreparedStatements. Default true. */
	preparedStatements?: boolean;
}

/** A pg pool with the settings every Barnum process wants. */
export function createPool(connection: string | pg.ClientConfig, options: PoolOptions = {}): pg.Pool {
	const pool = new pg.Pool({
		...(typeof connection === 'string' ? { connectionString: connection } : connection),
		application_name: options.applicationName ?? 'barnum',
		max: options.max ?? 10,
		idleTimeoutMillis: 30_000,
		connectionTimeoutMillis: 10_000,
		types,
	});
	// An idle client whose server went away emits 'error' on the pool; without a listener that
	// would crash the process. The next checkout reconnects.
	const logger = options.logger ?? silentLogger;
	pool.on('error', (error) => logger.warn({ err: error.message }, 'idle database connection lost'));
	return options.preparedStatements === false ? withoutPreparedStatements(pool) : pool;
}

/**
 * Ends a pool and waits until its connections have actually closed. pool.end() resolves as soon
 * as it has asked them to close; a PostgreSQL stopped right after would still see them, terminate
 * them ("terminating connection due to administrator command") and the pool would report an
 * idle connection lost. Waits two seconds at most.
 */
export async function endPool(pool: pg.Pool): Promise<void> {
	const open = pool.totalCount;
	let removed = 0;
	let timer: NodeJS.Timeout | undefined;
	const closed = new Promise<void>((resolve) => {
		if (open === 0) return resolve();
		pool.on('remove', () => {
			removed += 1;
			if (removed >= open) resolve();
		});
		timer = setTimeout(resolve, 2000);
	});
	await pool.end();
	await closed;
	clearTimeout(timer);
}
