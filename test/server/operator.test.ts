import http from 'node:http';
import { Writable } from 'node:stream';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { purgeExpiredTokens } from '../../core/action-links/purge';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { linkToken, linksOfThreeAges, serveWithLog } from '../helpers/server';

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

beforeAll(async () => {
	db = await freshDatabase();
	clinic = await seedClinic(db.app);
});
afterAll(() => db.drop());

const serve = (env: Record<string, string> = {}) =>
	serveWithLog(db, { WEBHOOK_SECRET: 'whsec_b3BlcmF0b3ItdGVzdC1zZWNyZXQtMzItYnl0ZXMh', ...env });

test('/metrics exposes the seed\'s monitoring list in Prometheus format', async () => {
	const { server } = await serve();
	try {
		const id = await insertAppointment(db.app, clinic);
		await fetch(`${server.url}/api/action?type=confirm&token=${await linkToken(db, id, 'confirm')}`);
		await fetch(`${server.url}/api/webhook`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
		const res = await fetch(`${server.url}/metrics`);
		expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
		const text = await res.text();
		expect(text).toMatch(/barnum_outbox_events\{status="pending",event_type="appointment.pre_confirmed"\} [1-9]/);
		expect(text).toMatch(/barnum_outbox_retries\{event_type="appointment.pre_confirmed"\} 0/);
		expect(text).toMatch(/barnum_outbox_oldest_due_seconds \d/);
		expect(text).toMatch(/barnum_action_links\{state="issued"\} [1-9]/);
		expect(text).toMatch(/barnum_action_token_validations_total\{outcome="ready"\} 1/);
		expect(text).toMatch(/barnum_webhook_signature_failures_total\{endpoint="\/api\/webhook",reason="missing_header"\} 1/);
		expect(text).toMatch(/barnum_webhook_requests_total\{action="unknown",status="401"\} 1/);
		expect(text).toMatch(/barnum_http_request_duration_seconds_bucket\{le="\+Inf",route="\/api\/action",method="GET",status="200"\} 1/);
		expect(text).toContain('barnum_process_resident_memory_bytes');
	} finally {
		await server.stop();
	}
});

test('/metrics: outbox processing time and deliveries over the last five minutes, by type', async () => {
	const { server } = await serve();
	try {
		// Ten events delivered 1..10 s after they were due (a later schedule counts from then), one
		// delivered an hour ago and one still pending: only the ten are in the window.
		await db.admin.query(
			`INSERT INTO whatsapp_events (event_type, entity_type, entity_id, status, created_at, scheduled_for, processed_at)
			 SELECT 'metrics.window', 'custom', gen_random_uuid(), 'sent', now() - interval '1 minute' - s * interval '1 second',
			        now() - interval '1 minute' - s * interval '1 second' + CASE WHEN s % 2 = 0 THEN interval '0' ELSE interval '0.5 second' END,
			        now() - interval '1 minute' + CASE WHEN s % 2 = 0 THEN interval '0' ELSE interval '0.5 second' END
			   FROM generate_series(1, 10) AS s`,
		);
		await db.admin.query(
			`INSERT INTO whatsapp_events (event_type, entity_type, entity_id, status, created_at, scheduled_for, processed_at)
			 VALUES ('metrics.window', 'custom', gen_random_uuid(), 'sent', now() - interval '2 hours', now() - interval '2 hours', now() - interval '1 hour'),
			        ('metrics.window', 'custom', gen_random_uuid(), 'pending', now(), now(), NULL)`,
		);
		const text = await (await fetch(`${server.url}/metrics`)).text();
		expect(text).toMatch(/barnum_outbox_delivered_last_5m\{event_type="metrics.window"\} 10\n/);
		expect(text).toMatch(/barnum_outbox_processing_seconds\{event_type="metrics.window",quantile="0.5"\} 5.5\n/);
		expect(text).toMatch(/barnum_outbox_processing_seconds\{event_type="metrics.window",quantile="0.9"\} 9.1\n/);
		const p99 = Number(/barnum_outbox_processing_seconds\{event_type="metrics.window",quantile="0.99"\} ([\d.]+)/.exec(text)?.[1]);
		expect(p99).toBeCloseTo(9.91, 5);
	} finally {
		await server.stop();
	}
});

test('logs are JSON lines with request ids; tokens in URLs and phone numbers are masked', async () => {
	const { server, lines } = await serve();
	try {
		const id = await insertAppointment(db.app, clinic);
		const token = await linkToken(db, id, 'cancel');
		const res = await fetch(`${server.url}/api/action?type=cancel&token=${token}`, { headers: { 'x-request-id': 'req-from-proxy-1' } });
		expect(res.headers.get('x-request-id')).toBe('req-from-proxy-1');
		const generated = await fetch(`${server.url}/healthz`);
		expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
		const logger = createLogger('info', new Writable({ write: (c, _e, d) => (lines.push(JSON.parse(String(c))), d()) }));
		logger.info({ patient: { name: 'João', phone: '+351912345678' } }, 'sent');
		const all = JSON.stringify(lines);
		expect(all).not.toContain(token);
		expect(all).toContain('token=[redacted]');
		expect(all).toContain('"id":"req-from-proxy-1"');
		expect(all).not.toContain('+351912345678');
		expect(all).toContain('+351*****5678');
	} finally {
		await server.stop();
	}
});

test('/readyz says only "database unavailable" when the database is down; the detail goes to the log', async () => {
	const { server, lines } = await serve();
	const database = `"${db.name}"`;
	try {
		expect(await (await fetch(`${server.url}/readyz`)).json()).toMatchObject({ status: 'ready' });
		// The server's login can no longer connect (the owner still can), and its open connections go.
		await db.admin.query(`ALTER DATABASE ${database} CONNECTION LIMIT 0`);
		await db.admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'barnum-server'");
		const res = await fetch(`${server.url}/readyz`);
		expect(res.status).toBe(503);
		const text = await res.text();
		expect(JSON.parse(text)).toEqual({ status: 'not_ready', reason: 'database unavailable' });
		expect(text).not.toContain(db.name);
		// A page asked for meanwhile fails as a page: Express's error answer, with the pages' headers.
		const page = await fetch(`${server.url}/api/action?type=confirm&token=${'x'.repeat(32)}`, { headers: { 'x-request-id': 'req-db-down', 'accept-language': 'en-GB,en;q=0.8' } });
		expect(page.status).toBe(500);
		expect(page.headers.get('cache-control')).toBe('no-store');
		expect(page.headers.get('x-request-id')).toBe('req-db-down');
		expect(lines.find((line) => (line.req as { id?: string } | undefined)?.id === 'req-db-down')).toMatchObject({ level: 50, res: { statusCode: 500 } });
		// The patient reads that nothing happened, in their language; the cause is in the log only.
		const failure = await page.text();
		expect(failure).toContain('<html lang="en">');
		expect(failure).toContain('This page could not be opened');
		expect(failure).not.toMatch(/\bat \w|Error|ECONN|connect|password|too many/i);
		expect(lines.find((line) => line.msg === 'request failed' && line.reqId === 'req-db-down')).toMatchObject({ level: 50, status: 500, err: { message: expect.any(String) } });
		// Other routes answer JSON that names the kind of failure and nothing of its cause.
		const metrics = await fetch(`${server.url}/metrics`);
		expect(metrics.status).toBe(500);
		expect(await metrics.json()).toEqual({ success: false, error: 'internal_error', message: 'Something went wrong on our side; retry later' });
		const logged = lines.find((line) => line.msg === 'readiness check failed: database unavailable');
		expect(logged).toMatchObject({ level: 50, err: { message: expect.any(String) } });
		// Usually the refused connection's own words; a connection caught mid-termination says so instead.
		expect((logged!.err as { message: string }).message).toMatch(/too many connections for database|terminat/i);
	} finally {
		await db.admin.query(`ALTER DATABASE ${database} CONNECTION LIMIT -1`);
		await server.stop();
	}
});

test('per-IP rate limit answers 429 with Retry-After', async () => {
	const { server } = await serve({ RATE_LIMIT_ACTION_PER_MINUTE: '3' });
	try {
		const statuses: number[] = [];
		for (let i = 0; i < 4; i++) statuses.push((await fetch(`${server.url}/api/action?type=confirm&token=${'x'.repeat(32)}`)).status);
		expect(statuses).toEqual([404, 404, 404, 429]);
		const limited = await fetch(`${server.url}/api/action?type=confirm&token=x`);
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(limited.headers.get('ratelimit-policy')).toBeTruthy();
		// Still a patient page: not cached, not indexed, no scripts, and traceable in the log.
		expect(limited.headers.get('cache-control')).toBe('no-store');
		expect(limited.headers.get('content-security-policy')).toContain("default-src 'none'");
		expect(limited.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
	} finally {
		await server.stop();
	}
});

test('the webhook IP allowlist, with the client address taken from a trusted proxy', async () => {
	const direct = await serve({ WEBHOOK_IP_ALLOWLIST: '10.0.0.0/8' });
	try {
		const res = await fetch(`${direct.server.url}/api/webhook`, { method: 'POST', body: '{}', headers: { 'x-forwarded-for': '10.1.2.3' } });
		expect(res.status).toBe(403); // the header is ignored without TRUST_PROXY: the peer is 127.0.0.1
	} finally {
		await direct.server.stop();
	}
	const proxied = await serve({ WEBHOOK_IP_ALLOWLIST: '10.0.0.0/8', TRUST_PROXY: 'loopback' });
	try {
		const allowed = await fetch(`${proxied.server.url}/api/webhook`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.1.2.3' } });
		expect(allowed.status).toBe(401); // through the allowlist, stopped by the signature check
		const denied = await fetch(`${proxied.server.url}/api/webhook`, { method: 'POST', body: '{}', headers: { 'x-forwarded-for': '192.168.1.9' } });
		expect(denied.status).toBe(403);
	} finally {
		await proxied.server.stop();
	}
	expect(() => loadConfig({ WEBHOOK_IP_ALLOWLIST: '10.0.0.0/33' })).toThrow(/WEBHOOK_IP_ALLOWLIST: must be IP addresses or CIDR ranges/);
});

test('graceful shutdown: a request in flight completes, new connections are refused', async () => {
	const { server } = await serve();
	const url = new URL(`${server.url}/api/webhook`);
	const response = new Promise<number>((resolve, reject) => {
		const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': 2 } }, (res) => {
			res.resume();
			resolve(res.statusCode ?? 0);
		});
		req.on('error', reject);
		req.write('{');
		setTimeout(() => req.end('}'), 300);
	});
	await new Promise((r) => setTimeout(r, 100));
	const stopping = server.stop();
	expect(await response).toBe(401);
	await stopping;
	await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
});

test('graceful shutdown does not wait forever: a request still in flight after SHUTDOWN_GRACE_SECONDS is cut', async () => {
	const { server, lines } = await serve({ SHUTDOWN_GRACE_SECONDS: '1' });
	const url = new URL(`${server.url}/api/webhook`);
	// A client that sends half its body and then nothing: without the grace period stop() never returns.
	const cut = new Promise<string>((resolve) => {
		const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': 2 } }, () => resolve('answered'));
		req.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? error.message));
		req.write('{');
	});
	await new Promise((r) => setTimeout(r, 100));
	await server.stop();
	expect(await cut).toMatch(/ECONNRESET|socket hang up/);
	expect(lines.some((line) => line.msg === 'requests still in flight after the shutdown grace period: closing their connections')).toBe(true);
	await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
});

test('tokens:purge removes only tokens expired longer ago than asked', async () => {
	const id = await insertAppointment(db.app, clinic);
	const { old, recent, live } = await linksOfThreeAges(db, id);
	expect(await purgeExpiredTokens(db.app, 30)).toBe(1);
	const left = await db.app.query('SELECT count(*)::int AS n FROM whatsapp_action_tokens WHERE token_hash = ANY(ARRAY[barnum_token_hash($1), barnum_token_hash($2), barnum_token_hash($3)])', [old, recent, live]);
	expect(left.rows[0].n).toBe(2);
	await expect(purgeExpiredTokens(db.app, -1)).rejects.toThrow('must be a whole number of days');
});
