import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { ackEvents, claimEvents, enqueueEvent, failEvent, getEvent, nextDueAt, peekMessage, replayDeadLetters, skipEvent } from '../../core/outbox/operations';

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query("UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL, public_base_url = 'https://clinic.example/'");
	clinic = await seedClinic(db.app);
});
afterAll(() => db.drop());
beforeEach(() => db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE status IN ('pending', 'processing')"));

const claim = (limit = 10, eventTypes?: string[]) =>
	claimEvents(db.app, { consumerId: 'test-consumer', limit, leaseSeconds: 30, eventTypes });

test('claims a pre-confirmation with the seed\'s payload, action links on the public base URL, and a lease', async () => {
	const appointmentId = await insertAppointment(db.app, clinic, { date: '2030-02-01', time: '10:00' });
	const { events } = await claim(10, ['appointment.pre_confirmed']);
	expect(events).toHaveLength(1);
	const [event] = events;
	expect(event).toMatchObject({ eventType: 'appointment.pre_confirmed', entityId: appointmentId, attempt: 1 });
	expect(event.leaseExpiresAt.getTime() - Date.now()).toBeGreaterThan(25_000);
	const m = event.message;
	expect(m).toMatchObject({
		event_id: event.id,
		idempotency_key: event.id,
		event_type: 'appointment.pre_confirmed',
		entity_id: appointmentId,
		workflow_id: event.workflowId,
		attempt: 1,
		appointment: {
			id: appointmentId,
			date: '2030-02-01',
			time: '10:00',
			starts_at: '2030-02-01T10:00:00+00:00',
			patient: { id: clinic.patientId, name: 'João Silva', phone: '+351912345678', locale: 'pt-PT' },
			professional: { name: 'Dr. Maria Santos' },
			specialty: { name: 'Medicina Dentária' },
		},
	});
	for (const action of ['confirm', 'cancel', 'reschedule'] as const) {
		const link = new URL(m.action_links![action]!);
		expect(link.origin + link.pathname).toBe('https://clinic.example/api/action');
		expect(link.searchParams.get('type')).toBe(action);
		const check = await db.app.query('SELECT valid, action_type, appointment_id FROM validate_action_token($1)', [link.searchParams.get('token')]);
		expect(check.rows[0]).toEqual({ valid: true, action_type: action, appointment_id: appointmentId });
	}
	const row = await getEvent(db.app, event.id);
	expect(row).toMatchObject({ status: 'processing', locked_by: 'test-consumer', attempts: 1 });
});

test('a leased event is not claimed again until its lease expires, then it is', async () => {
	const id = (await enqueueEvent(db.app, { eventType: 'custom.ping', entityType: 'custom', entityId: clinic.patientId }))!;
	expect((await claim()).events.map((e) => e.id)).toEqual([id]);
	expect((await claim()).events).toEqual([]);
	await db.admin.query("UPDATE whatsapp_events SET locked_until = now() - interval '1 ms' WHERE id = $1", [id]);
	const again = await claim();
	expect(again.events.map((e) => [e.id, e.attempt])).toEqual([[id, 2]]);
});

test('a claim told not to look for expired leases takes only due events; the next one that looks takes the expired one first', async () => {
	const expired = (await enqueueEvent(db.app, { eventType: 'custom.reclaim', entityType: 'custom', entityId: clinic.patientId }))!;
	expect((await claim(1, ['custom.reclaim'])).events.map((e) => e.id)).toEqual([expired]);
	await db.admin.query("UPDATE whatsapp_events SET locked_until = now() - interval '1 ms' WHERE id = $1", [expired]);
	const due = (await enqueueEvent(db.app, { eventType: 'custom.reclaim', entityType: 'custom', entityId: clinic.patientId }))!;
	const busy = await claimEvents(db.app, { consumerId: 'test-consumer', limit: 1, leaseSeconds: 30, eventTypes: ['custom.reclaim'], reclaim: false });
	expect(busy.events.map((e) => e.id)).toEqual([due]);
	expect(await getEvent(db.app, expired)).toMatchObject({ status: 'processing', attempts: 1 });
	const looking = await claim(10, ['custom.reclaim']);
	expect(looking.events.map((e) => [e.id, e.attempt])).toEqual([[expired, 2]]);
	expect([busy.reclaimed, looking.reclaimed]).toEqual([0, 1]);
});

test('only due events of the requested types are claimed', async () => {
	const later = new Date(Date.now() + 60_000);
	await enqueueEvent(db.app, { eventType: 'custom.later', entityType: 'custom', entityId: clinic.patientId, scheduledFor: later });
	const now = await enqueueEvent(db.app, { eventType: 'custom.now', entityType: 'custom', entityId: clinic.patientId });
	await enqueueEvent(db.app, { eventType: 'custom.other', entityType: 'custom', entityId: clinic.patientId });
	expect((await claim(10, ['custom.now', 'custom.later'])).events.map((e) => e.id)).toEqual([now]);
	expect((await nextDueAt(db.app, ['custom.later']))?.getTime()).toBe(later.getTime());
});

test('ack records the WhatsApp message id, completes the conversation record, and is idempotent', async () => {
	await insertAppointment(db.app, clinic);
	const [event] = (await claim(10, ['appointment.pre_confirmed'])).events;
	expect(await ackEvents(db.app, [{ id: event.id, messageId: 'wamid.ABC' }])).toEqual([{ id: event.id, outcome: 'sent' }]);
	expect(await ackEvents(db.app, [{ id: event.id, messageId: 'wamid.ABC' }])).toEqual([{ id: event.id, outcome: 'sent' }]);
	const row = await getEvent(db.app, event.id);
	expect(row).toMatchObject({ status: 'sent', whatsapp_message_id: 'wamid.ABC', locked_until: null, locked_by: null });
	const record = await db.app.query('SELECT status FROM whatsapp_workflows WHERE id = $1', [event.workflowId]);
	expect(record.rows[0].status).toBe('sent');
	expect(await ackEvents(db.app, [{ id: '00000000-0000-0000-0000-000000000000' }])).toEqual([
		{ id: '00000000-0000-0000-0000-000000000000', outcome: 'missing' },
	]);
});

test('a claim can carry the acks of events delivered since the last one: both in one transaction', async () => {
	await insertAppointment(db.app, clinic);
	const [first] = (await claim(1, ['appointment.pre_confirmed'])).events;
	const second = await enqueueEvent(db.app, { eventType: 'test.carry', entityType: 'custom', entityId: crypto.randomUUID() });
	const { events } = await claimEvents(db.app, { consumerId: 'test-consumer', limit: 10, leaseSeconds: 30, eventTypes: ['test.carry'], ack: [first.id] });
	expect(events.map((e) => e.id)).toEqual([second]);
	expect(await getEvent(db.app, first.id)).toMatchObject({ status: 'sent', locked_until: null, locked_by: null });
	const record = await db.app.query('SELECT status FROM whatsapp_workflows WHERE id = $1', [first.workflowId]);
	expect(record.rows[0].status).toBe('sent');
	// A claim that fails acks nothing: the two are one transaction.
	await expect(claimEvents(db.app, { consumerId: 'test-consumer', limit: -1, leaseSeconds: 30, ack: [second] })).rejects.toThrow(/LIMIT/);
	expect(await getEvent(db.app, second)).toMatchObject({ status: 'processing', locked_by: 'test-consumer' });
});

test('the outbox refuses malformed values under its rules\' names, in inserts and updates', async () => {
	const insert = (eventType: string, maxRetries = 3) =>
		db.app.query("INSERT INTO whatsapp_events (event_type, entity_type, entity_id, max_retries) VALUES ($1, 'custom', gen_random_uuid(), $2) RETURNING id", [eventType, maxRetries]);
	await expect(insert('Not A Type')).rejects.toMatchObject({ code: '23514', constraint: 'whatsapp_events_event_type_shape' });
	await expect(insert('test.ok', -1)).rejects.toMatchObject({ code: '23514', constraint: 'whatsapp_events_max_retries_not_negative' });
	const { rows } = await insert('test.rules');
	const update = (set: string) => db.app.query(`UPDATE whatsapp_events SET ${set} WHERE id = $1`, [rows[0].id]);
	await expect(update("status = 'lost'")).rejects.toMatchObject({ code: '23514', constraint: 'whatsapp_events_status_known' });
	await expect(update("entity_type = 'Custom'")).rejects.toMatchObject({ code: '23514', constraint: 'whatsapp_events_entity_type_shape' });
	await expect(update('attempts = -1')).rejects.toMatchObject({ code: '23514', constraint: 'whatsapp_events_attempts_not_negative' });
	await expect(update('retry_count = -1')).rejects.toMatchObject({ code: '23514', constraint: 'whatsapp_events_retry_count_not_negative' });
	await expect(update("status = 'processing'")).rejects.toMatchObject({ code: '23514', constraint: 'whatsapp_events_processing_has_lease' });
	// Clients see the base types: text and integers.
	const read = await db.app.query('SELECT status, event_type, attempts FROM whatsapp_events WHERE id = $1', [rows[0].id]);
	expect(read.rows[0]).toEqual({ status: 'pending', event_type: 'test.rules', attempts: 0 });
});

describe('failures', () => {
	async function claimOne(maxRetries = 3) {
		const id = (await enqueueEvent(db.app, { eventType: 'custom.fail', entityType: 'custom', entityId: clinic.patientId, maxRetries }))!;
		const [event] = (await claim(1, ['custom.fail'])).events;
		expect(event.id).toBe(id);
		return id;
	}
	const makeDue = (id: string) => db.admin.query('UPDATE whatsapp_events SET scheduled_for = now() WHERE id = $1', [id]);

	test('transient failures retry with exponential backoff and jitter, then dead-letter after max_retries', async () => {
		const id = await claimOne(3);
		const delays: number[] = [];
		for (let retry = 1; retry <= 3; retry++) {
			const before = Date.now();
			const outcome = await failEvent(db.app, { id, error: `timeout #${retry}`, kind: 'transient' });
			expect(outcome).toMatchObject({ status: 'pending', retryCount: retry });
			delays.push((outcome!.scheduledFor.getTime() - before) / 1000);
			await makeDue(id);
			expect((await claim(1, ['custom.fail'])).events).toHaveLength(1);
		}
		// base 30 s, doubling, ±20 %
		expect(delays[0]).toBeGreaterThanOrEqual(24 - 1);
		expect(delays[0]).toBeLessThanOrEqual(36 + 1);
		expect(delays[1]).toBeGreaterThanOrEqual(48 - 1);
		expect(delays[1]).toBeLessThanOrEqual(72 + 1);
		expect(delays[2]).toBeGreaterThanOrEqual(96 - 1);
		expect(delays[2]).toBeLessThanOrEqual(144 + 1);
		const last = await failEvent(db.app, { id, error: 'timeout #4', kind: 'transient' });
		expect(last).toMatchObject({ status: 'dead_letter', retryCount: 4, reason: 'gave up after 4 failed attempts' });
		expect(await getEvent(db.app, id)).toMatchObject({ status: 'dead_letter', last_error: 'timeout #4' });
	});

	test('permanent failures dead-letter at once with the reason', async () => {
		const id = await claimOne();
		const outcome = await failEvent(db.app, { id, error: '(#131026) Message undeliverable', kind: 'permanent' });
		expect(outcome).toMatchObject({ status: 'dead_letter', retryCount: 1, reason: 'permanent failure' });
		expect(await getEvent(db.app, id)).toMatchObject({ last_error: '(#131026) Message undeliverable' });
	});

	test('throttling retries later without spending a retry, honouring Retry-After', async () => {
		const id = await claimOne(0);
		const before = Date.now();
		const outcome = await failEvent(db.app, { id, error: '(#130429) Rate limit hit', kind: 'throttled', retryAfterSeconds: 600 });
		expect(outcome).toMatchObject({ status: 'pending', retryCount: 0 });
		expect(outcome!.scheduledFor.getTime() - before).toBeGreaterThanOrEqual(600_000 - 1000);
	});

	test('the jittered delays spread: 200 draws stay within ±20 % and are not all alike', async () => {
		const { rows } = await db.app.query(
			'SELECT extract(epoch FROM barnum_retry_delay(2)) AS s FROM generate_series(1, 200)',
		);
		const seconds = rows.map((r) => Number(r.s));
		expect(Math.min(...seconds)).toBeGreaterThanOrEqual(48);
		expect(Math.max(...seconds)).toBeLessThanOrEqual(72);
		expect(new Set(seconds.map((s) => Math.round(s))).size).toBeGreaterThan(10);
		const capped = await db.app.query('SELECT extract(epoch FROM barnum_retry_delay(40)) AS s');
		expect(Number(capped.rows[0].s)).toBeLessThanOrEqual(6 * 3600 * 1.2);
	});

	test('replay puts dead letters back: one by id, by type, or all', async () => {
		await db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE status = 'dead_letter'");
		const a = await claimOne();
		await failEvent(db.app, { id: a, error: 'bad', kind: 'permanent' });
		const b = await claimOne();
		await failEvent(db.app, { id: b, error: 'bad', kind: 'permanent' });
		expect(await replayDeadLetters(db.app, { id: a })).toEqual([a]);
		expect(await getEvent(db.app, a)).toMatchObject({ status: 'pending', retry_count: 0, status_reason: 'replayed from dead letter' });
		expect(await replayDeadLetters(db.app, { eventType: 'custom.nothing' })).toEqual([]);
		expect(await replayDeadLetters(db.app, { eventType: 'custom.fail' })).toEqual([b]);
		expect(await replayDeadLetters(db.app)).toEqual([]);
	});
});

test('skip records the reason on the event and its conversation record', async () => {
	await insertAppointment(db.app, clinic);
	const [event] = (await claim(10, ['appointment.pre_confirmed'])).events;
	expect(await skipEvent(db.app, event.id, 'handled by phone')).toBe(true);
	expect(await skipEvent(db.app, event.id, 'again')).toBe(false);
	expect(await getEvent(db.app, event.id)).toMatchObject({ status: 'skipped', status_reason: 'handled by phone' });
});

test('enqueue with a dedupe key is idempotent', async () => {
	const first = await enqueueEvent(db.app, { eventType: 'patient.reactivation', entityType: 'patient', entityId: clinic.patientId, dedupeKey: 'reactivation:p1:2026-11' });
	const second = await enqueueEvent(db.app, { eventType: 'patient.reactivation', entityType: 'patient', entityId: clinic.patientId, dedupeKey: 'reactivation:p1:2026-11' });
	expect(first).toEqual(expect.any(String));
	expect(second).toBeNull();
});

test('peek shows the next message with placeholder links and claims nothing', async () => {
	await insertAppointment(db.app, clinic);
	const tokensBefore = await db.admin.query('SELECT count(*)::int AS n FROM whatsapp_action_tokens');
	const message = await peekMessage(db.app, ['appointment.pre_confirmed']);
	expect(message).toMatchObject({ preview: true, event_type: 'appointment.pre_confirmed' });
	expect(message!.action_links!.confirm).toContain('token=preview-token-not-valid');
	const tokensAfter = await db.admin.query('SELECT count(*)::int AS n FROM whatsapp_action_tokens');
	expect(tokensAfter.rows[0].n).toBe(tokensBefore.rows[0].n);
	expect((await claim(10, ['appointment.pre_confirmed'])).events).toHaveLength(1);
});

test('the envelope carries the exact instants in PostgreSQL\'s JSON form, the business, the payload, and no nulls', async () => {
	await db.admin.query("UPDATE barnum_settings SET business_name = 'Clínica Sorriso', timezone = 'Europe/Lisbon'");
	const id = await enqueueEvent(db.app, {
		eventType: 'custom.envelope',
		entityType: 'custom',
		entityId: '3f0c6a52-5f1e-4c8e-9d35-5a4d1a0b7c11',
		payload: { note: 'olá "x"', nested: { keep: 1, drop: null }, list: [1, null] },
	});
	// Microseconds, which a JavaScript Date would lose.
	await db.admin.query("UPDATE whatsapp_events SET created_at = '2030-01-02 03:04:05.123456+00', scheduled_for = now() - interval '1 second' WHERE id = $1", [id]);
	const { events } = await claim(10, ['custom.envelope']);
	expect(events).toHaveLength(1);
	const [event] = events;
	const { rows } = await db.app.query<{ created: string; scheduled: string; lease: string }>(
		"SELECT to_json(created_at) #>> '{}' AS created, to_json(scheduled_for) #>> '{}' AS scheduled, to_json(locked_until) #>> '{}' AS lease FROM whatsapp_events WHERE id = $1",
		[id],
	);
	expect(event.message).toEqual({
		event_id: id,
		event_type: 'custom.envelope',
		entity_type: 'custom',
		entity_id: '3f0c6a52-5f1e-4c8e-9d35-5a4d1a0b7c11',
		created_at: rows[0].created,
		scheduled_for: rows[0].scheduled,
		attempt: 1,
		lease_expires_at: rows[0].lease,
		idempotency_key: id,
		business: { name: 'Clínica Sorriso', timezone: 'Europe/Lisbon', locale: 'pt-PT' },
		payload: { note: 'olá "x"', nested: { keep: 1 }, list: [1, null] },
	});
	expect(event.message.created_at).toBe('2030-01-02T03:04:05.123456+00:00');
	expect(event.leaseExpiresAt.getTime()).toBe(Date.parse(rows[0].lease));
	expect(event.scheduledFor.getTime()).toBe(Date.parse(rows[0].scheduled));
});
