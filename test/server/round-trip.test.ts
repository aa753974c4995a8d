import { randomBytes, randomUUID } from 'node:crypto';
import express from 'express';
import type { Server } from 'node:http';
import { secretKeys } from '../../core/signatures/secret-list';
import { deliveryHeaders } from '../../server/dispatcher/push-delivery';
import type { RunningServer } from '../../server/serve';
import { startWebhookHarness, type WebhookHarness } from '../nodes/webhook-harness';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { serveTestDatabase } from '../helpers/server';

/**
 * Every signed hop Barnum makes, end to end over real HTTP: the push dispatcher into the Barnum
 * Webhook Trigger (the node's code running in n8n's webhook plumbing, test/nodes/webhook-harness),
 * and a dispatcher-signed callback into /api/webhook.
 */
const secret = `whsec_${randomBytes(24).toString('base64')}`;
let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;
let harness: WebhookHarness;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query("UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL, reminder_offsets = '{}'");
	clinic = await seedClinic(db.app);
	harness = await startWebhookHarness();
});
afterAll(async () => {
	await harness.close();
	await db.drop();
});

async function dispatchVia(url: string, work: (server: RunningServer) => Promise<void>) {
	const server = await serveTestDatabase(db, {
		WEBHOOK_SECRET: secret,
		INTERNAL_API_SECRET: 'internal-secret-for-round-trips',
		N8N_WEBHOOK_BASE_URL: url,
		PUSH_DISPATCHER: 'off',
	});
	try {
		await work(server);
	} finally {
		await server.stop();
	}
}

const runDispatcher = (server: RunningServer) =>
	fetch(`${server.url}/api/internal`, { method: 'POST', headers: { authorization: 'Bearer internal-secret-for-round-trips' } }).then((r) => r.json());

const preConfirmation = async (appointmentId: string) =>
	(await db.app.query("SELECT * FROM whatsapp_events WHERE entity_id = $1 AND event_type = 'appointment.pre_confirmed'", [appointmentId])).rows[0];

test('dispatcher → Barnum Webhook Trigger: verified, one execution, and a redelivery of the same event starts nothing', async () => {
	const url = harness.register({
		parameters: { profile: 'standard-webhooks', deduplicate: true, useDatabase: true },
		credentials: { barnumWebhookSecretApi: { secrets: secret }, barnumPostgresApi: { connectionString: db.appUrl } },
	});
	await dispatchVia(url, async (server) => {
		const appointmentId = await insertAppointment(db.app, clinic);
		expect(await runDispatcher(server)).toMatchObject({ processed: 1, failed: 0 });
		const event = await preConfirmation(appointmentId);
		const [execution] = harness.executionsOf(url);
		expect(execution.items[0].json).toMatchObject({
			body: { event_id: event.id, appointment: { id: appointmentId }, action_links: { confirm: expect.any(String) } },
			verification: { scheme: 'standard-webhooks', deliveryId: event.id },
		});
		// The 200 got lost: the event is delivered again, with the same webhook-id.
		await db.admin.query("UPDATE whatsapp_events SET status = 'pending', scheduled_for = now() WHERE id = $1", [event.id]);
		expect(await runDispatcher(server)).toMatchObject({ processed: 1, failed: 0 });
		expect(harness.executionsOf(url)).toHaveLength(1);
		expect((await preConfirmation(appointmentId)).status).toBe('sent');
	});
});

test('dispatcher → a trigger on the seed\'s X-Webhook-Signature profile is verified too', async () => {
	const url = harness.register({ parameters: { profile: 'barnum-legacy' }, credentials: { barnumWebhookSecretApi: { secrets: secret } } });
	await dispatchVia(url, async (server) => {
		await insertAppointment(db.app, clinic);
		expect(await runDispatcher(server)).toMatchObject({ processed: 1 });
		expect(harness.executionsOf(url)[0].items[0].json).toMatchObject({ verification: { scheme: 'barnum-legacy' } });
	});
});

test('a captured delivery replayed after the tolerance window is refused by the trigger', async () => {
	const captured: Array<{ headers: Record<string, string>; body: Buffer }> = [];
	const capture = express();
	capture.post('/in', express.raw({ type: () => true }), (req, res) => {
		captured.push({ headers: req.headers as Record<string, string>, body: req.body as Buffer });
		res.status(200).end();
	});
	const server: Server = await new Promise((resolve) => {
		const s = capture.listen(0, '127.0.0.1', () => resolve(s));
	});
	try {
		const { port } = server.address() as { port: number };
		await dispatchVia(`http://127.0.0.1:${port}/in`, async (barnum) => {
			await insertAppointment(db.app, clinic);
			await runDispatcher(barnum);
		});
	} finally {
		server.close();
	}
	const url = harness.register({
		parameters: { profile: 'standard-webhooks', toleranceSeconds: 1, deduplicate: false },
		credentials: { barnumWebhookSecretApi: { secrets: secret } },
	});
	const replay = () =>
		fetch(url, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'webhook-id': captured[0].headers['webhook-id'],
				'webhook-timestamp': captured[0].headers['webhook-timestamp'],
				'webhook-signature': captured[0].headers['webhook-signature'],
			},
			body: captured[0].body,
		});
	expect((await replay()).status).toBe(200);
	await new Promise((r) => setTimeout(r, 2500));
	const late = await replay();
	expect(late.status).toBe(401);
	expect(harness.executionsOf(url)).toHaveLength(1);
});

test('a callback signed the way the dispatcher signs → /api/webhook: applied once, however often it arrives', async () => {
	const server = await serveTestDatabase(db, { WEBHOOK_SECRET: secret, WEBHOOK_SIGNATURE_SCHEMES: 'standard-webhooks' });
	try {
		const appointmentId = await insertAppointment(db.app, clinic);
		const body = JSON.stringify({ action: 'confirm', appointmentId, patientResponse: 'Sim' });
		const id = randomUUID();
		const send = () =>
			fetch(`${server.url}/api/webhook`, { method: 'POST', headers: deliveryHeaders(body, secretKeys(secret)[0], { id, eventType: 'callback' }), body });
		const first = await send();
		const second = await send();
		expect(first.status).toBe(200);
		expect(second.headers.get('idempotent-replayed')).toBe('true');
		expect(await second.json()).toEqual(await first.json());
		const { rows } = await db.app.query('SELECT status FROM appointments WHERE id = $1', [appointmentId]);
		expect(rows[0].status).toBe('confirmed');
	} finally {
		await server.stop();
	}
});
