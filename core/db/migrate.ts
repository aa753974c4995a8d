import pg from 'pg';
import Postgrator from 'postgrator';
import path from 'node:path';
import { migrationsDir } from '../paths';
import { SCHEMA_TABLE, expectedSchemaVersion } from './schema-version';
import { type CoreLogger, silentLogger } from './types';

export interface MigrationResult {
	/** Versions applied by this run, in order. Empty when the database was already current. */
	applied: Array<{ version: number; name: string }>;
	version: number;
}

export class MigrationError extends Error {
	override name = 'MigrationError';
}

// Any 64-bit constant works; it only has to be the same for every Barnum process.
const MIGRATION_LOCK_ID = '7311440210736102861';

/**
 * Applies the numbered SQL files in sql/migrations with postgrator, which records each one with
 * its MD5 and refuses to run when an applied file has changed. Around it this adds what postgrator
 * leaves out for PostgreSQL: an advisory lock, so two processes starting together migrate once,
 * and one transaction per migration that also covers its bookkeeping row.
 */
export async function migrate(
	connectionString: string,
	options: { logger?: CoreLogger; dir?: string } = {},
): Promise<MigrationResult> {
	const logger = options.logger ?? silentLogger;
	const dir = options.dir ?? migrationsDir();
	const client = new pg.Client({ connectionString, application_name: 'barnum-migrate' });
	await client.connect();
	let inTransaction = false;
	try {
		await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_ID]);
		const postgrator = new Postgrator({
			migrationPattern: path.join(dir, '*.sql'),
			driver: 'pg',
			schemaTable: SCHEMA_TABLE,
			validateChecksums: true,
			// postgrator runs a migration's script, then the INSERT that records it: the script opens
			// the transaction and the very next query (the INSERT) closes it.
			execSqlScript: async (sql: string) => {
				await client.query('BEGIN');
				inTransaction = true;
				await client.query(sql);
			},
			execQuery: async (sql: string) => {
				const result = await client.query(sql);
				if (inTransaction) {
					await client.query('COMMIT');
					inTransaction = false;
				}
				return result;
			},
		});
		postgrator.on('migration-started', (m: { version: number; name: string }) =>
			logger.info({ version: m.version, name: m.name }, 'applying migration'),
		);

		const expected = expectedSchemaVersion(dir);
		const current = await postgrator.getDatabaseVersion().catch(() => 0);
		if (current > expected) {
			throw new MigrationError(
				`The database schema is at version ${current}, newer than this Barnum's migrations (${expected}). ` +
					'Upgrade Barnum instead of running an older copy against this database.',
			);
		}
		let applied: Array<{ version: number; name: string }>;
		try {
			applied = (await postgrator.migrate()).map((m) => ({ version: m.version, name: m.name }));
		} catch (error) {
			if (inTransaction) {
				await client.query('ROLLBACK');
				inTransaction = false;
			}
			throw explain(error);
		}
		const version = await postgrator.getDatabaseVersion();
		return { applied, version };
	} finally {
		await client.end().catch(() => undefined);
	}
}

function explain(error: unknown): Error {
	const message = error instanceof Error ? error.message : String(error);
	const drift = /MD5 checksum failed for migration \[(\d+)\]/.exec(message);
	if (drift) {
		return new MigrationError(
			`Migration ${drift[1].padStart(3, '0')} was changed after it was applied to this database. ` +
				'Refusing to continue: restore the original file and put the change in a new, higher-numbered migration.',
		);
	}
	const failed = error as Error & { appliedMigrations?: unknown[] };
	return new MigrationError(`Migration failed: ${message}`, { cause: failed });
}
