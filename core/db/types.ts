import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';

/** Anything that runs a parameterised query: a pg Pool, a PoolClient or a Client. */
export interface Queryable {
	query<R extends QueryResultRow = QueryResultRow>(text: string | QueryConfig, values?: unknown[]): Promise<QueryResult<R>>;
}

/** The few log calls core code makes; pino, n8n's logger and console all fit. */
export interface CoreLogger {
	info(obj: object, msg?: string): void;
	warn(obj: object, msg?: string): void;
	error(obj: object, msg?: string): void;
}

export const silentLogger: CoreLogger = {
	info: () => undefined,
	warn: () => undefined,
	error: () => undefined,
};
