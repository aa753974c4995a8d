import { SCHEMA_VERSION } from './queries.generated';
import type { Queryable } from './types';

export const SCHEMA_TABLE = 'barnum.schema_version';

/** The highest migration this build ships (embedded at build time): the version a database must be at. */
export function expectedSchemaVersion(): number {
	return SCHEMA_VERSION;
}

export type SchemaStatus =
	| { state: 'current'; version: number }
	| { state: 'behind'; version: number; expected: number }
	| { state: 'ahead'; version: number; expected: number }
	| { state: 'missing'; expected: number };

/** Compares the database's applied migrations with the ones this package ships. */
export async function schemaStatus(db: Queryable, expected = expectedSchemaVersion()): Promise<SchemaStatus> {
	const table = await db.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
		SCHEMA_TABLE,
	]);
	if (!table.rows[0]?.exists) return { state: 'missing', expected };
	const result = await db.query<{ version: string | null }>(
		`SELECT max(version)::text AS version FROM ${SCHEMA_TABLE}`,
	);
	const version = Number(result.rows[0]?.version ?? 0);
	if (version === expected) return { state: 'current', version };
	return version < expected ? { state: 'behind', version, expected } : { state: 'ahead', version, expected };
}

export function describeSchemaStatus(status: SchemaStatus): string {
	switch (status.state) {
		case 'current':
			return `schema at version ${status.version}`;
		case 'missing':
			return `the Barnum schema is not installed (expected version ${status.expected}); run "barnum migrate"`;
		case 'behind':
			return `the database schema is at version ${status.version} but this Barnum needs ${status.expected}; run "barnum migrate"`;
		case 'ahead':
			return `the database schema is at version ${status.version}, newer than this Barnum (${status.expected}); upgrade Barnum`;
	}
}
