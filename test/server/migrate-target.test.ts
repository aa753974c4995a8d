import path from 'node:path';
import { migrate } from '../../core/db/migrate';
import { expectedSchemaVersion, schemaStatus } from '../../core/db/schema-version';
import { createPool } from '../../core/db/pool';
import { loadConfig, migrationTarget } from '../../server/config';
import { emptyDatabase } from '../helpers/database';

/**
 * What `barnum migrate` migrates (server/cli.ts applies migrationTarget): a MIGRATION_DATABASE_URL
 * given alone is that database, never the embedded one of a checkout.
 */

test('MIGRATION_DATABASE_URL alone is the target, and migrating it installs the schema there', async () => {
	const db = await emptyDatabase();
	try {
		const target = migrationTarget(loadConfig({ MIGRATION_DATABASE_URL: db.url }));
		expect(target).toEqual({ kind: 'url', url: db.url });
		await migrate((target as { url: string }).url);
		const pool = createPool(db.url);
		try {
			expect(await schemaStatus(pool)).toEqual({ state: 'current', version: expectedSchemaVersion() });
		} finally {
			await pool.end();
		}
	} finally {
		await db.drop();
	}
});

test('otherwise MIGRATION_DATABASE_URL, then DATABASE_URL (or SUPABASE_DB_URL), then the embedded database', () => {
	const owner = 'postgres://owner:secret@db.example:5432/barnum';
	const app = 'postgres://barnum_server:secret@db.example:5432/barnum';
	expect(migrationTarget(loadConfig({ DATABASE_URL: app, MIGRATION_DATABASE_URL: owner }))).toEqual({ kind: 'url', url: owner });
	expect(migrationTarget(loadConfig({ DATABASE_URL: app }))).toEqual({ kind: 'url', url: app });
	expect(migrationTarget(loadConfig({ SUPABASE_DB_URL: app }))).toEqual({ kind: 'url', url: app });
	expect(migrationTarget(loadConfig({ BARNUM_DATA_DIR: '/tmp/barnum-data', BARNUM_PG_PORT: '0' }))).toEqual({
		kind: 'embedded',
		dataDir: path.resolve('/tmp/barnum-data'),
		port: 0,
	});
	// A blank value counts as unset, as everywhere in the configuration.
	expect(migrationTarget(loadConfig({ MIGRATION_DATABASE_URL: '', BARNUM_DATA_DIR: '/tmp/barnum-data' })).kind).toBe('embedded');
});
