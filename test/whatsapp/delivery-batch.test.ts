import { claimEvents, getEvent } from '../../core/outbox/operations';
import { deliverTemplates, type TemplateDelivery } from '../../core/whatsapp/delivery';
import { directSender } from '../helpers/whatsapp-sender';
import type { WhatsAppSender } from '../../core/whatsapp/types';
import { startSandbox, type RunningSandbox } from '../../sandbox/start';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';

/**
 * A batch execution's sends (deliverTemplates): every message gets the outcome deliverTemplate
 * would give it, in input order, and every event is settled — while the requests run concurrently
 * and the successes are settled in groups.
 */
let db: TestDatabase;
let sandbox: RunningSandbox;
let config: WhatsAppSender;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query("UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL, reminder_offsets = '{}'");
	clinic = await seedClinic(db.app);
	sandbox = await startSandbox({ accessToken: 'sandbox-token', appSecret: 'sandbox-app-secret' });
	config = directSender({ accessToken: 'sandbox-token', phoneNumberId: sandbox.settings.phoneNumberId ?? '100000000000001', graphApiVersion: 'v21.0', baseUrl: sandbox.url });
});
afterAll(async () => {
	await sandbox.stop();
	await db.drop();
});

const message = (to: string, bodyParameters = ['João', 'segunda-feira, 1 de julho', '10:30', 'Dr. Maria Santos', 'Clínica Sorriso']) => ({
	to,
	template: 'barnum_appointment_confirmation',
	language: 'pt_PT',
	bodyParameters,
	urlButton: { index: 2, suffix: 'type=confirm&token=abc' },
});

async function leasedEvents(count: number): Promise<string[]> {
	for (let i = 0; i < count; i++) await insertAppointment(db.app, clinic);
	const { events } = await claimEvents(db.app, { consumerId: 'batch-test', limit: count, leaseSeconds: 60, eventTypes: ['appointment.pre_confirmed'] });
	expect(events).toHaveLength(count);
	return events.map((e) => e.id);
}

test('a batch: each message sent once, each event acked with its own wamid, outcomes in input order', async () => {
	const ids = await leasedEvents(45);
	const deliveries: TemplateDelivery[] = ids.map((eventId, i) => ({ message: message(`+3519100000${String(i).padStart(2, '0')}`), eventId }));
	// Small groups and few requests in flight, so the batch spans several groups.
	const outcomes = await deliverTemplates(db.app, config, deliveries, { concurrency: 4, settleEvery: 10 });

	expect(outcomes).toHaveLength(45);
	expect(sandbox.state.outbound.size).toBe(45);
	for (const [i, outcome] of outcomes.entries()) {
		expect(outcome).toMatchObject({ sent: true, event: { id: ids[i], status: 'sent' } });
		const shown = sandbox.state.outbound.get(outcome.wamid!)!;
		expect(shown.to).toBe(deliveries[i].message.to.replace('+', ''));
	}
	const { rows } = await db.app.query<{ status: string; whatsapp_message_id: string; message_event: string }>(
		`SELECT e.status, e.whatsapp_message_id, m.event_id AS message_event
		   FROM whatsapp_events e JOIN whatsapp_messages m ON m.wamid = e.whatsapp_message_id
		  WHERE e.id = ANY($1::uuid[])`,
		[ids],
	);
	expect(rows).toHaveLength(45);
	expect(rows.every((r) => r.status === 'sent')).toBe(true);
	expect(new Set(rows.map((r) => r.message_event))).toEqual(new Set(ids));
});

test("refusals in a batch are settled like single sends: permanent ones dead-lettered, throttled ones back in the queue, the rest sent", async () => {
	const [wrongCount, throttled, fine, invalid] = await leasedEvents(4);
	sandbox.controls.reset();
	await fetch(`${sandbox.url}/_sandbox/faults`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ to: '+351910000099', code: 130429, times: 1 }),
	});
	const outcomes = await deliverTemplates(db.app, config, [
		{ message: message('+351910000098', ['João']), eventId: wrongCount },
		{ message: message('+351910000099'), eventId: throttled },
		{ message: message('+351910000097'), eventId: fine },
		{ message: message('912'), eventId: invalid },
		{ message: message('+351910000096') },
	]);
	expect(outcomes.map((o) => [o.sent, o.error?.kind, o.event?.status])).toEqual([
		[false, 'permanent', 'dead_letter'],
		[false, 'throttled', 'pending'],
		[true, undefined, 'sent'],
		[false, 'permanent', 'dead_letter'],
		[true, undefined, undefined],
	]);
	expect(await getEvent(db.app, throttled)).toMatchObject({ status: 'pending', retry_count: 0 });
	expect(await getEvent(db.app, fine)).toMatchObject({ status: 'sent', whatsapp_message_id: outcomes[2].wamid });
	expect(sandbox.state.outbound.size).toBe(2);
});
