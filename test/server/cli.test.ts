import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../core/paths';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { linksOfThreeAges } from '../helpers/server';

// The `barnum` commands as an operator runs them: the compiled CLI, in a process of its own,
// against a real database, judged by exit code, stdout and stderr.

const root = packageRoot();
const cli = path.join(root, 'build', 'server', 'cli.js');
let db: TestDatabase;

beforeAll(() => {
	// tsc emits even when someone else's work in progress has a type error.
	spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.dev.json'], { cwd: root, stdio: 'ignore' });
}, 120_000);
beforeAll(async () => {
	db = await freshDatabase();
});
afterAll(() => db.drop());

function barnum(args: string[], env: Record<string, string> = {}) {
	// Only what the test gives: no DATABASE_URL or secret of the machine's leaks in.
	const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env }, timeout: 60_000 });
	return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('--help lists the four commands; each command has its own help', () => {
	const help = barnum(['--help']);
	expect(help.status).toBe(0);
	for (const command of ['serve', 'migrate', 'dispatch', 'tokens:purge']) expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
	const purge = barnum(['tokens:purge', '--help']);
	expect(purge.status).toBe(0);
	expect(purge.stdout).toContain('--older-than-days <days>');
});

test('tokens:purge deletes the tokens expired longer ago than asked and prints how many', async () => {
	const clinic = await seedClinic(db.app);
	const id = await insertAppointment(db.app, clinic);
	const { old, recent, live } = await linksOfThreeAges(db, id);
	const run = barnum(['tokens:purge', '--older-than-days', '30'], { DATABASE_URL: db.appUrl });
	expect(run.stderr).toBe('');
	expect(run.status).toBe(0);
	expect(JSON.parse(run.stdout)).toEqual({ removed: 1 });
	const { rows } = await db.admin.query<{ kept: boolean }>('SELECT barnum_token_hash(t) IN (SELECT token_hash FROM whatsapp_action_tokens) AS kept FROM unnest($1::text[]) AS t', [[old, recent, live]]);
	expect(rows.map((row) => row.kept)).toEqual([false, true, true]);
});

test('a bad argument or missing setting is said plainly, without a stack, and exits 1', () => {
	const days = barnum(['tokens:purge', '--older-than-days', 'thirty'], { DATABASE_URL: db.appUrl });
	expect(days.status).toBe(1);
	expect(days.stderr).toContain('must be a whole number of days');
	const dispatch = barnum(['dispatch'], { DATABASE_URL: db.appUrl });
	expect(dispatch.status).toBe(1);
	expect(dispatch.stderr).toBe('barnum: dispatch needs N8N_WEBHOOK_BASE_URL (where to deliver) and WEBHOOK_SECRET (to sign)\n');
	const config = barnum(['tokens:purge'], { DATABASE_URL: 'mysql://db/barnum', TRUST_PROXY: 'yes please' });
	expect(config.status).toBe(1);
	expect(config.stderr).toMatch(/DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
	expect(config.stderr).toMatch(/TRUST_PROXY: must be/);
	for (const stderr of [days.stderr, dispatch.stderr, config.stderr]) expect(stderr).not.toMatch(/\n\s+at /);
});

test('migrate on a database that is up to date applies nothing and succeeds', () => {
	const run = barnum(['migrate'], { MIGRATION_DATABASE_URL: db.adminUrl, LOG_LEVEL: 'info' });
	expect(run.status).toBe(0);
	const migrated = run.stdout
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line) as { msg: string; applied?: number[]; version?: number })
		.find((line) => line.msg === 'migrated');
	expect(migrated).toMatchObject({ applied: [] });
	expect(migrated?.version).toBeGreaterThanOrEqual(13);
});
