import { BarnumOutboxTrigger } from '../../nodes/BarnumOutboxTrigger/BarnumOutboxTrigger.node';
import { getEvent } from '../../core/outbox/operations';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { fakeTriggerContext, startTrigger, type WorkflowRun } from './fakes';
import type { ITriggerResponse } from 'n8n-workflow';

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;
let credential: { connectionString: string; ssl: string };
const running: ITriggerResponse[] = [];

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL, reminder_offsets = \'{}\'');
	clinic = await seedClinic(db.app);
	credential = { connectionString: db.appUrl, ssl: 'disable' };
});
afterEach(async () => {
	await Promise.all(running.splice(0).map((r) => r.closeFunction?.()));
	await db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE status IN ('pending', 'processing')");
});
afterAll(() => db.drop());

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, ms = 10_000): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 25));
	}
}

async function activate(parameters: Record<string, unknown>, workflow?: WorkflowRun, mode: 'trigger' | 'manual' = 'trigger') {
	const fake = fakeTriggerContext({
		parameters: { eventTypes: ['appointment.pre_confirmed'], otherEventTypes: '', options: { pollIntervalSeconds: 1 }, ...parameters },
		credential,
		mode,
		workflow,
	});
	const response = await startTrigger(new BarnumOutboxTrigger(), fake.context);
	running.push(response);
	return { ...fake, response };
}

const statusOf = async (id: string) => (await getEvent(db.app, id))?.status;
const preConfirmationOf = async (appointmentId: string) =>
	(await db.app.query("SELECT id FROM whatsapp_events WHERE entity_id = $1 AND event_type = 'appointment.pre_confirmed'", [appointmentId])).rows[0]
		.id as string;

test('one execution per event, acknowledged when the execution succeeds', async () => {
	const { executions } = await activate({ emitMode: 'event', ackMode: 'executionSucceeds', batchSize: 10 });
	const appointmentId = await insertAppointment(db.app, clinic);
	const eventId = await preConfirmationOf(appointmentId);
	await until(async () => (await statusOf(eventId)) === 'sent', 'the event to be acked');
	expect(executions).toHaveLength(1);
	expect(executions[0]).toHaveLength(1);
	expect(executions[0][0].json).toMatchObject({
		event_id: eventId,
		event_type: 'appointment.pre_confirmed',
		appointment: { id: appointmentId, patient: { name: 'João Silva' } },
		action_links: { confirm: expect.stringContaining('/api/action?type=confirm&token=') },
	});
});

test('a failed execution fails the event: it is retried with backoff, with the error kept', async () => {
	await activate({ emitMode: 'event', ackMode: 'executionSucceeds', batchSize: 10 }, () => {
		throw new Error('WhatsApp node: template not found');
	});
	const eventId = await preConfirmationOf(await insertAppointment(db.app, clinic));
	const row = await until(async () => {
		const e = await getEvent(db.app, eventId);
		return e?.status === 'pending' && e.retry_count === 1 ? e : undefined;
	}, 'the event to be failed');
	expect(row.last_error).toBe('n8n execution failed: WhatsApp node: template not found');
	expect((row.scheduled_for as Date).getTime()).toBeGreaterThan(Date.now());
});

test('one execution per batch carries every claimed event as an item', async () => {
	const ids: string[] = [];
	for (let i = 0; i < 5; i++) ids.push(await preConfirmationOf(await insertAppointment(db.app, clinic, { daysAhead: 10 + i })));
	const { executions } = await activate({ emitMode: 'batch', ackMode: 'executionSucceeds', batchSize: 50 });
	await until(async () => (await Promise.all(ids.map(statusOf))).every((s) => s === 'sent'), 'all five acked');
	expect(executions).toHaveLength(1);
	expect(executions[0].map((item) => item.json.event_id).sort()).toEqual([...ids].sort());
});

test('acknowledge immediately marks events sent before the workflow runs', async () => {
	const seen: string[] = [];
	await activate({ emitMode: 'event', ackMode: 'immediately', batchSize: 10 }, async (items) => {
		seen.push((await statusOf(items[0].json.event_id as string)) as string);
		throw new Error('ignored: at-most-once');
	});
	const eventId = await preConfirmationOf(await insertAppointment(db.app, clinic));
	await until(async () => seen.length === 1, 'the execution');
	expect(seen).toEqual(['sent']);
	expect(await statusOf(eventId)).toBe('sent');
});

