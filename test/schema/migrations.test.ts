import { cpSync, mkdtempSync, readdirSync, rmSync, appendFileSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { MigrationError, migrate } from '../../core/db/migrate';
import { expectedSchemaVersion, schemaStatus } from '../../core/db/schema-version';
import { migrationsDir } from '../../core/paths';
import { emptyDatabase } from '../helpers/database';

let db: Awaited<ReturnType<typeof emptyDatabase>>;
const copies: string[] = [];

beforeEach(async () => {
	db = await emptyDatabase();
});
afterEach(() => db.drop());
afterAll(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function copyOfMigrations(): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'barnum-migrations-'));
	cpSync(migrationsDir(), dir, { recursive: true });
	copies.push(dir);
	return dir;
}

async function status() {
	const client = new pg.Client({ connectionString: db.url });
	await client.connect();
	try {
		return await schemaStatus(client);
	} finally {
		await client.end();
	}
}

test('applies every migration in order on an empty database, then reports the schema current', async () => {
	expect(await status()).toEqual({ state: 'missing', expected: expectedSchemaVersion() });
	const result = await migrate(db.url);
	const files = readdirSync(migrationsDir()).filter((f) => f.endsWith('.sql')).sort();
	expect(result.applied.map((m) => m.version)).toEqual(files.map((f) => Number(f.split('.')[0])));
	expect(result.version).toBe(expectedSchemaVersion());
	expect(await status()).toEqual({ state: 'current', version: expectedSchemaVersion() });
});

test('running again is a no-op', async () => {
	await migrate(db.url);
	const again = await migrate(db.url);
	expect(again.applied).toEqual([]);
	expect(again.version).toBe(expectedSchemaVersion());
});

test('two processes migrating at once apply each migration once', async () => {
	const [a, b] = await Promise.all([migrate(db.url), migrate(db.url)]);
	expect([...a.applied, ...b.applied].map((m) => m.version).sort()).toEqual(
		readdirSync(migrationsDir()).filter((f) => f.endsWith('.sql')).map((f) => Number(f.split('.')[0])).sort(),
	);
});

test('a migration changed after it was applied is refused with a clear message', async () => {
	const dir = copyOfMigrations();
	await migrate(db.url, { dir });
	appendFileSync(path.join(dir, readdirSync(dir).find((f) => f.startsWith('002.'))!), '\n-- an innocent edit\n');
	const attempt = migrate(db.url, { dir });
	await expect(attempt).rejects.toBeInstanceOf(MigrationError);
	await expect(attempt).rejects.toThrow(/Migration 002 was changed after it was applied to this database\. Refusing to continue/);
});

test('a database newer than this copy of Barnum is refused, not "undone"', async () => {
	await migrate(db.url);
	const dir = copyOfMigrations();
	const newest = readdirSync(dir).sort().pop()!;
	unlinkSync(path.join(dir, newest));
	await expect(migrate(db.url, { dir })).rejects.toThrow(/newer than this Barnum's migrations/);
	expect(await status()).toEqual({ state: 'current', version: expectedSchemaVersion() });
});

test('a failing migration leaves nothing behind: the whole run is one transaction', async () => {
	const dir = copyOfMigrations();
	const next = expectedSchemaVersion() + 1;
	const { writeFileSync } = await import('node:fs');
	writeFileSync(
		path.join(dir, `${String(next).padStart(3, '0')}.do.broken.sql`),
		'CREATE TABLE half_done (id int);\nSELECT * FROM table_that_does_not_exist;\n',
	);
	// From empty: every earlier migration of the run is undone with it, bookkeeping included.
	await expect(migrate(db.url, { dir })).rejects.toThrow(/Migration failed: relation "table_that_does_not_exist" does not exist/);
	expect(await leftovers()).toEqual({ schema: null, t: null });

	// From the current version: the database stays at it.
	await migrate(db.url);
	await expect(migrate(db.url, { dir })).rejects.toThrow(MigrationError);
	expect(await leftovers()).toEqual({ schema: 'barnum', t: null });
	expect(await status()).toEqual({ state: 'current', version: expectedSchemaVersion() });
});

async function leftovers() {
	const client = new pg.Client({ connectionString: db.url });
	await client.connect();
	try {
		const { rows } = await client.query(
			"SELECT to_regnamespace('barnum')::text AS schema, coalesce(to_regclass('barnum.half_done'), to_regclass('public.half_done'))::text AS t",
		);
		return rows[0];
	} finally {
		await client.end();
	}
}
