import pino from 'pino';
import { loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/serve';
import { sign } from '../../core/signatures';
import { secretKeys } from '../../core/signatures/secret-list';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD_SECRET = 'an-old-plain-secret-still-valid';
let db: TestDatabase;
let server: RunningServer;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

beforeAll(async () => {
	db = await freshDatabase();
	clinic = await seedClinic(db.app);
	server = await startServer(
		loadConfig({
			PORT: '0',
			DATABASE_URL: db.appUrl,
			WEBHOOK_SECRET: `${SECRET} ${OLD_SECRET}`,
			WEBHOOK_SIGNATURE_SCHEMES: 'standard-webhooks,barnum-legacy',
			BODY_LIMIT_BYTES: '4096',
		}),
		pino({ level: 'silent' }),
	);
});
afterAll(async () => {
	await server.stop();
	await db.drop();
});

let counter = 0;
function signed(body: unknown, options: { secret?: string; timestamp?: number; id?: string; legacy?: boolean } = {}) {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	const key = secretKeys(options.secret ?? SECRET)[0];
	const headers = options.legacy
		? sign('barnum-legacy', {}, text, { secret: key })
		: sign('standard-webhooks', {}, text, { secret: key, id: options.id ?? `msg_test_${++counter}`, timestamp: options.timestamp });
	return { text, headers: { 'content-type': 'application/json', ...headers } };
}

async function post(body: unknown, options: Parameters<typeof signed>[1] & { headers?: Record<string, string> } = {}) {
	const { text, headers } = signed(body, options);
	const response = await fetch(`${server.url}/api/webhook`, { method: 'POST', headers: { ...headers, ...options.headers }, body: text });
	return { status: response.status, body: await response.json(), headers: response.headers };
}

const statusOf = async (id: string) => (await db.app.query('SELECT status, date::text, time::text FROM appointments WHERE id = $1', [id])).rows[0];

describe('the six actions, with the seed\'s response shape', () => {
	test('confirm', async () => {
		const id = await insertAppointment(db.app, clinic);
		const res = await post({ action: 'confirm', appointmentId: id, patientResponse: 'confirmed', timestamp: '2026-01-28T10:05:00Z' });
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ success: true, message: 'Action completed successfully', data: { outcome: 'changed', appointment: { status: 'confirmed' } } });
		expect((await statusOf(id)).status).toBe('confirmed');
	});

	test('cancel', async () => {
		const id = await insertAppointment(db.app, clinic);
		const res = await post({ action: 'cancel', appointmentId: id, reason: 'Patient request' });
		expect(res.status).toBe(200);
		expect((await statusOf(id)).status).toBe('cancelled');
	});

	test('reschedule', async () => {
		const id = await insertAppointment(db.app, clinic);
		const res = await post({ action: 'reschedule', appointmentId: id, newDate: '2031-02-15', newTime: '14:30' });
		expect(res.status).toBe(200);
		expect(await statusOf(id)).toEqual({ status: 'scheduled', date: '2031-02-15', time: '14:30:00' });
	});

	test('no_show_reschedule', async () => {
		const id = await insertAppointment(db.app, clinic);
		await db.app.query("UPDATE appointments SET status = 'no_show' WHERE id = $1", [id]);
		const res = await post({ action: 'no_show_reschedule', appointmentId: id, attempt: 1 });
		expect(res.status).toBe(200);
		expect(res.body.data.records[0]).toMatchObject({ workflow_type: 'reschedule_prompt', attempt: 1, status: 'completed' });
	});

	test('reactivation', async () => {
		const res = await post({ action: 'reactivation', patientId: clinic.patientId, workflowType: 'reactivation_30d' });
		expect(res.status).toBe(200);
		expect(res.body.data).toMatchObject({ workflow_type: 'reactivation_30d', patient_id: clinic.patientId });
	});

	test('review', async () => {
		const id = await insertAppointment(db.app, clinic);
		await db.app.query("UPDATE appointments SET status = 'completed' WHERE id = $1", [id]);
		const res = await post({ action: 'review', appointmentId: id, reviewSubmitted: true, rating: 5 });
		expect(res.status).toBe(200);
		expect(res.body.data.records[0]).toMatchObject({ workflow_type: 'review_request', review_submitted: true, rating: 5 });
	});
});

