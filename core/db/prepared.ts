import type pg from 'pg';
import { type QueryName, sql } from './sql';
import type { Queryable } from './types';

// Pools whose connections cannot keep named prepared statements, and every client they open.
const unprepared = new WeakSet<object>();

/**
 * Marks a pool whose server side is a pooler in transaction mode (Supabase's port 6543,
 * PgBouncer before 1.21 or without max_prepared_statements): consecutive statements may reach
 * different server connections, so a statement prepared on one is unknown on the next.
 */
export function withoutPreparedStatements(pool: pg.Pool): pg.Pool {
	unprepared.add(pool);
	pool.on('connect', (client) => unprepared.add(client));
	return pool;
}

/** Whether queries through this pool or client are sent as named prepared statements. */
export function keepsPreparedStatements(db: object): boolean {
	return !unprepared.has(db);
}

// What a pooler in transaction mode answers when the statement was prepared on another server
// connection (26000) or when this one already has it from another client (42P05). Both come
// from Parse or Bind, before anything ran.
function lostPreparedStatement(error: unknown): boolean {
	const code = (error as { code?: string } | null)?.code;
	return code === '26000' || code === '42P05';
}

/**
 * sql/queries/<name>.sql as a query: when `prepared`, a named prepared statement (barnum_<name>),
 * parsed and planned once per connection. For statements inside a transaction, where a lost
 * statement cannot be retried: the caller decides (the server's DATABASE_PREPARED_STATEMENTS).
 */
export function statement(name: QueryName, values: unknown[], prepared: boolean): pg.QueryConfig {
	const text = sql(name);
	return prepared ? { name: `barnum_${name.replace(/-/g, '_')}`, text, values } : { text, values };
}

/**
 * Runs sql/queries/<name>.sql as a named prepared statement, parsed and planned once per
 * connection instead of on every call (graphile-worker does the same, with the same opt-out).
 * Through a pool or client marked by withoutPreparedStatements it goes unnamed. A connection
 * that turns out not to keep them is marked and, when it is a pool (no transaction to spoil),
 * the statement is sent again unnamed.
 */
export async function queryPrepared<R extends pg.QueryResultRow>(
	db: Queryable,
	name: QueryName,
	values: unknown[],
	options: { types?: pg.CustomTypesConfig } = {},
): Promise<pg.QueryResult<R>> {
	const unnamed = { ...statement(name, values, false), ...options };
	if (!keepsPreparedStatements(db)) return db.query<R>(unnamed);
	return db.query<R>({ ...statement(name, values, true), ...options }).catch((error: unknown) => {
		if (!lostPreparedStatement(error)) return Promise.reject(error);
		unprepared.add(db);
		return 'totalCount' in db ? db.query<R>(unnamed) : Promise.reject(error);
	});
}
