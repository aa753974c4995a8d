import type { RunningSandbox, StartOptions } from '../../sandbox';
import {
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

const HOUR = 60 * 60 * 1000;
let receiver: Receiver;
let sandbox: RunningSandbox | undefined;
let clock: number;

beforeAll(async () => {
	receiver = await startReceiver();
});
beforeEach(() => {
	clock = Date.parse('2026-07-01T09:00:00Z');
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
	sandbox = await startTestSandbox({ webhookUrl: receiver.url, statusDelaysMs: [0, 0, 0], now: () => clock, ...options });
	return sandbox;
}

const reply = (running: RunningSandbox, body: unknown, phone = PATIENT_DIGITS) => control(running, 'POST', `/phones/${encodeURIComponent(phone)}/messages`, body);
const text = (body: string) => ({ messaging_product: 'whatsapp', recipient_type: 'individual', to: PATIENT, type: 'text', text: { preview_url: false, body } });

test('a text reply becomes a signed messages webhook shaped like Meta\'s', async () => {
	const running = await start();
	const response = await reply(running, { text: 'Olá, posso levar o meu filho?', name: 'Maria Silva' }, PATIENT);
	expect(response.status).toBe(201);
	const wamid = response.body.message.wamid;
	expect(wamid).toMatch(/^wamid\.[A-Za-z0-9+/]+=*$/);
	await running.controls.idle();

	expect(receiver.received).toHaveLength(1);
	expect(receiver.received[0].signed).toBe(true);
	expect(receiver.received[0].body).toEqual({
		object: 'whatsapp_business_account',
		entry: [
			{
				id: '100000000000002',
				changes: [
					{
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '351210000001', phone_number_id: '100000000000001' },
							contacts: [{ profile: { name: 'Maria Silva' }, wa_id: PATIENT_DIGITS }],
							messages: [{ from: PATIENT_DIGITS, id: wamid, timestamp: String(clock / 1000), type: 'text', text: { body: 'Olá, posso levar o meu filho?' } }],
						},
						field: 'messages',
					},
				],
			},
		],
	});
});

test('a quick-reply tap is a button message with the template\'s wamid as context', async () => {
	const running = await start();
	const sent = await sendMessage(running, confirmationTemplate());
	const templateWamid = sent.body.messages[0].id;
	await running.controls.idle();
	receiver.clear();

	const byPayload = await reply(running, { button: { payload: 'confirm:appt-1' } });
	expect(byPayload.status).toBe(201);
	const byText = await reply(running, { button: { text: 'Cancelar' }, context: templateWamid });
	expect(byText.status).toBe(201);
	await running.controls.idle();

	const messages = receiver.messages().map((m) => m.message);
	expect(messages).toEqual([
		{
			context: { from: '351210000001', id: templateWamid },
			from: PATIENT_DIGITS,
			id: byPayload.body.message.wamid,
			timestamp: expect.stringMatching(/^\d+$/),
			type: 'button',
			button: { payload: 'confirm:appt-1', text: 'Confirmar' },
		},
		expect.objectContaining({ type: 'button', button: { payload: 'cancel:appt-1', text: 'Cancelar' }, context: { from: '351210000001', id: templateWamid } }),
	]);
	expect(receiver.received.every((r) => r.signed)).toBe(true);
	expect(receiver.messages()[0].value.contacts).toEqual([{ profile: { name: 'WhatsApp user 5678' }, wa_id: PATIENT_DIGITS }]);
});

test('a tap needs a delivered message with that button', async () => {
	const running = await start({ statusDelaysMs: [1000, 2000, 3000] });
	await sendMessage(running, confirmationTemplate());
	const early = await reply(running, { button: { payload: 'confirm:appt-1' } });
	expect(early.status).toBe(400);
	expect(early.body.error).toMatch(/no message delivered to this phone/);
	running.controls.reset();
	await running.stop();

	const settled = await start();
	await sendMessage(settled, confirmationTemplate());
	await settled.controls.idle();
	expect((await reply(settled, { button: { payload: 'nope' } })).status).toBe(400);
	expect((await reply(settled, { button: {} })).status).toBe(400);
	expect((await reply(settled, { button: { text: 'Confirmar' }, context: 'wamid.other' })).status).toBe(400);
	expect((await reply(settled, { text: '' })).status).toBe(400);
	expect((await reply(settled, { text: 'hi' }, 'not-a-phone')).status).toBe(400);
});

