import { Barnum } from '../../nodes/Barnum/Barnum.node';
import { claimEvents, getEvent } from '../../core/outbox/operations';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { fakeExecuteContext } from './fakes';
import type { IDataObject } from 'n8n-workflow';

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query("UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL, public_base_url = 'https://clinic.example'");
	clinic = await seedClinic(db.app);
});
afterAll(() => db.drop());

async function run(parameters: IDataObject | IDataObject[], continueOnFail = false) {
	const context = fakeExecuteContext({ parameters, credential: { connectionString: db.appUrl }, continueOnFail });
	const [items] = await new Barnum().execute.call(context as never);
	return items;
}

const status = async (appointmentId: string) =>
	(await db.app.query('SELECT status FROM appointments WHERE id = $1', [appointmentId])).rows[0].status;

describe('Appointment', () => {
	test('confirm moves a scheduled appointment to confirmed and closes the pre-confirmation record; repeating says unchanged', async () => {
		const id = await insertAppointment(db.app, clinic);
		const [first] = await run({ resource: 'appointment', operation: 'confirm', appointmentId: id, patientResponse: 'Sim' });
		expect(first.json).toMatchObject({ outcome: 'changed', previousStatus: 'scheduled', appointment: { status: 'confirmed' } });
		expect(first.pairedItem).toEqual({ item: 0 });
		const record = await db.app.query("SELECT status, response FROM whatsapp_workflows WHERE appointment_id = $1 AND workflow_type = 'pre_confirmation_sent'", [id]);
		expect(record.rows[0]).toEqual({ status: 'completed', response: 'Sim' });
		const [again] = await run({ resource: 'appointment', operation: 'confirm', appointmentId: id });
		expect(again.json).toMatchObject({ outcome: 'unchanged' });
	});

	test('confirming a cancelled appointment is refused with a clear error naming the state', async () => {
		const id = await insertAppointment(db.app, clinic, { status: 'cancelled' });
		await expect(run({ resource: 'appointment', operation: 'confirm', appointmentId: id })).rejects.toThrow(
			`Cannot confirm appointment ${id}: it is cancelled`,
		);
	});

	test('an unknown or malformed appointment id is named in the error', async () => {
		await expect(
			run({ resource: 'appointment', operation: 'cancel', appointmentId: '00000000-0000-4000-8000-000000000000' }),
		).rejects.toThrow('Appointment 00000000-0000-4000-8000-000000000000 does not exist');
		await expect(run({ resource: 'appointment', operation: 'cancel', appointmentId: '42' })).rejects.toThrow(
			'appointmentId must be a UUID, got "42"',
		);
	});

	test('continue on fail turns each failure into an error item and carries on', async () => {
		const good = await insertAppointment(db.app, clinic);
		const items = await run(
			[
				{ resource: 'appointment', operation: 'complete', appointmentId: 'nope' },
				{ resource: 'appointment', operation: 'complete', appointmentId: good },
			],
			true,
		);
		expect(items[0].json).toEqual({ error: 'appointmentId must be a UUID, got "nope"', code: 'invalid_input' });
		expect(items[1].json).toMatchObject({ outcome: 'changed' });
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	test('cancel, mark no-show, complete and reschedule change the appointment as the seed\'s webhook does', async () => {
		const a = await insertAppointment(db.app, clinic);
		await run({ resource: 'appointment', operation: 'cancel', appointmentId: a, reason: 'Patient request' });
		expect(await status(a)).toBe('cancelled');
		expect((await db.app.query('SELECT cancellation_reason FROM appointments WHERE id = $1', [a])).rows[0].cancellation_reason).toBe('Patient request');

		const b = await insertAppointment(db.app, clinic);
		await run({ resource: 'appointment', operation: 'markNoShow', appointmentId: b });
		expect(await status(b)).toBe('no_show');
		const [moved] = await run({ resource: 'appointment', operation: 'reschedule', appointmentId: b, newDate: '2031-02-15', newTime: '14:30' });
		expect(moved.json).toMatchObject({ outcome: 'changed', appointment: { date: '2031-02-15', time: '14:30', status: 'scheduled' } });

		await expect(
			run({ resource: 'appointment', operation: 'reschedule', appointmentId: b, newDate: '15/02/2031', newTime: '14:30' }),
		).rejects.toThrow('newDate must be a date as YYYY-MM-DD, got "15/02/2031"');
		await expect(
			run({ resource: 'appointment', operation: 'reschedule', appointmentId: b, newDate: '2001-02-15', newTime: '14:30' }),
		).rejects.toThrow('is in the past');

		const c = await insertAppointment(db.app, clinic);
		await run({ resource: 'appointment', operation: 'complete', appointmentId: c });
		expect(await status(c)).toBe('completed');
		const [got] = await run({ resource: 'appointment', operation: 'get', appointmentId: c });
		expect(got.json).toMatchObject({ id: c, status: 'completed', patient_name: 'João Silva', professional_name: 'Dr. Maria Santos' });
	});
});

describe('Event', () => {
	test('ack, fail (classified from the WhatsApp code), skip and get', async () => {
		const ids = [1, 2, 3].map(() => '');
		for (let i = 0; i < 3; i++) {
			const [item] = await run({ resource: 'event', operation: 'enqueue', eventType: 'custom.test', entityType: 'custom', entityId: clinic.patientId, additionalFields: {} });
			ids[i] = item.json.eventId as string;
		}
		await claimEvents(db.app, { consumerId: 'n8n', limit: 10, leaseSeconds: 60, eventTypes: ['custom.test'] });

		const [acked] = await run({ resource: 'event', operation: 'ack', eventId: ids[0], messageId: 'wamid.X1' });
		expect(acked.json).toEqual({ eventId: ids[0], status: 'sent' });
		expect(await getEvent(db.app, ids[0])).toMatchObject({ whatsapp_message_id: 'wamid.X1' });
		const [repeated] = await run({ resource: 'event', operation: 'ack', eventId: ids[0], messageId: '' });
		expect(repeated.json).toEqual({ eventId: ids[0], status: 'sent' });
		expect(await getEvent(db.app, ids[0])).toMatchObject({ whatsapp_message_id: 'wamid.X1' });

		const [failed] = await run({
			resource: 'event', operation: 'fail', eventId: ids[1], errorMessage: '(#131026) Message undeliverable',
			failureKind: 'auto', whatsappCode: 131026, httpStatus: 400, retryAfterSeconds: 0,
		});
		expect(failed.json).toMatchObject({ kind: 'permanent', status: 'dead_letter' });

		const [skipped] = await run({ resource: 'event', operation: 'skip', eventId: ids[2], reason: 'Confirmed by phone' });
		expect(skipped.json).toEqual({ eventId: ids[2], status: 'skipped' });
		await expect(run({ resource: 'event', operation: 'ack', eventId: ids[2], messageId: '' })).rejects.toThrow('is skipped, not leased');

		const [got] = await run({ resource: 'event', operation: 'get', eventId: ids[1] });
		expect(got.json).toMatchObject({ status: 'dead_letter', last_error: '(#131026) Message undeliverable' });

		const [replayed] = await run({ resource: 'event', operation: 'replay', replayScope: 'one', eventId: ids[1] });
		expect(replayed.json).toEqual({ replayed: 1, eventIds: [ids[1]] });
	});

	test('enqueue validates its payload and honours the dedupe key', async () => {
		const base = { resource: 'event', operation: 'enqueue', eventType: 'patient.reactivation', entityType: 'patient', entityId: clinic.patientId };
		await expect(run({ ...base, additionalFields: { payload: '[1,2]' } })).rejects.toThrow('Payload must be a JSON object');
		await expect(run({ ...base, additionalFields: { payload: '{oops' } })).rejects.toThrow('Payload must be a JSON object');
		const [first] = await run({ ...base, additionalFields: { dedupeKey: 'r:1', payload: '{"days": 90}' } });
		const [second] = await run({ ...base, additionalFields: { dedupeKey: 'r:1' } });
		expect(first.json.enqueued).toBe(true);
		expect(second.json).toEqual({ eventId: null, enqueued: false });
		await expect(run({ ...base, eventType: 'Not A Type', additionalFields: {} })).rejects.toThrow(/whatsapp_events_event_type_shape/);
	});
});

describe('Workflow record, Action link and Contact', () => {
	test('records a no-show reschedule attempt, a review with rating, and a reactivation', async () => {
		const id = await insertAppointment(db.app, clinic);
		await run({ resource: 'appointment', operation: 'markNoShow', appointmentId: id });
		const [attempt] = await run({ resource: 'workflowRecord', operation: 'noShowRescheduleAttempt', appointmentId: id, attempt: 2, patientResponse: 'yes' });
		expect((attempt.json.records as IDataObject[])[0]).toMatchObject({ workflow_type: 'reschedule_prompt', status: 'completed', response: 'yes', attempt: 2 });

		const done = await insertAppointment(db.app, clinic);
		await run({ resource: 'appointment', operation: 'complete', appointmentId: done });
		const [review] = await run({ resource: 'workflowRecord', operation: 'review', appointmentId: done, reviewSubmitted: true, rating: 5 });
		expect((review.json.records as IDataObject[])[0]).toMatchObject({ workflow_type: 'review_request', review_submitted: true, rating: 5 });
		await expect(run({ resource: 'workflowRecord', operation: 'review', appointmentId: done, reviewSubmitted: true, rating: 9 })).rejects.toThrow(
			'rating must be a whole number from 1 to 5, got 9',
		);
		await expect(run({ resource: 'workflowRecord', operation: 'review', appointmentId: id, reviewSubmitted: false, rating: 0 })).rejects.toThrow(
			'has no review_request conversation',
		);

		const [reactivation] = await run({ resource: 'workflowRecord', operation: 'reactivation', patientId: clinic.patientId, workflowType: 'reactivation_30d', patientResponse: '' });
		expect(reactivation.json).toMatchObject({ workflow_type: 'reactivation_30d', patient_id: clinic.patientId, status: 'completed' });
	});

	test('a parameter PostgreSQL would refuse or store altered fails the item naming it, and nothing is recorded', async () => {
		const id = await insertAppointment(db.app, clinic);
		await run({ resource: 'appointment', operation: 'markNoShow', appointmentId: id });
		const records = async () => (await db.app.query("SELECT count(*)::int AS n FROM whatsapp_workflows WHERE appointment_id = $1 AND workflow_type = 'reschedule_prompt'", [id])).rows[0].n;
		const before = await records();
		const attempt = (value: unknown, patientResponse = 'yes') =>
			run({ resource: 'workflowRecord', operation: 'noShowRescheduleAttempt', appointmentId: id, attempt: value, patientResponse });
		await expect(attempt(2 ** 31)).rejects.toThrow('attempt must be a whole number from -2147483648 to 2147483647, got 2147483648');
		// PostgreSQL would round it to 2 and store that.
		await expect(attempt(1.5)).rejects.toThrow('attempt must be a whole number');
		await expect(attempt(1, 'sim\u0000')).rejects.toThrow('patientResponse must not contain NUL characters');
		await expect(attempt(1, 'sim\ud83d')).rejects.toThrow('patientResponse must be valid Unicode text');
		await expect(
			run({ resource: 'event', operation: 'enqueue', eventType: 'custom.test', entityType: 'custom', entityId: clinic.patientId, additionalFields: { payload: { note: 'a\u0000b' } } }),
		).rejects.toThrow('additionalFields payload.note: must not contain NUL characters');
		expect(await records()).toBe(before);
		// A line break in a reply is the patient's, and kept.
		const [kept] = await attempt(1, 'sim,\nobrigado');
		expect((kept.json.records as IDataObject[])[0]).toMatchObject({ response: 'sim,\nobrigado' });
	});

	test('creates an action link that validates for its action only', async () => {
		const id = await insertAppointment(db.app, clinic);
		const [link] = await run({ resource: 'actionLink', operation: 'create', appointmentId: id, linkAction: 'cancel', expiresInDays: 2 });
		const url = new URL(link.json.url as string);
		expect(url.origin + url.pathname).toBe('https://clinic.example/api/action');
		const check = await db.app.query('SELECT valid, error_code FROM validate_action_token($1, $2)', [url.searchParams.get('token'), 'confirm']);
		expect(check.rows[0]).toEqual({ valid: false, error_code: 'wrong_action' });
	});

	test('opts a patient out by the number WhatsApp sends (no plus), then back in', async () => {
		const [out] = await run({ resource: 'contact', operation: 'optOut', findBy: 'phone', phone: '351912345678' });
		expect(out.json).toMatchObject({ patientId: clinic.patientId, optedOut: true });
		const [back] = await run({ resource: 'contact', operation: 'optIn', findBy: 'id', patientId: clinic.patientId });
		expect(back.json).toMatchObject({ optedOut: false, optedOutAt: null });
		await expect(run({ resource: 'contact', operation: 'optOut', findBy: 'phone', phone: '+999' })).rejects.toThrow('E.164');
	});
});
