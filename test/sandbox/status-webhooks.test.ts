import { verifyWebhook } from '../../core/signatures';
import type { RunningSandbox, StartOptions } from '../../sandbox';
import {
	APP_SECRET,
	PATIENT,
	PATIENT_DIGITS,
	confirmationTemplate,
	control,
	sendMessage,
	startReceiver,
	startTestSandbox,
	waitFor,
	type Receiver,
} from './helpers';

let receiver: Receiver;
let sandbox: RunningSandbox | undefined;

beforeAll(async () => {
	receiver = await startReceiver();
});
afterEach(async () => {
	// Let what is in flight land before stopping, so no test sees the previous one's webhooks.
	await sandbox?.controls.idle();
	await sandbox?.stop();
	sandbox = undefined;
	receiver.clear();
});
afterAll(() => receiver.close());

async function start(options: Partial<StartOptions> = {}): Promise<RunningSandbox> {
	sandbox = await startTestSandbox({ webhookUrl: receiver.url, ...options });
	return sandbox;
}

async function sendConfirmation(running: RunningSandbox, extra: Record<string, unknown> = {}): Promise<string> {
	const response = await sendMessage(running, { ...confirmationTemplate(), ...extra });
	expect(response.status).toBe(200);
	return response.body.messages[0].id as string;
}

