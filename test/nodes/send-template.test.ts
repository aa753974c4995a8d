import type { IDataObject } from 'n8n-workflow';
import { Barnum } from '../../nodes/Barnum/Barnum.node';
import { claimEvents, getEvent } from '../../core/outbox/operations';
import { startSandbox, type RunningSandbox } from '../../sandbox/start';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { fakeExecuteContext } from './fakes';

/**
 * Send Template with a recipient no retry can reach: with an outbox event, the event is
 * dead-lettered at once as a permanent failure and the node reports it; without one, the item fails.
 */

let db: TestDatabase;
let sandbox: RunningSandbox;
let clinic: Awaited<ReturnType<typeof seedClinic>>;
let credential: IDataObject;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query("UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL, reminder_offsets = '{}'");
	clinic = await seedClinic(db.app);
	sandbox = await startSandbox({ accessToken: 'sandbox-token', appSecret: 'sandbox-app-secret' });
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

async function leasedEvent(): Promise<string> {
	const id = await insertAppointment(db.app, clinic);
	const { events } = await claimEvents(db.app, { consumerId: 'send-test', limit: 10, leaseSeconds: 60, eventTypes: ['appointment.pre_confirmed'] });
	return events.find((e) => e.entityId === id)!.id;
}

const item = (to: string, eventId: string): IDataObject => ({
	resource: 'whatsapp',
	operation: 'sendTemplate',
	to,
	template: 'barnum_appointment_confirmation',
	language: 'pt_PT',
	bodyParameters: { parameter: ['João', 'segunda-feira, 1 de julho', '10:30', 'Dr. Maria Santos', 'Clínica Sorriso'].map((text) => ({ text })) },
	urlButton: { index: 2, suffix: 'type=confirm&token=abc' },
	quickReplies: { reply: [{ index: 0, payload: `CONFIRM:${eventId}` }, { index: 1, payload: `CANCEL:${eventId}` }] },
	eventId,
	fallbackText: '',
});

async function run(parameters: IDataObject[], continueOnFail = false) {
	const context = fakeExecuteContext({ parameters, credential, continueOnFail });
	const [items] = await new Barnum().execute.call(context as never);
	return items;
}

test('an invalid number with an event: the event is dead-lettered at once as permanent, and the node reports it', async () => {
	const eventId = await leasedEvent();
	const [out] = await run([item('912345678', eventId)]);
	expect(out.json).toMatchObject({
		sent: false,
		error: { kind: 'permanent', message: expect.stringMatching(/^invalid recipient: ".*" is not a phone number in E\.164 form/) },
		event: { id: eventId, status: 'dead_letter' },
	});
	expect(out.pairedItem).toEqual({ item: 0 });
	expect(await getEvent(db.app, eventId)).toMatchObject({
		status: 'dead_letter',
		status_reason: 'permanent failure',
		retry_count: 1,
		last_error: expect.stringMatching(/^invalid recipient/),
	});
	// Nothing reached WhatsApp.
	expect(sandbox.state.outbound.size).toBe(0);
});

test('no number at all (a guest\'s, without the guest data key) says where the key goes', async () => {
	const eventId = await leasedEvent();
	const [out] = await run([item('', eventId)]);
	expect(out.json).toMatchObject({ sent: false, error: { kind: 'permanent', message: expect.stringMatching(/Guest Data Key/) }, event: { status: 'dead_letter' } });
});

test('in a batch, the invalid number is dead-lettered and the others are sent', async () => {
	const bad = await leasedEvent();
	const good = await leasedEvent();
	const out = await run([item('+351 91', bad), item('+351912345678', good)]);
	expect(out.map((o) => o.json)).toEqual([
		expect.objectContaining({ sent: false, error: expect.objectContaining({ kind: 'permanent' }), event: expect.objectContaining({ status: 'dead_letter' }) }),
		expect.objectContaining({ sent: true, event: expect.objectContaining({ status: 'sent' }) }),
	]);
	expect((await getEvent(db.app, bad))?.status).toBe('dead_letter');
	expect((await getEvent(db.app, good))?.status).toBe('sent');
});

test('without an event the invalid number is the item\'s error (or its output with Continue On Fail)', async () => {
	await expect(run([item('912345678', '')])).rejects.toThrow(/invalid recipient: ".*" is not a phone number in E\.164 form/);
	const [out] = await run([item('912345678', '')], true);
	expect(out.json).toEqual({ error: expect.stringMatching(/^invalid recipient/), code: 'invalid_input' });
});

test('without an event a refusal from WhatsApp is reported as WhatsApp\'s, with Meta\'s code, not as a database failure', async () => {
	const refused = { ...item('+351912345678', ''), template: 'no_such_template' };
	const failure = run([refused]).then(
		() => undefined,
		(error: Error & { description?: string; httpCode?: string }) => error,
	);
	const error = await failure;
	expect(error?.message).toMatch(/^WhatsApp refused the message: \(#132001\)/);
	expect(error?.message).not.toMatch(/database/i);
	const [out] = await run([refused], true);
	expect(out.json).toEqual({ error: expect.stringMatching(/^WhatsApp refused the message: \(#132001\)/), code: 'whatsapp_132001' });
});

describe("through n8n's request helper, WhatsApp's answers settle the event as they always have", () => {
	const fault = (body: Record<string, unknown>) =>
		fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	afterEach(() => sandbox.controls.reset());

	test("throttled (130429, HTTP 400 with Retry-After): retried no sooner than WhatsApp asked, with Meta's message", async () => {
		expect((await fault({ code: 130429, retryAfter: 600 })).status).toBe(201);
		const eventId = await leasedEvent();
		const [out] = await run([item('+351912345678', eventId)]);
		expect(out.json).toMatchObject({ sent: false, error: { kind: 'throttled', code: 130429, httpStatus: 400 }, event: { id: eventId, status: 'pending' } });
		const row = await getEvent(db.app, eventId);
		expect(row?.last_error).toBe('(#130429) Rate limit hit: Cloud API message throughput has been reached.');
		expect((row?.scheduled_for as Date).getTime()).toBeGreaterThanOrEqual(Date.now() + 590_000);
	});

	test('a wrong access token (HTTP 401) is an error of the send, not of n8n', async () => {
		const eventId = await leasedEvent();
		const context = fakeExecuteContext({ parameters: [item('+351912345678', eventId)], credential: { ...credential, accessToken: 'not-the-token' } });
		const [[out]] = await new Barnum().execute.call(context as never);
		expect(out.json).toMatchObject({ sent: false, error: { httpStatus: 401 }, event: { id: eventId, status: 'pending' } });
		expect(sandbox.state.outbound.size).toBe(0);
	});

	test('an unreachable Cloud API fails the event for a retry, saying so', async () => {
		const eventId = await leasedEvent();
		const closed = `http://127.0.0.1:${await closedPort()}`;
		const context = fakeExecuteContext({ parameters: [item('+351912345678', eventId)], credential: { ...credential, baseUrl: closed } });
		const [[out]] = await new Barnum().execute.call(context as never);
		expect(out.json).toMatchObject({ sent: false, error: { kind: 'transient', message: expect.stringMatching(/^WhatsApp Cloud API unreachable: connect ECONNREFUSED/) } });
		expect((await getEvent(db.app, eventId))?.status).toBe('pending');
	});
});

async function closedPort(): Promise<number> {
	const { createServer } = await import('node:net');
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}
