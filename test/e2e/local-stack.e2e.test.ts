import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { packageRoot } from '../../core/paths';
import { CHROMIUM, CHROMIUM_PATH, NO_CHROMIUM } from '../browser/action-pages';
import { freePort } from '../../server/db/embedded-postgres';
import { N8nRest } from '../../stack/n8n/rest';
import { delay } from '../../stack/run';

// `npm start` as a person runs it: scripts/stack.sh (what the npm script execs, minus npm) in a
// data folder of its own, stopped with Ctrl-C sent to its process group as a terminal does.

const root = packageRoot();
// Every workflow the stack imports and activates: the JSON files of workflows/, not its examples/.
const BUNDLED = readdirSync(path.join(root, 'workflows')).filter((f) => f.endsWith('.json') && f !== 'credentials.template.json').length;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'barnum-npm-start-'));
let ports: { server: number; sandbox: number; n8n: number };
let browser: Browser;

interface Running {
	child: ChildProcess;
	output(): string;
	exited: Promise<number | null>;
}

function cli(args: string[], script = 'scripts/stack.sh', extraEnv: Record<string, string> = {}): Running {
	const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(NODE_ENV|JEST_|NODE_OPTIONS|BARNUM_COMPILED)/.test(key)));
	const child = spawn('bash', ['scripts/with-node24.sh', 'bash', script, ...args], {
		cwd: root,
		env: { ...env, BARNUM_DATA_DIR: dataDir, PORT: String(ports.server), SANDBOX_PORT: String(ports.sandbox), N8N_PORT: String(ports.n8n), ...extraEnv },
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	let output = '';
	child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
	child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	return { child, output: () => output, exited };
}

async function startStack(): Promise<Running & { readyMs: number }> {
	const started = Date.now();
	const stack = cli(['start']);
	let exitCode: number | null | undefined;
	void stack.exited.then((code) => (exitCode = code));
	// Up to 15 minutes: the first start on a machine without n8n in the cache installs it.
	const deadline = started + 900_000;
	while (!stack.output().includes('barnum: ready in')) {
		if (exitCode !== undefined) throw new Error(`npm start exited ${exitCode} before it was ready:\n${stack.output()}`);
		if (Date.now() > deadline) throw new Error(`npm start was not ready after 15 minutes:\n${stack.output()}`);
		await delay(200);
	}
	return { ...stack, readyMs: Date.now() - started };
}

/** What the start said it did, for the test's log. */
const steps = (stack: Running) => stack.output().split('\n').filter((l) => l.startsWith('barnum: ')).map((l) => `  ${l}\n`).join('');

/** Ctrl-C in the terminal: SIGINT to the whole foreground process group. */
async function ctrlC(stack: Running): Promise<number | null> {
	process.kill(-stack.child.pid!, 'SIGINT');
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no exit after Ctrl-C:\n${stack.output()}`)), 60_000)));
	try {
		return await Promise.race([stack.exited, late]);
	} finally {
		clearTimeout(timer);
	}
}

async function run(args: string[]): Promise<{ code: number | null; output: string }> {
	const command = cli(args);
	const code = await command.exited;
	return { code, output: command.output() };
}

interface Status {
	ok: boolean;
	urls: { server: string; sandbox: string; n8n: string };
	pids: { stack: number; postgres: number; n8n: number };
	checks: { server: number; sandbox: number; n8n: number; workflows: { active: number; total: number; inactive: string[] } };
}

async function status(): Promise<Status> {
	const { code, output } = await run(['status', '--json']);
	const line = output.split('\n').find((l) => l.startsWith('{"running"'));
	if (!line) throw new Error(`status printed no JSON (exit ${code}):\n${output}`);
	return JSON.parse(line) as Status;
}

/** The stack's own database, as the server's login (read from the data folder, as demo:book does). */
async function withDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
	const state = JSON.parse(readFileSync(path.join(dataDir, 'stack.json'), 'utf8')) as { database: { port: number } };
	const secrets = JSON.parse(readFileSync(path.join(dataDir, 'db', 'secrets.json'), 'utf8')) as { appPassword: string };
	const client = new pg.Client({ connectionString: `postgres://barnum_server:${encodeURIComponent(secrets.appPassword)}@127.0.0.1:${state.database.port}/barnum` });
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

const counts = () =>
	withDatabase(async (db) => {
		const { rows } = await db.query(
			'SELECT (SELECT count(*) FROM barnum_clinic.specialties)::int AS specialties, (SELECT count(*) FROM barnum_clinic.professionals)::int AS professionals, (SELECT count(*) FROM barnum_clinic.patients)::int AS patients, (SELECT count(*) FROM barnum.locations)::int AS properties, (SELECT count(*) FROM barnum_clinic.appointments)::int AS appointments',
		);
		return rows[0] as Record<string, number>;
	});

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

let firstStartMs = 0;
let afterFirstRun: Record<string, number>;

beforeAll(async () => {
	ports = { server: await freePort(), sandbox: await freePort(), n8n: await freePort() };
	if (!CHROMIUM_PATH) throw new Error(NO_CHROMIUM);
	browser = await chromium.launch(CHROMIUM);
});
afterAll(async () => {
	await browser?.close();
	rmSync(dataDir, { recursive: true, force: true });
});

test('npm start runs the whole stack; "try it" books a demo appointment whose WhatsApp message confirms it; Ctrl-C stops everything', async () => {
	const stack = await startStack();
	firstStartMs = stack.readyMs;
	process.stderr.write(`npm start, first run: ready in ${(stack.readyMs / 1000).toFixed(1)} s\n${steps(stack)}`);
	try {
		const output = stack.output();
		const login = /login (\S+@\S+) \/ (\S+)/.exec(output);
		expect(login).not.toBeNull();
		expect(output).toContain(`n8n editor       http://127.0.0.1:${ports.n8n}`);
		expect(output).toContain(`WhatsApp phones  http://127.0.0.1:${ports.sandbox}/_sandbox/`);
		expect(output).toContain(`Companion server http://127.0.0.1:${ports.server}`);
		expect(output).toContain('Try it: open');

		// Every part answers, on the ports asked for.
		expect((await fetch(`http://127.0.0.1:${ports.server}/readyz`)).status).toBe(200);
		expect(await (await fetch(`http://127.0.0.1:${ports.sandbox}/_sandbox/`)).text()).toContain('Book a demo appointment');
		expect((await fetch(`http://127.0.0.1:${ports.n8n}/healthz`)).status).toBe(200);
		// n8n has the package and every bundled workflow, active: asked as the owner the banner names.
		const rest = new N8nRest(`http://127.0.0.1:${ports.n8n}`, { email: login![1], password: login![2] });
		const workflows = await rest.workflows();
		expect(workflows.filter((w) => w.name.startsWith('Barnum')).map((w) => w.active)).toEqual(Array(BUNDLED).fill(true));
		const current = await status();
		expect(current.ok).toBe(true);
		expect(current.checks.workflows).toEqual({ active: BUNDLED, total: BUNDLED, inactive: [] });
		// The same, for a person: in words.
		const said = await run(['status']);
		expect(said.code).toBe(0);
		expect(said.output).toContain(`  companion server  http://127.0.0.1:${ports.server}  ready (database migrated)`);
		expect(said.output).toContain(`  workflows         ${BUNDLED} of ${BUNDLED} bundled workflows active\n`);
		expect(said.output).toContain('Everything answers.');

		// The companion server's address, as the banner prints it, says what the server is.
		const front = await fetch(`http://127.0.0.1:${ports.server}/`, { headers: { 'accept-language': 'en' } });
		expect(front.status).toBe(200);
		expect(await front.text()).toContain('This server opens the links in the WhatsApp messages');

		// n8n at the address the banner prints: after login, the editor shows the bundled workflows.
		const editor = await browser.newPage({ viewport: { width: 1280, height: 800 } });
		await editor.goto(`http://127.0.0.1:${ports.n8n}/`);
		await editor.locator('input[type=email], input[name=emailOrLdapLoginId]').first().fill(login![1]);
		await editor.locator('input[type=password]').fill(login![2]);
		await editor.keyboard.press('Enter');
		await editor.locator('[data-test-id="workflow-card-name"]', { hasText: 'Barnum · Clinic · Pre-confirmation' }).waitFor({ timeout: 30_000 });
		expect(new URL(editor.url()).pathname).toBe('/home/workflows');
		await editor.close();

		// Demo data: the clinic, its professionals and patients, the resort.
		expect(await counts()).toEqual({ specialties: 3, professionals: 3, patients: 3, properties: 1, appointments: 0 });

		// Try it: the button on the sandbox page books; João's phone shows the pre-confirmation;
		// its "Gerir marcação" link opens the action page, which confirms.
		const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'pt-PT' });
		await page.goto(`http://127.0.0.1:${ports.sandbox}/_sandbox/`);
		await page.getByRole('button', { name: 'Book a demo appointment' }).click();
		await page.waitForURL(/\/_sandbox\/phones\/351912345678/);
		// The phone is João's, by name, its number under it.
		await expect(page.locator('header h1').textContent()).resolves.toBe('João Silva');
		await expect(page.locator('.info').textContent()).resolves.toMatch(/^Booked João Silva \(\+351\*+5678\) with Dra\. Maria Santos on \d{4}-\d{2}-\d{2} at 09:00\.$/);
		await expect(page.locator('.bubble.in .body').last().textContent()).resolves.toContain('Olá João, tem uma consulta marcada');
		const link = await page.getByRole('link', { name: /Gerir marcação/ }).last().getAttribute('href');
		expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${ports.server}/api/action\\?type=confirm&token=`));
		await page.goto(link!);
		await page.getByRole('button').first().click();
		await page.waitForSelector('text=Consulta confirmada');
		await page.close();
		expect(await withDatabase(async (db) => (await db.query('SELECT status FROM barnum_clinic.appointments')).rows)).toEqual([{ status: 'confirmed' }]);

		// The same from the command line.
		const booked = await run(['demo:book']);
		expect(booked.code).toBe(0);
		expect(booked.output).toMatch(/Booked João Silva .* at 09:30\./);
		expect(booked.output).toContain(`Their phone: http://127.0.0.1:${ports.sandbox}/_sandbox/phones/351912345678`);
		expect(booked.output).toMatch(/The WhatsApp pre-confirmation was sent \(wamid\./);

		// Ctrl-C: everything stops, cleanly, and says so.
		const code = await ctrlC(stack);
		expect(code).toBe(0);
		expect(stack.output()).toContain('barnum: stopped\n');
		expect(stack.output()).not.toContain('idle database connection lost');
		expect(stack.output()).not.toMatch(/"level":(50|60)/);
		for (const pid of Object.values(current.pids)) expect(alive(pid)).toBe(false);
		expect((await run(['status'])).code).toBe(1);
		// n8n kept to the job: its log has none of the failed calls to its online services that an
		// offline machine otherwise fills it with.
		const n8nLog = readFileSync(path.join(dataDir, 'logs', 'n8n.log'), 'utf8');
		expect(n8nLog).not.toMatch(/api\.n8n\.io|ENOTFOUND|EAI_AGAIN|getaddrinfo/);
	} finally {
		if (stack.child.exitCode === null) process.kill(-stack.child.pid!, 'SIGKILL');
	}
	afterFirstRun = { specialties: 3, professionals: 3, patients: 3, properties: 1, appointments: 2 };
}, 1_200_000);

test('a second start reuses everything (no install, no import, no duplicate demo data) and is faster; reset wipes it', async () => {
	expect(afterFirstRun).toBeDefined();
	const stack = await startStack();
	process.stderr.write(`npm start, second run: ready in ${(stack.readyMs / 1000).toFixed(1)} s (first: ${(firstStartMs / 1000).toFixed(1)} s)\n${steps(stack)}`);
	try {
		// Nothing installed, imported or added again. (The package is reinstalled when its files
		// changed since the first start, which happens in a checkout being edited: that is allowed.)
		const progress = stack.output().split('\n').filter((l) => l.startsWith('barnum: '));
		expect(progress.filter((l) => /installing n8n |import|activat|added the demo data/.test(l))).toEqual([]);
		expect(stack.readyMs).toBeLessThan(firstStartMs);
		expect(await counts()).toEqual(afterFirstRun);
		const current = await status();
		expect(current.ok).toBe(true);
		// The secrets are the ones generated on the first start, readable by this user only.
		expect(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')).toContain('n8nOwnerPassword');
		expect(statSync(path.join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);

		// A running stack is not reset.
		const refused = await run(['reset']);
		expect(refused.code).toBe(1);
		expect(refused.output).toContain('stop it (Ctrl-C) first');
		expect(await ctrlC(stack)).toBe(0);
	} finally {
		if (stack.child.exitCode === null) process.kill(-stack.child.pid!, 'SIGKILL');
	}
	const reset = await run(['reset']);
	expect(reset.code).toBe(0);
	expect(existsSync(dataDir)).toBe(false);
}, 600_000);

test('npm run serve runs the companion server alone; Ctrl-C closes its connections before stopping PostgreSQL', async () => {
	const folder = mkdtempSync(path.join(os.tmpdir(), 'barnum-npm-serve-'));
	const port = await freePort();
	const serve = cli(['serve'], 'scripts/barnum.sh', { BARNUM_DATA_DIR: folder, PORT: String(port), BARNUM_PG_PORT: '0', LOG_LEVEL: 'info' });
	try {
		const deadline = Date.now() + 120_000;
		while (!serve.output().includes('companion server listening')) {
			if (serve.child.exitCode !== null || Date.now() > deadline) throw new Error(`barnum serve did not start:\n${serve.output()}`);
			await delay(200);
		}
		// Several requests at once leave several idle connections in the pool.
		const answers = await Promise.all(Array.from({ length: 5 }, () => fetch(`http://127.0.0.1:${port}/readyz`)));
		expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
		expect(await ctrlC(serve)).toBe(0);
		expect(serve.output()).toContain('"msg":"companion server stopped"');
		// PostgreSQL runs in its own process group, so the Ctrl-C reaches only the server, which
		// waits for its connections to close before stopping PostgreSQL: none is cut under its feet.
		expect(serve.output()).not.toContain('idle database connection lost');
		expect(serve.output()).not.toContain('terminating connection due to administrator command');
		expect(serve.output()).not.toContain('n8n');
	} finally {
		if (serve.child.exitCode === null) process.kill(-serve.child.pid!, 'SIGKILL');
		rmSync(folder, { recursive: true, force: true });
	}
}, 300_000);
