import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withCredentials } from '../../server/db/app-login';
import { createPool } from '../../core/db/pool';
import { TEMPLATE_DATABASE, TEST_APP_LOGIN, TEST_APP_PASSWORD } from './constants';

// The built-in clinic tables first: tests write appointments as a clinic's software would.
const TEST_SEARCH_PATH = '-c search_path=barnum_clinic,barnum';

export interface TestDatabase {
	name: string;
	/** Owner connection (superuser on the embedded cluster): set-up and inspection. */
	adminUrl: string;
	/** The least-privilege login the server and n8n nodes use. */
	appUrl: string;
	admin: pg.Pool;
	app: pg.Pool;
	drop(): Promise<void>;
}

function maintenanceUrl(): string {
	const url = process.env.BARNUM_TEST_MAINTENANCE_URL;
	if (!url) throw new Error('BARNUM_TEST_MAINTENANCE_URL is not set: run the tests through jest (globalSetup)');
	return url;
}

export function databaseUrl(name: string): string {
	const parsed = new URL(maintenanceUrl());
	parsed.pathname = `/${name}`;
	return parsed.toString();
}

async function createDatabase(name: string, template: string): Promise<void> {
	const client = new pg.Client({ connectionString: maintenanceUrl() });
	await client.connect();
	try {
		await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE ${client.escapeIdentifier(template)}`);
	} finally {
		await client.end();
	}
}

export async function dropDatabase(name: string): Promise<void> {
	const client = new pg.Client({ connectionString: maintenanceUrl() });
	await client.connect();
	try {
		await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
	} finally {
		await client.end();
	}
}

export function uniqueDatabaseName(prefix = 'barnum_t'): string {
	return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** A migrated database of its own for one test file, cloned from the run's template. */
export async function freshDatabase(): Promise<TestDatabase> {
	const name = uniqueDatabaseName();
	await createDatabase(name, TEMPLATE_DATABASE);
	const adminUrl = databaseUrl(name);
	const appUrl = withCredentials(adminUrl, TEST_APP_LOGIN, TEST_APP_PASSWORD);
	// The tests' own statements use unqualified names; the code under test names barnum.* itself
	// (the server started on appUrl has no search_path, so an unqualified query fails there).
	const admin = createPool({ connectionString: adminUrl, options: TEST_SEARCH_PATH }, { applicationName: 'barnum-test-admin' });
	const app = createPool({ connectionString: appUrl, options: TEST_SEARCH_PATH }, { applicationName: 'barnum-test-app' });
	return {
		name,
		adminUrl,
		appUrl,
		admin,
		app,
		async drop() {
			await Promise.all([admin.end(), app.end()]);
			await dropDatabase(name);
		},
	};
}

/** An empty database (no Barnum schema), for migration tests. */
export async function emptyDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
	const name = uniqueDatabaseName('barnum_empty');
	await createDatabase(name, 'template0');
	return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}