test('manual acknowledgement leaves the event leased for the Barnum node to settle', async () => {
	const { executions } = await activate({ emitMode: 'event', ackMode: 'manually', batchSize: 10 });
	const eventId = await preConfirmationOf(await insertAppointment(db.app, clinic));
	await until(async () => executions.length === 1, 'the execution');
	await new Promise((r) => setTimeout(r, 200));
	expect(await getEvent(db.app, eventId)).toMatchObject({ status: 'processing', locked_by: expect.stringMatching(/^n8n:wf-test:/) });
});

test('test mode shows the next message without claiming it or creating tokens, then releases its connections', async () => {
	const eventId = await preConfirmationOf(await insertAppointment(db.app, clinic));
	const tokens = async () => (await db.admin.query('SELECT count(*)::int AS n FROM whatsapp_action_tokens')).rows[0].n;
	const before = await tokens();
	const { executions, response } = await activate({ emitMode: 'event', ackMode: 'executionSucceeds', batchSize: 10 }, undefined, 'manual');
	await response.manualTriggerFunction!();
	expect(executions[0][0].json).toMatchObject({ preview: true, event_type: 'appointment.pre_confirmed' });
	expect(await statusOf(eventId)).toBe('pending');
	expect(await tokens()).toBe(before);
});

test('closing the workflow releases every connection it opened', async () => {
	const connections = async () =>
		(
			await db.admin.query(
				"SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name IN ('barnum-n8n-trigger', 'barnum-listener')",
			)
		).rows[0].n;
	const { response } = await activate({ emitMode: 'event', ackMode: 'executionSucceeds', batchSize: 10 });
	await insertAppointment(db.app, clinic);
	await until(async () => (await connections()) > 0, 'the trigger to connect');
	running.splice(running.indexOf(response), 1);
	await response.closeFunction!();
	await until(async () => (await connections()) === 0, 'connections to close');
});

test('a batch size or lease past 32 bits, or NUL in an event type, is refused at activation naming it, not failed on every claim', async () => {
	const start = (parameters: Record<string, unknown>) =>
		startTrigger(new BarnumOutboxTrigger(), fakeTriggerContext({ parameters: { eventTypes: ['appointment.pre_confirmed'], ...parameters }, credential }).context);
	await expect(start({ batchSize: 2 ** 31 })).rejects.toThrow('batchSize must be a whole number from -2147483648 to 2147483647, got 2147483648');
	await expect(start({ options: { leaseSeconds: 1.5 } })).rejects.toThrow('leaseSeconds must be a whole number');
	await expect(start({ otherEventTypes: 'custom\u0000type' })).rejects.toThrow('eventTypes 1: must not contain NUL characters');
});

test('a credential without a usable connection is refused with a clear error', async () => {
	const fake = fakeTriggerContext({ parameters: { eventTypes: [] }, credential: { connectionString: 'mysql://nope' } });
	await expect(startTrigger(new BarnumOutboxTrigger(), fake.context)).rejects.toThrow(/must start with postgres:\/\//);
});

test('an execution that never reports its end (queue mode: its worker died) lets the events go after the wait limit: they come back after the lease', async () => {
	let runs = 0;
	// The first execution never ends, as n8n's main instance sees an execution whose worker was killed.
	const { executions } = await activate({ emitMode: 'event', ackMode: 'executionSucceeds', batchSize: 10, options: { pollIntervalSeconds: 1, leaseSeconds: 5, executionWaitSeconds: 1 } }, () =>
		runs++ === 0 ? new Promise<void>(() => undefined) : undefined,
	);
	const eventId = await preConfirmationOf(await insertAppointment(db.app, clinic));
	await until(async () => (await statusOf(eventId)) === 'sent', 'the event to be delivered again and acked', 20_000);
	expect(executions).toHaveLength(2);
	expect(executions.map((items) => items[0].json.event_id)).toEqual([eventId, eventId]);
}, 30_000);
