import { startSandbox, type RunningSandbox } from '../../sandbox/start';
import { claimEvents, getEvent } from '../../core/outbox/operations';
import { deliverTemplate } from '../../core/whatsapp/delivery';
import { recordDeliveryStatus, statusesFromWebhook } from '../../core/whatsapp/statuses';
import { interpretReply, processInboundWebhook } from '../../core/whatsapp/inbound';
import { directSender } from '../helpers/whatsapp-sender';
import type { WhatsAppSender } from '../../core/whatsapp/types';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';

/** The WhatsApp side of the domain against the sandbox, which validates and answers like Meta. */
let db: TestDatabase;
let sandbox: RunningSandbox;
let config: WhatsAppSender;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query("UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL, reminder_offsets = '{}'");
	clinic = await seedClinic(db.app);
	sandbox = await startSandbox({ accessToken: 'sandbox-token', appSecret: 'sandbox-app-secret', statusDelaysMs: [5, 10, 15] });
	config = directSender({ accessToken: 'sandbox-token', phoneNumberId: sandbox.settings.phoneNumberId ?? '100000000000001', graphApiVersion: 'v21.0', baseUrl: sandbox.url });
});
afterAll(async () => {
	await sandbox.stop();
	await db.drop();
});

const template = (to = '+351912345678') => ({
	to,
	template: 'barnum_appointment_confirmation',
	language: 'pt_PT',
	bodyParameters: ['João', 'segunda-feira, 1 de julho', '10:30', 'Dr. Maria Santos', 'Clínica Sorriso'],
	urlButton: { index: 2, suffix: 'type=confirm&token=abc' },
	quickReplies: [
		{ index: 0, payload: 'CONFIRM:x' },
		{ index: 1, payload: 'CANCEL:x' },
	],
});

async function leasedEvent(): Promise<string> {
	await insertAppointment(db.app, clinic);
	const { events } = await claimEvents(db.app, { consumerId: 'test', limit: 1, leaseSeconds: 60, eventTypes: ['appointment.pre_confirmed'] });
	return events[0].id;
}

test('a template is sent and its event acked with the wamid in the same step', async () => {
	const eventId = await leasedEvent();
	const outcome = await deliverTemplate(db.app, config, template(), { eventId });
	expect(outcome).toMatchObject({ sent: true, wamid: expect.stringMatching(/^wamid\./), event: { id: eventId, status: 'sent' } });
	expect(await getEvent(db.app, eventId)).toMatchObject({ status: 'sent', whatsapp_message_id: outcome.wamid });
	const { rows } = await db.app.query('SELECT event_id, template_name FROM whatsapp_messages WHERE wamid = $1', [outcome.wamid]);
	expect(rows[0]).toEqual({ event_id: eventId, template_name: 'barnum_appointment_confirmation' });
});

test('Meta\'s refusals are classified: a wrong parameter count is permanent, 130429 retries without spending a retry', async () => {
	const bad = await leasedEvent();
	const wrongCount = await deliverTemplate(db.app, config, { ...template(), bodyParameters: ['João'] }, { eventId: bad });
	expect(wrongCount).toMatchObject({ sent: false, error: { code: 132000, kind: 'permanent' }, event: { status: 'dead_letter' } });
	expect((await getEvent(db.app, bad))?.last_error).toMatch(/^\(#132000\)/);

	await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 130429, times: 1 }) });
	const throttled = await leasedEvent();
	const outcome = await deliverTemplate(db.app, config, template(), { eventId: throttled });
	expect(outcome).toMatchObject({ sent: false, error: { code: 130429, kind: 'throttled' }, event: { status: 'pending' } });
	expect(await getEvent(db.app, throttled)).toMatchObject({ status: 'pending', retry_count: 0 });
});

test('a missing template falls back to the given text', async () => {
	const eventId = await leasedEvent();
	// Free text is accepted inside the 24-hour window: the guest wrote first.
	sandbox.controls.reply('351912345678', { text: 'Olá' });
	await sandbox.controls.idle();
	const outcome = await deliverTemplate(db.app, config, { ...template(), template: 'no_such_template' }, { eventId, fallbackText: 'A sua reserva está confirmada.' });
	expect(outcome.error).toBeUndefined();
	expect(outcome).toMatchObject({ sent: true, usedFallback: true, event: { status: 'sent' } });
});

