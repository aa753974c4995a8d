import pg from 'pg';
import Postgrator from 'postgrator';
import path from 'node:path';
import { readdirSync } from 'node:fs';
import { migrationsDir } from '../paths';
import { ContractError, type ContractChoice, installContract } from './contract';
import { SCHEMA_TABLE } from './schema-version';
import { type CoreLogger, silentLogger } from './types';

export interface MigrationResult {
	/** Versions applied by this run, in order. Empty when the database was already current. */
	applied: Array<{ version: number; name: string }>;
	version: number;
	/** The appointment contract this run installed, if it installed one. */
	contract?: string;
}

export class MigrationError extends Error {
	override name = 'MigrationError';
}

// Any 64-bit constant works; it only has to be the same for every Barnum process.
const MIGRATION_LOCK_ID = '7311440210736102861';

/** Everything Barnum owns lives in this schema, never in public (Supabase exposes public). */
export const BARNUM_SCHEMA = 'barnum';

/**
 * Applies the numbered SQL files in sql/migrations with postgrator, which records each one with
 * its MD5 and refuses to run when an applied file has changed. Around it this adds what postgrator
 * leaves out for PostgreSQL: an advisory lock, so two processes starting together migrate once,
 * and one transaction for the whole run, bookkeeping and the appointment contract included: when
 * anything fails, the database is exactly as it was before.
 */
export async function migrate(
	connectionString: string,
	options: { logger?: CoreLogger; dir?: string; contract?: ContractChoice } = {},
): Promise<MigrationResult> {
	const logger = options.logger ?? silentLogger;
	const dir = options.dir ?? migrationsDir();
	const client = new pg.Client({ connectionString, application_name: 'barnum-migrate' });
	await client.connect();
	try {
		await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_ID]);
		await refuseEarlierLayout(client);
		const postgrator = new Postgrator({
			migrationPattern: path.join(dir, '*.sql'),
			driver: 'pg',
			schemaTable: SCHEMA_TABLE,
			validateChecksums: true,
			// Unqualified names in the migrations are created in Barnum's schema.
			execSqlScript: async (sql: string) => {
				await client.query(`SET LOCAL search_path = ${BARNUM_SCHEMA}`);
				await client.query(sql);
			},
			execQuery: (sql: string) => client.query(sql),
		});
		postgrator.on('migration-started', (m: { version: number; name: string }) =>
			logger.info({ version: m.version, name: m.name }, 'applying migration'),
		);

		const expected = highestMigration(dir);
		await client.query('BEGIN');
		try {
			const current = await appliedVersion(client);
			if (current > expected) {
				throw new MigrationError(
					`The database schema is at version ${current}, newer than this Barnum's migrations (${expected}). ` +
						'Upgrade Barnum instead of running an older copy against this database.',
				);
			}
			const applied = (await postgrator.migrate()).map((m) => ({ version: m.version, name: m.name }));
			const version = await appliedVersion(client);
			const contract = await installContract(client, options.contract, logger);
			await client.query('COMMIT');
			return { applied, version, contract };
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			throw explain(error);
		}
	} finally {
		await client.end().catch(() => undefined);
	}
}

async function appliedVersion(client: pg.Client): Promise<number> {
	const exists = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [SCHEMA_TABLE]);
	if (!exists.rows[0]?.exists) return 0;
	const result = await client.query<{ version: string | null }>(`SELECT max(version)::text AS version FROM ${SCHEMA_TABLE}`);
	return Number(result.rows[0]?.version ?? 0);
}

/**
 * Barnum's first builds kept their objects in public. Such a database is refused with what to do,
 * rather than migrated beside its own leftovers.
 */
async function refuseEarlierLayout(client: pg.Client): Promise<void> {
	const found = await client.query<{ found: boolean }>("SELECT to_regclass('public.barnum_schema_version') IS NOT NULL AS found");
	if (found.rows[0]?.found) {
		throw new MigrationError(
			'This database holds an earlier Barnum layout (public.barnum_schema_version: Barnum objects in the public schema). ' +
				'Barnum now lives in its own schema "barnum" and cannot adopt that layout in place: for the local demo run ' +
				'"npm run reset"; otherwise restore a database without it (docs/upgrading.md).',
		);
	}
}

function explain(error: unknown): Error {
	if (error instanceof MigrationError) return error;
	if (error instanceof ContractError) return new MigrationError(error.message, { cause: error });
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

const MIGRATION_FILE = /^(\d+)\.do\.[a-z0-9-]+\.sql$/;

/** The highest migration in a folder of them: what the database is at once they are applied. */
function highestMigration(dir: string): number {
	let max = 0;
	for (const file of readdirSync(dir)) {
		const match = MIGRATION_FILE.exec(file);
		if (match) max = Math.max(max, Number(match[1]));
	}
	return max;
}
