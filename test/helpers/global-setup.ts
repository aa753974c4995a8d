import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureAppLogin } from '../../server/db/app-login';
import { startEmbeddedPostgres } from '../../server/db/embedded-postgres';
import { migrate } from '../../core/db/migrate';
import globalTeardown from './global-teardown';
import { TEMPLATE_DATABASE, TEST_APP_LOGIN, TEST_APP_PASSWORD, supabaseRoles } from './constants';

declare global {
	var barnumTestCluster: { stop(): Promise<void>; baseDir: string } | undefined;
}

/**
 * Once per run: a real PostgreSQL (embedded, or TEST_DATABASE_URL's server), a template database
 * with Supabase's roles and default grants in place *before* the migrations run (so the RLS tests
 * see what a Supabase project would), migrated, plus a least-privilege login. Each test file
 * clones the template (test/helpers/database.ts).
 */
export default async function globalSetup(): Promise<void> {
	let maintenanceUrl = process.env.TEST_DATABASE_URL;
	if (!maintenanceUrl) {
		const baseDir = mkdtempSync(path.join(os.tmpdir(), 'barnum-test-pg-'));
		try {
			// As root, what the postgres user must reach (a copy of the binaries) goes in this throwaway
			// folder too, also for the clusters test files start: a test run leaves nothing behind.
			process.env.BARNUM_SHARED_DIR = baseDir;
			const cluster = await startEmbeddedPostgres({ baseDir, ephemeral: true, database: 'postgres' });
			globalThis.barnumTestCluster = { stop: cluster.stop, baseDir };
			maintenanceUrl = cluster.maintenanceUrl;
		} catch (error) {
			rmSync(baseDir, { recursive: true, force: true });
			throw error;
		}
	}
	process.env.BARNUM_TEST_MAINTENANCE_URL = maintenanceUrl;
	try {
		await prepareTemplate(maintenanceUrl);
	} catch (error) {
		// Jest runs no global teardown when the set-up fails.
		await globalTeardown();
		throw error;
	}
}

async function prepareTemplate(maintenanceUrl: string): Promise<void> {
	const admin = new pg.Client({ connectionString: maintenanceUrl });
	await admin.connect();
	try {
		await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
		await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
		await admin.query(supabaseRoles.cluster);
	} finally {
		await admin.end();
	}
	const templateUrl = withDatabase(maintenanceUrl, TEMPLATE_DATABASE);
	const template = new pg.Client({ connectionString: templateUrl });
	await template.connect();
	try {
		await template.query(supabaseRoles.database);
	} finally {
		await template.end();
	}
	await migrate(templateUrl, { contract: 'builtin' });
	await ensureAppLogin(templateUrl, { user: TEST_APP_LOGIN, password: TEST_APP_PASSWORD });
}

export function withDatabase(url: string, database: string): string {
	const parsed = new URL(url);
	parsed.pathname = `/${database}`;
	return parsed.toString();
}