describe('the 24-hour customer service window', () => {
	test('free text before the customer ever wrote: Meta\'s way, a 200 then a failed status with 131047', async () => {
		const running = await start();
		const response = await sendMessage(running, text('Olá!'));
		expect(response.status).toBe(200);
		expect(response.body.messages).toEqual([{ id: expect.any(String) }]);
		await running.controls.idle();
		expect(receiver.statuses()).toEqual([
			expect.objectContaining({
				id: response.body.messages[0].id,
				status: 'failed',
				errors: [
					{
						code: 131047,
						title: 'Re-engagement message',
						message: 'Re-engagement message',
						error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
						href: expect.any(String),
					},
				],
			}),
		]);
	});

	test('with reengagement: sync, the send itself is refused with 131047', async () => {
		const running = await start({ reengagement: 'sync' });
		const response = await sendMessage(running, text('Olá!'));
		expect(response.status).toBe(400);
		expect(response.body.error).toMatchObject({ code: 131047, message: '(#131047) Re-engagement message' });
	});

	test('open for 24 hours after the customer\'s last message, then closed again', async () => {
		const running = await start({ reengagement: 'sync' });
		await reply(running, { text: 'Bom dia' });
		clock += 23 * HOUR;
		const inside = await sendMessage(running, text('Claro, até já!'));
		expect(inside.status).toBe(200);
		await running.controls.idle();
		const statuses = receiver.statuses();
		expect(statuses.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
		expect(statuses[0].pricing).toEqual({ billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' });

		clock += HOUR;
		expect((await sendMessage(running, text('Ainda aí?'))).body.error.code).toBe(131047);
		// A quick-reply tap is a customer message too: it reopens the window.
		await sendMessage(running, confirmationTemplate());
		await running.controls.idle();
		await reply(running, { button: { text: 'Confirmar' } });
		expect((await sendMessage(running, text('Obrigado!'))).status).toBe(200);
	});
});

test('the business marks an inbound message as read', async () => {
	const running = await start();
	const inbound = await reply(running, { text: 'Olá' });
	const wamid = inbound.body.message.wamid;
	const marked = await sendMessage(running, { messaging_product: 'whatsapp', status: 'read', message_id: wamid });
	expect(marked.status).toBe(200);
	expect(marked.body).toEqual({ success: true });
	expect(running.state.inbound.get(wamid)?.readByBusiness).toBe(true);
	const unknown = await sendMessage(running, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.nope' });
	expect(unknown.status).toBe(400);
	expect(unknown.body.error.code).toBe(100);
});

test('with autoRead off, replying reads what the business sent, as opening the chat does', async () => {
	const running = await start({ autoRead: false });
	const sent = await sendMessage(running, confirmationTemplate());
	await running.controls.idle();
	expect(receiver.statuses().map((s) => s.status)).toEqual(['sent', 'delivered']);
	await reply(running, { button: { payload: 'confirm:appt-1' } });
	await running.controls.idle();
	expect(receiver.statuses().map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
	expect(running.state.outbound.get(sent.body.messages[0].id)?.status).toBe('read');
});

test('the phone page\'s forms post replies and come back to the page', async () => {
	const running = await start();
	const response = await fetch(`${running.url}/_sandbox/phones/${PATIENT_DIGITS}/messages`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ text: 'Pelo formulário' }),
		redirect: 'manual',
	});
	expect(response.status).toBe(303);
	expect(response.headers.get('location')).toBe(`/_sandbox/phones/${PATIENT_DIGITS}`);
	await waitFor(() => receiver.messages().length === 1);
	expect(receiver.messages()[0].message).toMatchObject({ type: 'text', text: { body: 'Pelo formulário' } });

	const refused = await fetch(`${running.url}/_sandbox/phones/${PATIENT_DIGITS}/messages`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ button_payload: 'nothing-like-it' }),
		redirect: 'manual',
	});
	expect(refused.status).toBe(303);
	expect(refused.headers.get('location')).toMatch(/\?error=/);
});