describe('errors', () => {
	test('400 names every bad field', async () => {
		const res = await post({ action: 'review', appointmentId: 'abc', rating: 9 });
		expect(res.status).toBe(400);
		expect(res.body).toEqual({ success: false, error: 'invalid_input', message: 'appointmentId: must be a UUID; rating: must be from 1 to 5' });
		const unknown = await post({ action: 'delete_everything' });
		expect(unknown.status).toBe(400);
		expect(unknown.body.message).toMatch(/action must be one of confirm, cancel, reschedule/);
		const notJson = await post('{"action": "confirm",');
		expect(notJson.body).toEqual({ success: false, error: 'invalid_json', message: 'The body is not valid JSON' });
	});

	test('401 for a missing, forged or stale signature — and nothing changes', async () => {
		const id = await insertAppointment(db.app, clinic);
		const body = JSON.stringify({ action: 'cancel', appointmentId: id });
		const unsigned = await fetch(`${server.url}/api/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
		expect(unsigned.status).toBe(401);
		const forged = await post({ action: 'cancel', appointmentId: id }, { secret: 'whsec_' + Buffer.from('attacker-secret-32-bytes-long!!!').toString('base64') });
		expect(forged.status).toBe(401);
		expect(forged.body).toMatchObject({ success: false, error: 'invalid_signature' });
		const stale = await post({ action: 'cancel', appointmentId: id }, { timestamp: Math.floor(Date.now() / 1000) - 600 });
		expect(stale.status).toBe(401);
		expect(stale.body.message).toMatch(/^timestamp is 60\d s old; at most 300 s is accepted$/);
		expect((await statusOf(id)).status).toBe('scheduled');
	});

	test('the body is verified as received: re-serialising it (key order, spacing, emoji) breaks the signature', async () => {
		const id = await insertAppointment(db.app, clinic);
		const original = `{"appointmentId":"${id}",  "action":"confirm", "patientResponse":"Sim, obrigado 😀 — João"}`;
		const ok = await post(original);
		expect(ok.status).toBe(200);
		const { headers } = signed(original);
		const reserialised = JSON.stringify(JSON.parse(original));
		const res = await fetch(`${server.url}/api/webhook`, { method: 'POST', headers, body: reserialised });
		expect(res.status).toBe(401);
	});

	test('the seed\'s X-Webhook-Signature is accepted when configured, with either rotated secret', async () => {
		const id = await insertAppointment(db.app, clinic);
		const res = await post({ action: 'confirm', appointmentId: id }, { legacy: true, secret: OLD_SECRET });
		expect(res.status).toBe(200);
	});

	test('404 for an unknown appointment, 409 for an illegal transition', async () => {
		const missing = await post({ action: 'confirm', appointmentId: '00000000-0000-4000-8000-000000000000' });
		expect(missing.status).toBe(404);
		expect(missing.body).toMatchObject({ success: false, error: 'not_found' });
		const id = await insertAppointment(db.app, clinic, { status: 'cancelled' });
		const illegal = await post({ action: 'confirm', appointmentId: id });
		expect(illegal.status).toBe(409);
		expect(illegal.body).toEqual({ success: false, error: 'illegal_transition', message: `Cannot confirm appointment ${id}: it is cancelled` });
	});

	test('413 for a body over the limit', async () => {
		const res = await post({ action: 'confirm', appointmentId: clinic.patientId, patientResponse: 'x'.repeat(5000) });
		expect(res.status).toBe(413);
		expect(res.body).toMatchObject({ success: false, error: 'payload_too_large' });
	});
});

describe('idempotency', () => {
	test('a repeated delivery (same webhook-id) is applied once and gets the first answer', async () => {
		const id = await insertAppointment(db.app, clinic);
		await db.app.query("UPDATE appointments SET status = 'no_show' WHERE id = $1", [id]);
		const first = await post({ action: 'no_show_reschedule', appointmentId: id, attempt: 1, patientResponse: 'yes' }, { id: 'msg_repeat_1' });
		// The patient's answer is then changed by someone else; the retry must not overwrite it.
		await db.app.query("UPDATE whatsapp_workflows SET response = 'called back' WHERE appointment_id = $1 AND workflow_type = 'reschedule_prompt'", [id]);
		const again = await post({ action: 'no_show_reschedule', appointmentId: id, attempt: 1, patientResponse: 'yes' }, { id: 'msg_repeat_1' });
		expect(again.status).toBe(first.status);
		expect(again.body).toEqual(first.body);
		expect(again.headers.get('idempotent-replayed')).toBe('true');
		const record = await db.app.query("SELECT response FROM whatsapp_workflows WHERE appointment_id = $1 AND workflow_type = 'reschedule_prompt'", [id]);
		expect(record.rows[0].response).toBe('called back');
	});

	test('X-Idempotency-Key de-duplicates legacy-signed deliveries, which carry no id of their own', async () => {
		const id = await insertAppointment(db.app, clinic);
		const a = await post({ action: 'cancel', appointmentId: id, reason: 'first' }, { legacy: true, headers: { 'x-idempotency-key': 'evt-123' } });
		const b = await post({ action: 'cancel', appointmentId: id, reason: 'first' }, { legacy: true, headers: { 'x-idempotency-key': 'evt-123' } });
		expect(a.status).toBe(200);
		expect(b.body).toEqual(a.body);
		expect(b.headers.get('idempotent-replayed')).toBe('true');
	});
});

describe('per-IP limit', () => {
	test('over RATE_LIMIT_WEBHOOK_PER_MINUTE a client gets 429 with Retry-After, and even a validly signed request does nothing', async () => {
		const limited = await startServer(
			loadConfig({ PORT: '0', DATABASE_URL: db.appUrl, WEBHOOK_SECRET: SECRET, RATE_LIMIT_WEBHOOK_PER_MINUTE: '3' }),
			pino({ level: 'silent' }),
		);
		try {
			const id = await insertAppointment(db.app, clinic);
			const send = (body: unknown) => {
				const { text, headers } = signed(body);
				return fetch(`${limited.url}/api/webhook`, { method: 'POST', headers, body: text });
			};
			// Every request counts, whatever its answer: two refused, one applied.
			const unsigned = () => fetch(`${limited.url}/api/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
			expect((await unsigned()).status).toBe(401);
			expect((await unsigned()).status).toBe(401);
			expect((await send({ action: 'confirm', appointmentId: id })).status).toBe(200);

			const res = await send({ action: 'cancel', appointmentId: id, reason: 'over the limit' });
			expect(res.status).toBe(429);
			const retryAfter = Number(res.headers.get('retry-after'));
			expect(Number.isInteger(retryAfter)).toBe(true);
			expect(retryAfter).toBeGreaterThanOrEqual(1);
			expect(retryAfter).toBeLessThanOrEqual(60);
			expect(res.headers.get('ratelimit-policy')).toBe('"per-ip"; q=3; w=60');
			expect(await res.json()).toEqual({ success: false, error: 'rate_limited', message: `Too many requests; retry in ${retryAfter} s` });
			expect((await statusOf(id)).status).toBe('confirmed');

			// The limit is the webhook's own: the action pages keep their count.
			expect((await fetch(`${limited.url}/api/action?type=confirm&token=${'x'.repeat(32)}`)).status).toBe(404);
		} finally {
			await limited.stop();
		}
	});
});