test('delivery statuses only move forward, whatever order they arrive in; failed keeps its code and dead-letters the event', async () => {
	const wamid = 'wamid.ORDER1';
	const at = (s: number) => new Date(1_800_000_000_000 + s * 1000);
	expect((await recordDeliveryStatus(db.app, { wamid, status: 'read', at: at(3) })).status).toBe('read');
	expect((await recordDeliveryStatus(db.app, { wamid, status: 'delivered', at: at(2) })).status).toBe('read');
	expect((await recordDeliveryStatus(db.app, { wamid, status: 'sent', at: at(1) })).status).toBe('read');
	const { rows } = await db.app.query('SELECT status, sent_at, delivered_at, read_at FROM whatsapp_messages WHERE wamid = $1', [wamid]);
	expect(rows[0]).toEqual({ status: 'read', sent_at: at(1), delivered_at: at(2), read_at: at(3) });

	const eventId = await leasedEvent();
	const sent = await deliverTemplate(db.app, config, template(), { eventId });
	expect(sent.error).toBeUndefined();
	const failed = await recordDeliveryStatus(db.app, { wamid: sent.wamid!, status: 'failed', at: new Date(), errorCode: 131026, errorTitle: 'Message undeliverable' });
	expect(failed).toMatchObject({ status: 'failed', deadLetteredEvent: eventId });
	expect(await getEvent(db.app, eventId)).toMatchObject({ status: 'dead_letter', last_error: 'WhatsApp (#131026) Message undeliverable' });
});

test('the statuses in Meta\'s webhook bodies are read, hostile shapes ignored', () => {
	const body = {
		object: 'whatsapp_business_account',
		entry: [{ changes: [{ value: { statuses: [{ id: 'wamid.A', status: 'delivered', timestamp: '1800000000' }, { id: 7, status: 'read' }, { id: 'wamid.B', status: 'exploded' }] } }] }],
	};
	expect(statusesFromWebhook(body)).toEqual([{ wamid: 'wamid.A', status: 'delivered', at: new Date(1_800_000_000_000), errorCode: null, errorTitle: null }]);
	for (const hostile of [null, 'x', { entry: 'no' }, { entry: [{ changes: [null] }] }]) expect(statusesFromWebhook(hostile)).toEqual([]);
});

test('replies are understood in Portuguese, English and Spanish, buttons by their payload', () => {
	const id = '550e8400-e29b-41d4-a716-446655440000';
	expect(interpretReply({ wamid: 'w', from: '+1', buttonPayload: `CONFIRM:${id}` })).toEqual({ intent: 'confirm', appointmentId: id });
	expect(interpretReply({ wamid: 'w', from: '+1', buttonPayload: 'CONFIRM:not-a-uuid', text: 'Confirmar' })).toEqual({ intent: 'unknown' });
	for (const text of ['Sim', 'sim, por favor', 'Yes!', 'sí']) expect(interpretReply({ wamid: 'w', from: '+1', text }).intent).toBe('reschedule_yes');
	for (const text of ['STOP', 'parar', 'Baja']) expect(interpretReply({ wamid: 'w', from: '+1', text }).intent).toBe('stop');
	expect(interpretReply({ wamid: 'w', from: '+1', text: 'Qual é a morada?' }).intent).toBe('unknown');
});

test('one inbound webhook: a status, a Confirm tap and an unknown question — each handled, none lost', async () => {
	const appointmentId = await insertAppointment(db.app, clinic);
	const body = {
		object: 'whatsapp_business_account',
		entry: [
			{
				changes: [
					{
						value: {
							statuses: [{ id: 'wamid.INBOUND1', status: 'delivered', timestamp: '1800000000' }],
							messages: [
								{ from: '351912345678', id: 'wamid.IN1', type: 'button', button: { payload: `CONFIRM:${appointmentId}`, text: 'Confirmar' } },
								{ from: '351912345678', id: 'wamid.IN2', type: 'text', text: { body: 'Qual é a morada?' } },
							],
						},
					},
				],
			},
		],
	};
	const results = await processInboundWebhook(db.app, body);
	expect(results).toEqual([
		{ kind: 'status', status: expect.objectContaining({ wamid: 'wamid.INBOUND1', status: 'delivered' }), forTheTeam: false },
		expect.objectContaining({ kind: 'message', intent: 'confirm', appointmentId, outcome: 'confirmed', forTheTeam: false }),
		// The question is recorded for the clinic's team.
		expect.objectContaining({ kind: 'message', intent: 'unknown', outcome: 'needs a person', text: 'Qual é a morada?', forTheTeam: true }),
	]);
	expect((await db.app.query('SELECT status FROM appointments WHERE id = $1', [appointmentId])).rows[0].status).toBe('confirmed');
});