test('sent, delivered and read arrive in order, signed, in Meta\'s shape', async () => {
	const running = await start();
	const wamid = await sendConfirmation(running);
	await running.controls.idle();

	expect(receiver.statuses().map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
	for (const webhook of receiver.received) {
		expect(webhook.signed).toBe(true);
		expect(webhook.headers['x-hub-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
		expect(webhook.headers['content-type']).toBe('application/json');
		expect(webhook.headers['user-agent']).toBe('facebookexternalua');
	}
	const [sent, delivered, read] = receiver.received.map((r) => r.body);
	expect(sent).toEqual({
		object: 'whatsapp_business_account',
		entry: [
			{
				id: '100000000000002',
				changes: [
					{
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '351210000001', phone_number_id: '100000000000001' },
							statuses: [
								{
									id: wamid,
									status: 'sent',
									timestamp: expect.stringMatching(/^\d{10}$/),
									recipient_id: PATIENT_DIGITS,
									conversation: { id: expect.stringMatching(/^[0-9a-f]{32}$/), expiration_timestamp: expect.stringMatching(/^\d{10}$/), origin: { type: 'utility' } },
									pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' },
								},
							],
						},
						field: 'messages',
					},
				],
			},
		],
	});
	const deliveredStatus = delivered.entry[0].changes[0].value.statuses[0];
	expect(deliveredStatus).toMatchObject({ id: wamid, status: 'delivered', conversation: { origin: { type: 'utility' } } });
	expect(deliveredStatus.conversation.expiration_timestamp).toBeUndefined();
	expect(deliveredStatus.conversation.id).toBe(sent.entry[0].changes[0].value.statuses[0].conversation.id);
	expect(read.entry[0].changes[0].value.statuses[0]).toEqual({ id: wamid, status: 'read', timestamp: expect.any(String), recipient_id: PATIENT_DIGITS });

	const listed = await control(running, 'GET', '/messages');
	expect(listed.body.messages).toEqual([
		expect.objectContaining({ wamid, to: PATIENT, status: 'read', payload: confirmationTemplate(), statuses: [expect.objectContaining({ status: 'sent' }), expect.objectContaining({ status: 'delivered' }), expect.objectContaining({ status: 'read' })] }),
	]);
});

test('the signature covers the exact bytes with the app secret, and nothing else verifies', async () => {
	const running = await start();
	await sendConfirmation(running);
	await waitFor(() => receiver.received.length >= 1);
	const [first] = receiver.received;
	expect(verifyWebhook('meta', { headers: first.headers, rawBody: first.rawBody, secrets: APP_SECRET }).ok).toBe(true);
	expect(verifyWebhook('meta', { headers: first.headers, rawBody: first.rawBody, secrets: 'another-secret' }).ok).toBe(false);
	const tampered = Buffer.from(first.rawBody.toString('utf8').replace('"sent"', '"read"'));
	expect(verifyWebhook('meta', { headers: first.headers, rawBody: tampered, secrets: APP_SECRET }).ok).toBe(false);
});

test('statusOrder reversed: read, delivered, sent — and the message stays read', async () => {
	const running = await start({ statusOrder: 'reversed' });
	const wamid = await sendConfirmation(running);
	await running.controls.idle();
	expect(receiver.statuses().map((s) => s.status)).toEqual(['read', 'delivered', 'sent']);
	expect(running.state.outbound.get(wamid)?.status).toBe('read');
});

test('autoRead off: the message stops at delivered until the phone opens the chat', async () => {
	const running = await start({ autoRead: false });
	const wamid = await sendConfirmation(running);
	await running.controls.idle();
	expect(receiver.statuses().map((s) => s.status)).toEqual(['sent', 'delivered']);
	expect(running.state.outbound.get(wamid)?.status).toBe('delivered');

	const opened = await control(running, 'POST', `/phones/${PATIENT_DIGITS}/read`);
	expect(opened.body).toEqual({ marked: 1 });
	await running.controls.idle();
	expect(receiver.statuses().map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
	expect(running.state.outbound.get(wamid)?.status).toBe('read');
});

test('a receiver that fails is retried with the same signed bytes, and order is kept', async () => {
	const running = await start();
	receiver.answerNext(500, 503);
	await sendConfirmation(running);
	await running.controls.idle();

	const sentAttempts = receiver.received.filter((r) => r.body.entry[0].changes[0].value.statuses[0].status === 'sent');
	expect(sentAttempts).toHaveLength(3);
	expect(new Set(sentAttempts.map((r) => r.rawBody.toString('base64'))).size).toBe(1);
	expect(new Set(sentAttempts.map((r) => r.headers['x-hub-signature-256'])).size).toBe(1);
	expect(receiver.statuses().map((s) => s.status)).toEqual(['sent', 'sent', 'sent', 'delivered', 'read']);

	const log = await control(running, 'GET', '/webhooks');
	expect(log.body.deliveries[0]).toMatchObject({ kind: 'status', status: 'sent', outcome: 'delivered', attempts: [{ status: 500 }, { status: 503 }, { status: 200 }] });
});

test('a receiver that never accepts: the sandbox gives up after its retries and carries on', async () => {
	const running = await start();
	receiver.answerNext(500, 500, 500);
	await sendConfirmation(running);
	await running.controls.idle();
	const log = running.state.webhooks;
	expect(log.map((d) => [d.status, d.outcome, d.attempts.length])).toEqual([
		['sent', 'failed', 3],
		['delivered', 'delivered', 1],
		['read', 'delivered', 1],
	]);
});

test('biz_opaque_callback_data comes back in every status', async () => {
	const running = await start();
	await sendConfirmation(running, { biz_opaque_callback_data: 'event:42' });
	await running.controls.idle();
	expect(receiver.statuses().map((s) => s.biz_opaque_callback_data)).toEqual(['event:42', 'event:42', 'event:42']);
});

test('marketing templates are priced as marketing; from Graph v24.0 there is no conversation object', async () => {
	const running = await start({ graphVersion: 'v24.0' });
	const response = await sendMessage(running, {
		messaging_product: 'whatsapp',
		to: PATIENT,
		type: 'template',
		template: {
			name: 'barnum_reactivation',
			language: { code: 'en' },
			components: [{ type: 'body', parameters: [{ type: 'text', text: 'Maria' }, { type: 'text', text: 'Sorriso Clinic' }, { type: 'text', text: '8' }] }],
		},
	}, { version: 'v24.0' });
	expect(response.status).toBe(200);
	await running.controls.idle();
	const [sent] = receiver.statuses();
	expect(sent.pricing).toEqual({ billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' });
	expect(sent.conversation).toBeUndefined();
});

test('without a webhook URL statuses still progress; the URL can be set while running', async () => {
	const running = await start({ webhookUrl: undefined });
	const first = await sendConfirmation(running);
	await running.controls.idle();
	expect(running.state.outbound.get(first)?.status).toBe('read');
	expect(running.state.webhooks.map((d) => d.outcome)).toEqual(['no-webhook-url', 'no-webhook-url', 'no-webhook-url']);
	expect(receiver.received).toHaveLength(0);

	const configured = await control(running, 'PUT', '/config', { webhookUrl: receiver.url, statusDelaysMs: [0, 0, 0] });
	expect(configured.status).toBe(200);
	await sendConfirmation(running);
	await running.controls.idle();
	expect(receiver.statuses().map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
	expect((await control(running, 'PUT', '/config', { webhookUrl: 'not a url' })).status).toBe(400);
});

test('reset cancels pending webhooks and forgets everything', async () => {
	const running = await start({ statusDelaysMs: [200, 400, 600] });
	await sendConfirmation(running);
	expect((await control(running, 'POST', '/reset')).status).toBe(204);
	await running.controls.idle();
	expect(receiver.received).toHaveLength(0);
	expect((await control(running, 'GET', '/messages')).body).toEqual({ messages: [] });
});

test('reset also stops a delivery that is between retries', async () => {
	const running = await start({ webhookRetryDelaysMs: [1000, 1000] });
	receiver.answerNext(500, 500, 500);
	await sendConfirmation(running);
	await waitFor(() => receiver.received.length === 1);
	running.controls.reset();
	const started = Date.now();
	await running.controls.idle();
	// The cancelled wait ends at once instead of after its 1 s, and nothing follows it.
	expect(Date.now() - started).toBeLessThan(900);
	await new Promise((resolve) => setTimeout(resolve, 100));
	expect(receiver.received).toHaveLength(1);
});
