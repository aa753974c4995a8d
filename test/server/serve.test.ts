import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../server/config';
import { startServer } from '../../server/serve';
import { migrate } from '../../core/db/migrate';
import { emptyDatabase, freshDatabase } from '../helpers/database';

const logger = pino({ level: 'silent' });

function portOpen(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

describe('npm start on the embedded default (no DATABASE_URL)', () => {
	const dataDir = mkdtempSync(path.join(os.tmpdir(), 'barnum-serve-'));
	afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

	test('starts PostgreSQL, migrates, serves /healthz and /readyz as a least-privilege login, and stops everything', async () => {
		const config = loadConfig({ PORT: '0', BARNUM_DATA_DIR: dataDir, BARNUM_PG_PORT: '0' });
		const server = await startServer(config, logger);
		const pgPort = server.database.embedded!.port;
		try {
			const health = await fetch(`${server.url}/healthz`);
			expect(health.status).toBe(200);
			expect(await health.json()).toEqual({ status: 'ok' });

			const ready = await fetch(`${server.url}/readyz`);
			expect(ready.status).toBe(200);
			expect(await ready.json()).toMatchObject({ status: 'ready', schemaVersion: expect.any(Number) });

			const who = await server.database.pool.query(
				"SELECT current_user AS name, rolsuper, pg_has_role(current_user, 'barnum_app', 'MEMBER') AS app FROM pg_roles WHERE rolname = current_user",
			);
			expect(who.rows[0]).toEqual({ name: 'barnum_server', rolsuper: false, app: true });
		} finally {
			await server.stop();
		}
		expect(await portOpen(pgPort)).toBe(false);
	});

	test('a second start reuses the data: nothing to migrate, data still there', async () => {
		const config = loadConfig({ PORT: '0', BARNUM_DATA_DIR: dataDir, BARNUM_PG_PORT: '0' });
		const first = await startServer(config, logger);
		await first.database.pool.query("UPDATE barnum.barnum_settings SET business_name = 'Clínica Sorriso'");
		await first.stop();
		const second = await startServer(config, logger);
		try {
			const { rows } = await second.database.pool.query('SELECT business_name FROM barnum.barnum_settings');
			expect(rows[0].business_name).toBe('Clínica Sorriso');
		} finally {
			await second.stop();
		}
	});
});

describe('with DATABASE_URL', () => {
	test('serves a migrated database', async () => {
		const db = await freshDatabase();
		try {
			const server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: db.appUrl }), logger);
			try {
				expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
			} finally {
				await server.stop();
			}
		} finally {
			await db.drop();
		}
	});

	test('refuses to start on a database that is not migrated, and says what to run', async () => {
		const db = await emptyDatabase();
		try {
			await expect(startServer(loadConfig({ PORT: '0', DATABASE_URL: db.url }), logger)).rejects.toThrow(
				/the Barnum schema is not installed .* run "barnum migrate"/,
			);
		} finally {
			await db.drop();
		}
	});

	test('migrates first when BARNUM_AUTO_MIGRATE=true, using MIGRATION_DATABASE_URL', async () => {
		const db = await emptyDatabase();
		try {
			const config = loadConfig({ PORT: '0', DATABASE_URL: db.url, MIGRATION_DATABASE_URL: db.url, BARNUM_AUTO_MIGRATE: 'true' });
			const server = await startServer(config, logger);
			await server.stop();
		} finally {
			await db.drop();
		}
	});

	test('/readyz answers 503 with the reason when the schema falls behind while running', async () => {
		const db = await emptyDatabase();
		try {
			await migrate(db.url);
			const server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: db.url }), logger);
			try {
				await server.database.pool.query('DELETE FROM barnum.schema_version WHERE version = (SELECT max(version) FROM barnum.schema_version)');
				const ready = await fetch(`${server.url}/readyz`);
				expect(ready.status).toBe(503);
				expect(await ready.json()).toEqual({ status: 'not_ready', reason: expect.stringMatching(/run "barnum migrate"/) });
			} finally {
				await server.stop();
			}
		} finally {
			await db.drop();
		}
	});
});

describe('configuration', () => {
	test('names every bad variable', () => {
		expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })).toThrow(
			/PORT: .*\n.*DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL\n.*LOG_LEVEL/s,
		);
	});

	test('each malformed secret, URL and proxy setting gets its own message', () => {
		let message = '';
		try {
			loadConfig({ INTERNAL_API_SECRET: 'short', N8N_WEBHOOK_BASE_URL: 'ftp://n8n.local', TRUST_PROXY: 'yes please', ACTION_NONCE_SECRET: 'tiny' });
		} catch (error) {
			message = (error as Error).message;
		}
		expect(message).toMatch(/INTERNAL_API_SECRET: must be at least 16 characters/);
		expect(message).toMatch(/N8N_WEBHOOK_BASE_URL: must be an http\(s\) URL/);
		expect(message).toMatch(/TRUST_PROXY: must be true, false, the number of proxies/);
		expect(message).toMatch(/ACTION_NONCE_SECRET: must be at least 16 characters/);
		expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
		expect(() => loadConfig({ WEBHOOK_SECRET: 'abc' })).toThrow(/WEBHOOK_SECRET: must be at least 16 characters/);
		// Supabase's variables without its connection string: say which one is missing.
		expect(() => loadConfig({ VITE_SUPABASE_URL: 'https://abc.supabase.co' })).toThrow(/Set DATABASE_URL \(or SUPABASE_DB_URL\)/);
	});

	test('TRUST_PROXY takes what Express takes: a flag, a hop count, or addresses and ranges', () => {
		expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
		expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
		expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, 2001:db8::/32' }).trustProxy).toBe('loopback, 10.0.0.0/8, 2001:db8::/32');
		expect(loadConfig({}).trustProxy).toBe(false);
	});

	test('empty variables count as unset', () => {
		expect(loadConfig({ DATABASE_URL: '', PORT: '' })).toMatchObject({ port: 3000, database: { kind: 'embedded' }, autoMigrate: true });
	});

	test('an external database is not migrated unless asked', () => {
		expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db/barnum' })).toMatchObject({
			autoMigrate: false,
			database: { kind: 'external', url: 'postgres://u:p@db/barnum', migrationUrl: 'postgres://u:p@db/barnum' },
		});
	});
});
