import express from 'express';
import type { Server } from 'node:http';
import pino from 'pino';
import { loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/serve';
import { verifyWebhook } from '../../core/signatures';
import { secretKeys } from '../../core/signatures/secret-list';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';

const SECRET = 'whsec_ZGlzcGF0Y2hlci10ZXN0LXNlY3JldC0zMmJ5dGVz';
const INTERNAL = 'internal-secret-for-tests-0123456789';

/** A stand-in n8n webhook: records every request, answers what the test scripts. */
function receiver() {
	const received: Array<{ headers: Record<string, string | string[] | undefined>; raw: Buffer; body: Record<string, unknown> }> = [];
	let answer: (n: number) => { status: number; headers?: Record<string, string>; delayMs?: number } = () => ({ status: 200 });
	const app = express();
	app.post('/webhook/whatsapp', express.raw({ type: () => true }), async (req, res) => {
		received.push({ headers: req.headers, raw: req.body as Buffer, body: JSON.parse((req.body as Buffer).toString('utf8')) });
		const reply = answer(received.length);
		if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
		res.status(reply.status).set(reply.headers ?? {}).json({ ok: reply.status < 300 });
	});
	let server: Server;
	return {
		received,
		script(fn: typeof answer) {
			answer = fn;
		},
		start: () =>
			new Promise<string>((resolve) => {
				server = app.listen(0, '127.0.0.1', () => {
					const address = server.address() as { port: number };
					resolve(`http://127.0.0.1:${address.port}/webhook/whatsapp`);
				});
			}),
		stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;
const n8n = receiver();
let url: string;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query("UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL, reminder_offsets = '{}'");
	clinic = await seedClinic(db.app);
	url = await n8n.start();
});
afterAll(async () => {
	await n8n.stop();
	await db.drop();
});
beforeEach(async () => {
	n8n.received.length = 0;
	n8n.script(() => ({ status: 200 }));
	await db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE status IN ('pending', 'processing')");
});

async function serve(env: Record<string, string> = {}): Promise<RunningServer> {
	return startServer(
		loadConfig({
			PORT: '0',
			DATABASE_URL: db.appUrl,
			WEBHOOK_SECRET: SECRET,
			INTERNAL_API_SECRET: INTERNAL,
			N8N_WEBHOOK_BASE_URL: url,
			PUSH_DISPATCHER: 'off',
			PUSH_TIMEOUT_MS: '500',
			...env,
		}),
		pino({ level: 'silent' }),
	);
}

async function internal(server: RunningServer, token = INTERNAL) {
	const res = await fetch(`${server.url}/api/internal`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
	return { status: res.status, body: await res.json() };
}

const eventFor = async (appointmentId: string) =>
	(await db.app.query("SELECT * FROM whatsapp_events WHERE entity_id = $1 AND event_type = 'appointment.pre_confirmed'", [appointmentId])).rows[0];

test('POST /api/internal delivers due events, signed both ways, and answers the seed\'s summary', async () => {
	const server = await serve();
	try {
		const id = await insertAppointment(db.app, clinic);
		const res = await internal(server);
		expect(res).toEqual({ status: 200, body: { success: true, processed: 1, failed: 0, errors: [] } });
		expect(n8n.received).toHaveLength(1);
		const [delivery] = n8n.received;
		const event = await eventFor(id);
		expect(event.status).toBe('sent');
		expect(delivery.body).toMatchObject({ event_id: event.id, event_type: 'appointment.pre_confirmed', appointment: { id } });
		expect(delivery.headers).toMatchObject({
			'x-event-id': event.id,
			'x-event-type': 'appointment.pre_confirmed',
			'x-idempotency-key': event.id,
			'webhook-id': event.id,
		});
		const keys = secretKeys(SECRET);
		expect(verifyWebhook('standard-webhooks', { headers: delivery.headers, rawBody: delivery.raw, secrets: keys })).toMatchObject({ ok: true, deliveryId: event.id });
		expect(verifyWebhook('barnum-legacy', { headers: delivery.headers, rawBody: delivery.raw, secrets: keys })).toMatchObject({ ok: true });
	} finally {
		await server.stop();
	}
});

test('a failed push retries later with the same idempotency key, then dead-letters with the seed\'s message', async () => {
	const server = await serve();
	try {
		n8n.script(() => ({ status: 500 }));
		const id = await insertAppointment(db.app, clinic);
		const first = await internal(server);
		expect(first.body).toMatchObject({ success: true, processed: 0, failed: 1 });
		expect(first.body.errors[0]).toMatch(/will be retried at .*HTTP 500/);
		let last = first;
		for (let attempt = 2; attempt <= 4; attempt++) {
			await db.admin.query('UPDATE whatsapp_events SET scheduled_for = now() WHERE id = $1', [(await eventFor(id)).id]);
			last = await internal(server);
		}
		expect(last.body.errors).toEqual([expect.stringMatching(/^Event [0-9a-f-]{36} moved to dead_letter after 3 retries: HTTP 500 from /)]);
		const event = await eventFor(id);
		expect(event).toMatchObject({ status: 'dead_letter', retry_count: 4, last_error: `HTTP 500 from ${url}` });
		expect(new Set(n8n.received.map((r) => r.headers['x-idempotency-key']))).toEqual(new Set([event.id]));
		expect(n8n.received).toHaveLength(4);
	} finally {
		await server.stop();
	}
});

test('429 honours Retry-After without spending a retry; a timeout is a transient failure', async () => {
	const server = await serve();
	try {
		n8n.script(() => ({ status: 429, headers: { 'retry-after': '120' } }));
		const throttled = await insertAppointment(db.app, clinic);
		await internal(server);
		const event = await eventFor(throttled);
		expect(event).toMatchObject({ status: 'pending', retry_count: 0 });
		expect(event.scheduled_for.getTime() - Date.now()).toBeGreaterThan(110_000);

		n8n.script(() => ({ status: 200, delayMs: 1500 }));
		const slow = await insertAppointment(db.app, clinic);
		const res = await internal(server);
		expect(res.body.errors[0]).toMatch(/no answer within 500 ms/);
		expect(await eventFor(slow)).toMatchObject({ status: 'pending', retry_count: 1 });
	} finally {
		await server.stop();
	}
});

test('410 Gone stops the dispatcher and hands the events back untouched', async () => {
	const server = await serve();
	try {
		n8n.script(() => ({ status: 410 }));
		const a = await insertAppointment(db.app, clinic);
		const res = await internal(server);
		expect(res.body.success).toBe(false);
		expect(res.body.errors.at(-1)).toMatch(/answered 410 Gone/);
		expect(await eventFor(a)).toMatchObject({ status: 'pending', retry_count: 0, locked_by: null });
		expect(server.dispatcher!.gone).toBe(true);
	} finally {
		await server.stop();
	}
});

/** barnum_push_deliveries_total by result, as /metrics shows it (0 when the series is absent). */
async function pushDeliveries(server: RunningServer): Promise<Record<string, number>> {
	const text = await (await fetch(`${server.url}/metrics`)).text();
	const count = (result: string) => Number(new RegExp(`^barnum_push_deliveries_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
	return { sent: count('sent'), failed: count('failed'), gone: count('gone') };
}

test('/metrics counts the dispatcher\'s deliveries by result: sent, failed, gone', async () => {
	const server = await serve();
	try {
		expect(await pushDeliveries(server)).toEqual({ sent: 0, failed: 0, gone: 0 });
		await insertAppointment(db.app, clinic);
		await insertAppointment(db.app, clinic);
		expect((await internal(server)).body).toMatchObject({ processed: 2, failed: 0 });
		expect(await pushDeliveries(server)).toEqual({ sent: 2, failed: 0, gone: 0 });

		n8n.script(() => ({ status: 500 }));
		await insertAppointment(db.app, clinic);
		expect((await internal(server)).body).toMatchObject({ processed: 0, failed: 1 });
		expect(await pushDeliveries(server)).toEqual({ sent: 2, failed: 1, gone: 0 });

		n8n.script(() => ({ status: 410 }));
		await insertAppointment(db.app, clinic);
		expect((await internal(server)).body).toMatchObject({ success: false });
		expect(await pushDeliveries(server)).toEqual({ sent: 2, failed: 1, gone: 1 });
	} finally {
		await server.stop();
	}
});

test('/api/internal needs the Bearer secret', async () => {
	const server = await serve();
	try {
		expect((await internal(server, 'wrong-secret-wrong-secret')).status).toBe(401);
		const none = await fetch(`${server.url}/api/internal`, { method: 'POST' });
		expect(none.status).toBe(401);
		expect(none.headers.get('www-authenticate')).toBe('Bearer');
	} finally {
		await server.stop();
	}
});

test('Vercel Cron\'s GET with CRON_SECRET as its Bearer delivers like the seed\'s POST; HEAD delivers nothing', async () => {
	const cron = 'cron-secret-for-tests-0123456789';
	const server = await serve({ CRON_SECRET: cron });
	try {
		const id = await insertAppointment(db.app, clinic);
		const head = await fetch(`${server.url}/api/internal`, { method: 'HEAD', headers: { authorization: `Bearer ${cron}` } });
		expect(head.status).toBe(405);
		expect((await eventFor(id)).status).toBe('pending');
		const wrong = await fetch(`${server.url}/api/internal`, { headers: { authorization: 'Bearer not-the-cron-secret-0123' } });
		expect(wrong.status).toBe(401);
		const res = await fetch(`${server.url}/api/internal`, { headers: { authorization: `Bearer ${cron}` } });
		expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { success: true, processed: 1, failed: 0, errors: [] } });
		expect((await eventFor(id)).status).toBe('sent');
		// INTERNAL_API_SECRET still works beside it, by GET as by POST.
		expect((await fetch(`${server.url}/api/internal`, { headers: { authorization: `Bearer ${INTERNAL}` } })).status).toBe(200);
		expect((await internal(server)).status).toBe(200);
	} finally {
		await server.stop();
	}
});

test('the continuous dispatcher pushes a new appointment\'s pre-confirmation within moments, no CRON', async () => {
	const server = await serve({ PUSH_DISPATCHER: 'on' });
	try {
		const id = await insertAppointment(db.app, clinic);
		const deadline = Date.now() + 10_000;
		while (n8n.received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
		expect(n8n.received.map((r) => (r.body.appointment as { id: string }).id)).toEqual([id]);
		while ((await eventFor(id)).status !== 'sent' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
		expect((await eventFor(id)).status).toBe('sent');
		// Counted just after the ack commits: wait for it rather than race it.
		while ((await pushDeliveries(server)).sent === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
		expect(await pushDeliveries(server)).toMatchObject({ sent: 1 });
	} finally {
		await server.stop();
	}
});
