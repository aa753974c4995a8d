import type { IDataObject } from 'n8n-workflow';
import { Barnum } from '../../nodes/Barnum/Barnum.node';
import { claimEvents, getEvent } from '../../core/outbox/operations';
import { startSandbox, type RunningSandbox } from '../../sandbox/start';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { fakeExecuteContext } from './fakes';

/**
 * Send Template with Message = "The Event's Barnum Template": the node sends what the bundled
 * workflow would for each item's outbox event, reading the item itself (no expressions), and
 * settles the events — the configuration for large batches from the Outbox Trigger.
 */
let db: TestDatabase;
let sandbox: RunningSandbox;
let clinic: Awaited<ReturnType<typeof seedClinic>>;
let credential: IDataObject;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query(
		"UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL, reminder_offsets = '{}', business_name = 'Clínica Sorriso', public_base_url = 'https://clinic.example'",
	);
	clinic = await seedClinic(db.app);
	sandbox = await startSandbox({ accessToken: 'sandbox-token', appSecret: 'sandbox-app-secret', publicBaseUrl: 'https://clinic.example' });
	// The fake context hands the same object for both credentials: the Postgres and the WhatsApp one.
	credential = {
		connectionString: db.appUrl,
		accessToken: 'sandbox-token',
		phoneNumberId: sandbox.settings.phoneNumberId ?? '100000000000001',
		graphApiVersion: 'v21.0',
		baseUrl: sandbox.url,
	};
});
afterAll(async () => {
	await sandbox.stop();
	await db.drop();
});

const parameters = { resource: 'whatsapp', operation: 'sendTemplate', messageSource: 'event' };

/** What the Outbox Trigger emits for `count` new appointments: one item per claimed event. */
async function triggerItems(count: number): Promise<IDataObject[]> {
	for (let i = 0; i < count; i++) await insertAppointment(db.app, clinic, { date: '2030-07-01', time: '10:30' });
	const { events } = await claimEvents(db.app, { consumerId: 'event-mode', limit: count, leaseSeconds: 60, eventTypes: ['appointment.pre_confirmed'] });
	expect(events).toHaveLength(count);
	return events.map((e) => e.message as unknown as IDataObject);
}

async function run(items: IDataObject[], continueOnFail = false) {
	const context = {
		...fakeExecuteContext({ parameters: items.map(() => parameters), credential, continueOnFail }),
		getInputData: () => items.map((json) => ({ json })),
	};
	const [output] = await new Barnum().execute.call(context as never);
	return output;
}

test('a batch from the Outbox Trigger: every event gets its pre-confirmation and is acked with the wamid', async () => {
	const items = await triggerItems(3);
	const output = await run(items);
	expect(output).toHaveLength(3);
	for (const [i, out] of output.entries()) {
		expect(out.pairedItem).toEqual({ item: i });
		expect(out.json).toMatchObject({ sent: true, event: { id: items[i].event_id, status: 'sent' } });
		expect(await getEvent(db.app, items[i].event_id as string)).toMatchObject({ status: 'sent', whatsapp_message_id: out.json.wamid });
		const shown = sandbox.state.outbound.get(out.json.wamid as string)!;
		expect(shown.template).toMatchObject({ name: 'barnum_appointment_confirmation', language: 'pt_PT' });
		expect(shown.rendered.body).toContain('Olá João, tem uma consulta marcada para segunda-feira, 1 de julho, às 10:30');
	}
});

test('an event pushed by the dispatcher (the Barnum Webhook Trigger outputs it as body) is sent the same way', async () => {
	const [event] = await triggerItems(1);
	const [out] = await run([{ body: event, headers: { 'content-type': 'application/json' }, receivedAt: new Date().toISOString() }]);
	expect(out.json).toMatchObject({ sent: true, event: { id: event.event_id, status: 'sent' } });
});

test('an item that is not an outbox event fails the node, or becomes its error item with Continue On Fail', async () => {
	const [event] = await triggerItems(1);
	await expect(run([{ hello: 'world' }, event])).rejects.toThrow('The item is not an outbox event (no event_type): set the message with "Define Below"');
	// The node stopped at the first item: the event was not sent and is still leased.
	expect((await getEvent(db.app, event.event_id as string))?.status).toBe('processing');
	const output = await run([{ hello: 'world' }, event], true);
	expect(output.map((o) => o.json)).toEqual([
		{ error: 'The item is not an outbox event (no event_type): set the message with "Define Below"', code: 'invalid_input' },
		expect.objectContaining({ sent: true, event: expect.objectContaining({ status: 'sent' }) }),
	]);
});

test('an appointment at a location with a WhatsApp number of its own is sent from that number, not the credential\'s', async () => {
	const own = sandbox.settings.phoneNumberId ?? '100000000000001';
	const location = await db.admin.query(
		"INSERT INTO locations (external_id, name, timezone, whatsapp_phone_number_id) VALUES ('porto', 'Sorriso Porto', 'Europe/Lisbon', $1) RETURNING id",
		[own],
	);
	const id = await insertAppointment(db.app, clinic, { date: '2030-07-02', time: '11:00' });
	await db.app.query('UPDATE appointments SET location_id = $1 WHERE id = $2', [location.rows[0].id, id]);
	await db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE entity_id = $1", [id]);
	await db.admin.query("SELECT create_whatsapp_event('appointment.pre_confirmed', 'appointment', $1)", [id]);
	const { events } = await claimEvents(db.app, { consumerId: 'event-mode', limit: 5, leaseSeconds: 60, eventTypes: ['appointment.pre_confirmed'] });
	expect(events).toHaveLength(1);
	// The credential names a number the sandbox does not know: only the location's can send.
	const context = {
		...fakeExecuteContext({ parameters: [parameters], credential: { ...credential, phoneNumberId: '199999999999999' } }),
		getInputData: () => [{ json: events[0].message as unknown as IDataObject }],
	};
	const [[out]] = await new Barnum().execute.call(context as never);
	expect(out.json).toMatchObject({ sent: true, event: { id: events[0].id, status: 'sent' } });
});
