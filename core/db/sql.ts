import { QUERIES, type QueryName } from './queries.generated';

export type { QueryName };

/**
 * The text of sql/queries/<name>.sql, embedded at build time (scripts/embed-sql.mjs). Every
 * statement Barnum runs lives in one of those files, parameterised ($1, $2 …), so no SQL is ever
 * assembled from input; a name without a file does not compile.
 */
export function sql(name: QueryName): string {
	return QUERIES[name];
}
