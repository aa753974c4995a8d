import type pg from 'pg';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { claimEvents, enqueueEvent } from '../../core/outbox/operations';

/**
 * barnum_event_skip_reason, called by every claim: hours pass between enqueue and delivery, and a
 * message about an appointment that was cancelled, moved or deleted in the meantime must not go out.
 */

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
	clinic = await seedClinic(db.app);
});
afterAll(() => db.drop());
beforeEach(() => db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE status IN ('pending', 'processing')"));

const claim = () => claimEvents(db.app, { consumerId: 'recheck', limit: 100, leaseSeconds: 30 });

interface EventState {
	id: string;
	event_type: string;
	status: string;
	status_reason: string | null;
	workflow_status: string | null;
	workflow_response: string | null;
}

/** Every event of an appointment or a patient, with its conversation record's state. */
async function eventsOf(entityId: string): Promise<EventState[]> {
	const { rows } = await db.admin.query<EventState>(
		`SELECT e.id, e.event_type, e.status, e.status_reason, w.status AS workflow_status, w.response AS workflow_response
		   FROM whatsapp_events e LEFT JOIN whatsapp_workflows w ON w.id = e.workflow_id
		  WHERE e.entity_id = $1 ORDER BY e.created_at, e.event_type`,
		[entityId],
	);
	return rows;
}

async function eventOf(entityId: string, eventType: string): Promise<EventState> {
	const matching = (await eventsOf(entityId)).filter((e) => e.event_type === eventType);
	expect(matching).toHaveLength(1);
	return matching[0];
}

/** Makes an entity's pending events due now (reminders, no-show prompts and reviews wait hours). */
const makeDue = (entityId: string) =>
	db.admin.query("UPDATE whatsapp_events SET scheduled_for = now() WHERE entity_id = $1 AND status = 'pending'", [entityId]);

/**
 * Writes as a logical-replication apply worker would (session_replication_role = replica): no
 * ordinary trigger fires, so the queued events are not cancelled when the row changes, and only
 * the re-check at claim stands between them and the patient.
 */
async function behindTheTriggers(work: (client: pg.PoolClient) => Promise<unknown>): Promise<void> {
	const client = await db.admin.connect();
	try {
		await client.query('BEGIN');
		await client.query('SET LOCAL session_replication_role = replica');
		await work(client);
		await client.query('COMMIT');
	} catch (error) {
		await client.query('ROLLBACK');
		throw error;
	} finally {
		client.release();
	}
}

describe('cancelled appointments', () => {
	test('a pre-confirmation whose lease ran out is skipped once its appointment was cancelled', async () => {
		const appointmentId = await insertAppointment(db.app, clinic);
		// A consumer claims the pre-confirmation, then dies before sending it.
		const first = await claim();
		expect(first.events.map((e) => [e.eventType, e.entityId])).toEqual([['appointment.pre_confirmed', appointmentId]]);
		const eventId = first.events[0].id;
		// The patient cancels by phone: the trigger cancels what is pending, but this one is leased.
		await db.app.query("UPDATE appointments SET status = 'cancelled' WHERE id = $1", [appointmentId]);
		expect((await eventOf(appointmentId, 'appointment.pre_confirmed')).status).toBe('processing');
		await db.admin.query("UPDATE whatsapp_events SET locked_until = now() - interval '1 second' WHERE id = $1", [eventId]);

		const again = await claim();
		expect(again.events).toEqual([]);
		expect(again.skipped).toBe(1);
		expect(await eventOf(appointmentId, 'appointment.pre_confirmed')).toMatchObject({
			id: eventId,
			status: 'skipped',
			status_reason: 'appointment cancelled',
			workflow_status: 'skipped',
			workflow_response: 'appointment cancelled',
		});
		expect((await claim()).events).toEqual([]);
	});

	test('a pre-confirmation and a reminder still pending when the appointment was cancelled are skipped, not sent', async () => {
		const cancelled = await insertAppointment(db.app, clinic);
		const kept = await insertAppointment(db.app, clinic);
		await makeDue(cancelled);
		await makeDue(kept);
		await behindTheTriggers((client) => client.query("UPDATE appointments SET status = 'cancelled' WHERE id = $1", [cancelled]));
		expect((await eventsOf(cancelled)).map((e) => e.status)).toEqual(['pending', 'pending']);

		const { events, skipped } = await claim();
		expect(events.map((e) => [e.entityId, e.eventType]).sort()).toEqual([
			[kept, 'appointment.pre_confirmed'],
			[kept, 'appointment.reminder'],
		]);
		expect(skipped).toBe(2);
		const states = await eventsOf(cancelled);
		expect(states.map((e) => e.event_type).sort()).toEqual(['appointment.pre_confirmed', 'appointment.reminder']);
		for (const state of states) {
			expect(state).toMatchObject({
				status: 'skipped',
				status_reason: 'appointment cancelled',
				workflow_status: 'skipped',
				workflow_response: 'appointment cancelled',
			});
		}
	});

	test.each([
		['no_show', 'appointment already no-show'],
		['completed', 'appointment already completed'],
	])('a pre-confirmation for an appointment already marked %s is skipped', async (status, reason) => {
		const appointmentId = await insertAppointment(db.app, clinic);
		await db.app.query('UPDATE appointments SET status = $2 WHERE id = $1', [appointmentId, status]);
		const { events } = await claim();
		expect(events.filter((e) => e.eventType === 'appointment.pre_confirmed')).toEqual([]);
		expect(await eventOf(appointmentId, 'appointment.pre_confirmed')).toMatchObject({ status: 'skipped', status_reason: reason });
	});
});

describe('rescheduled appointments', () => {
	test('a reminder planned for the old slot is skipped when the event still names that slot', async () => {
		const appointmentId = await insertAppointment(db.app, clinic, { daysAhead: 5 });
		// The appointment moves a day later, written behind the triggers' back.
		await behindTheTriggers((client) =>
			client.query("UPDATE appointments SET date = date + 1, starts_at = starts_at + interval '1 day' WHERE id = $1", [appointmentId]),
		);
		await makeDue(appointmentId);

		const { events, skipped } = await claim();
		// The pre-confirmation does not depend on the slot and still goes out.
		expect(events.map((e) => [e.entityId, e.eventType])).toEqual([[appointmentId, 'appointment.pre_confirmed']]);
		expect(skipped).toBe(1);
		expect(await eventOf(appointmentId, 'appointment.reminder')).toMatchObject({
			status: 'skipped',
			status_reason: 'appointment rescheduled since this reminder was planned',
			workflow_status: 'skipped',
		});
	});

	test('a reminder whose planned starts_at differs from the appointment\'s is skipped; one that matches is sent', async () => {
		const moved = await insertAppointment(db.app, clinic, { daysAhead: 5 });
		const unmoved = await insertAppointment(db.app, clinic, { daysAhead: 5 });
		await db.admin.query(
			`UPDATE whatsapp_events
			    SET payload = jsonb_set(payload, '{starts_at}', to_jsonb((payload ->> 'starts_at')::timestamptz - interval '2 hours'))
			  WHERE entity_id = $1 AND event_type = 'appointment.reminder'`,
			[moved],
		);
		await db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE event_type = 'appointment.pre_confirmed' AND status = 'pending'");
		await makeDue(moved);
		await makeDue(unmoved);

		const { events, skipped } = await claim();
		expect(events.map((e) => [e.entityId, e.eventType])).toEqual([[unmoved, 'appointment.reminder']]);
		expect(skipped).toBe(1);
		expect(await eventOf(moved, 'appointment.reminder')).toMatchObject({
			status: 'skipped',
			status_reason: 'appointment rescheduled since this reminder was planned',
		});
	});

	test('rescheduling the ordinary way cancels the old reminder at once, and the new one is delivered', async () => {
		const appointmentId = await insertAppointment(db.app, clinic, { daysAhead: 5 });
		const oldReminder = await eventOf(appointmentId, 'appointment.reminder');
		await db.app.query('UPDATE appointments SET date = date + 1 WHERE id = $1', [appointmentId]);

		const reminders = (await eventsOf(appointmentId)).filter((e) => e.event_type === 'appointment.reminder');
		expect(reminders).toHaveLength(2);
		expect(reminders.find((e) => e.id === oldReminder.id)).toMatchObject({
			status: 'cancelled',
			status_reason: 'superseded: appointment rescheduled',
			workflow_status: 'cancelled',
		});
		const newReminder = reminders.find((e) => e.id !== oldReminder.id)!;
		expect(newReminder.status).toBe('pending');

		await makeDue(appointmentId);
		const { events, skipped } = await claim();
		expect(skipped).toBe(0);
		const delivered = events.find((e) => e.eventType === 'appointment.reminder');
		expect(delivered?.id).toBe(newReminder.id);
		const { rows } = await db.admin.query<{ starts_at: Date }>('SELECT starts_at FROM appointments WHERE id = $1', [appointmentId]);
		expect(new Date(delivered!.message.appointment!.starts_at).getTime()).toBe(rows[0].starts_at.getTime());
	});
});

describe('the patient', () => {
	test('once a patient opts out, every event about them is skipped, whatever its type', async () => {
		const patient = await seedClinic(db.app, { name: 'Ana Costa', phone: '+351913000001' });
		const upcoming = await insertAppointment(db.app, patient);
		const missed = await insertAppointment(db.app, patient);
		await db.app.query("UPDATE appointments SET status = 'no_show' WHERE id = $1", [missed]);
		const done = await insertAppointment(db.app, patient);
		await db.app.query("UPDATE appointments SET status = 'completed' WHERE id = $1", [done]);
		await enqueueEvent(db.app, { eventType: 'patient.reactivation', entityType: 'patient', entityId: patient.patientId });
		const otherPatientsAppointment = await insertAppointment(db.app, clinic);

		await db.app.query('INSERT INTO contact_preferences (patient_id, whatsapp_opted_out_at) VALUES ($1, now()) ON CONFLICT (patient_id) DO UPDATE SET whatsapp_opted_out_at = now()', [patient.patientId]);
		for (const id of [upcoming, missed, done, patient.patientId, otherPatientsAppointment]) await makeDue(id);

		const { events, skipped } = await claim();
		const hers = [
			...(await eventsOf(upcoming)),
			...(await eventsOf(missed)),
			...(await eventsOf(done)),
			...(await eventsOf(patient.patientId)),
		];
		expect(hers.map((e) => e.event_type).sort()).toEqual([
			'appointment.no_show',
			'appointment.pre_confirmed',
			'appointment.pre_confirmed',
			'appointment.pre_confirmed',
			'appointment.reminder',
			'appointment.reminder',
			'appointment.reminder',
			'appointment.review_request',
			'patient.reactivation',
		]);
		for (const state of hers) {
			expect(state).toMatchObject({ status: 'skipped', status_reason: 'patient opted out of WhatsApp messages' });
		}
		expect(skipped).toBe(hers.length);
		// Only the other patient's messages go out.
		expect(new Set(events.map((e) => e.entityId))).toEqual(new Set([otherPatientsAppointment]));
		expect(events).toHaveLength(2);
	});

	test('a patient without a phone number gets nothing: the events are skipped with the reason', async () => {
		const patient = await seedClinic(db.app, { name: 'Rui Sem Telefone', phone: null });
		const appointmentId = await insertAppointment(db.app, patient);
		await enqueueEvent(db.app, { eventType: 'patient.birthday', entityType: 'patient', entityId: patient.patientId });
		const { events, skipped } = await claim();
		expect(events).toEqual([]);
		expect(skipped).toBe(2);
		expect(await eventOf(appointmentId, 'appointment.pre_confirmed')).toMatchObject({
			status: 'skipped',
			status_reason: 'patient has no phone number',
			workflow_status: 'skipped',
		});
		expect(await eventOf(patient.patientId, 'patient.birthday')).toMatchObject({
			status: 'skipped',
			status_reason: 'patient has no phone number',
		});
	});

	test('an event about a patient who was deleted is skipped', async () => {
		const patient = await seedClinic(db.app, { name: 'Temporário', phone: '+351913000002' });
		await enqueueEvent(db.app, { eventType: 'patient.reactivation', entityType: 'patient', entityId: patient.patientId });
		await db.admin.query('DELETE FROM patients WHERE id = $1', [patient.patientId]);
		const { events, skipped } = await claim();
		expect(events).toEqual([]);
		expect(skipped).toBe(1);
		expect(await eventOf(patient.patientId, 'patient.reactivation')).toMatchObject({
			status: 'skipped',
			status_reason: 'patient no longer exists',
		});
	});
});

describe('follow-ups whose status was corrected', () => {
	test('a no-show prompt is skipped when the no-show was corrected back; one that stands is sent', async () => {
		const corrected = await insertAppointment(db.app, clinic);
		const stands = await insertAppointment(db.app, clinic);
		await db.app.query("UPDATE appointments SET status = 'no_show' WHERE id = ANY($1)", [[corrected, stands]]);
		// The receptionist clicked the wrong row.
		await db.app.query("UPDATE appointments SET status = 'scheduled' WHERE id = $1", [corrected]);
		await db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE event_type <> 'appointment.no_show' AND status = 'pending'");
		await makeDue(corrected);
		await makeDue(stands);

		const { events, skipped } = await claim();
		expect(events.map((e) => [e.entityId, e.eventType])).toEqual([[stands, 'appointment.no_show']]);
		expect(skipped).toBe(1);
		expect(await eventOf(corrected, 'appointment.no_show')).toMatchObject({
			status: 'skipped',
			status_reason: 'appointment no longer marked as a no-show',
			workflow_status: 'skipped',
		});
	});

	test('a review request is skipped when the appointment is no longer completed; one that stands is sent', async () => {
		const reopened = await insertAppointment(db.app, clinic);
		const stands = await insertAppointment(db.app, clinic);
		await db.app.query("UPDATE appointments SET status = 'completed' WHERE id = ANY($1)", [[reopened, stands]]);
		await db.app.query("UPDATE appointments SET status = 'confirmed' WHERE id = $1", [reopened]);
		await db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE event_type <> 'appointment.review_request' AND status = 'pending'");
		await makeDue(reopened);
		await makeDue(stands);

		const { events, skipped } = await claim();
		expect(events.map((e) => [e.entityId, e.eventType])).toEqual([[stands, 'appointment.review_request']]);
		expect(skipped).toBe(1);
		expect(await eventOf(reopened, 'appointment.review_request')).toMatchObject({
			status: 'skipped',
			status_reason: 'appointment no longer completed',
			workflow_status: 'skipped',
		});
	});
});

describe('appointments that are gone or past', () => {
	test('deleting an appointment cancels its pending events at once, with the reason', async () => {
		const appointmentId = await insertAppointment(db.app, clinic);
		await db.admin.query('DELETE FROM appointments WHERE id = $1', [appointmentId]);
		const states = await eventsOf(appointmentId);
		expect(states.map((e) => e.event_type).sort()).toEqual(['appointment.pre_confirmed', 'appointment.reminder']);
		for (const state of states) expect(state).toMatchObject({ status: 'cancelled', status_reason: 'appointment no longer exists' });
	});

	test('events for an appointment gone without the trigger hearing of it are skipped at claim', async () => {
		const appointmentId = await insertAppointment(db.app, clinic);
		await makeDue(appointmentId);
		// As when a contract view stops showing a row, or a bulk delete ran with triggers off.
		const client = await db.admin.connect();
		try {
			await client.query("SET session_replication_role = 'replica'");
			await client.query('DELETE FROM appointments WHERE id = $1', [appointmentId]);
		} finally {
			await client.query("RESET session_replication_role");
			client.release();
		}
		const { events, skipped } = await claim();
		expect(events).toEqual([]);
		expect(skipped).toBe(2);
		const states = await eventsOf(appointmentId);
		expect(states.map((e) => e.event_type).sort()).toEqual(['appointment.pre_confirmed', 'appointment.reminder']);
		for (const state of states) expect(state).toMatchObject({ status: 'skipped', status_reason: 'appointment no longer exists' });
	});

	test('a pre-confirmation for an appointment that has already started is skipped', async () => {
		const appointmentId = await insertAppointment(db.app, clinic);
		// Moved to this morning after the pre-confirmation was queued; the consumers were down meanwhile.
		await db.app.query("UPDATE appointments SET date = current_date - 1, time = '09:00' WHERE id = $1", [appointmentId]);
		const { events, skipped } = await claim();
		expect(events).toEqual([]);
		expect(skipped).toBe(1);
		expect(await eventOf(appointmentId, 'appointment.pre_confirmed')).toMatchObject({
			status: 'skipped',
			status_reason: 'appointment already started',
			workflow_status: 'skipped',
		});
	});

	test('a reminder for an appointment that has already started is skipped', async () => {
		const appointmentId = await insertAppointment(db.app, clinic);
		await behindTheTriggers((client) =>
			client.query(
				`UPDATE appointments SET date = current_date - 1, starts_at = starts_at - (date - (current_date - 1)) * interval '1 day'
				  WHERE id = $1`,
				[appointmentId],
			),
		);
		// The reminder names the slot as it now is, so only "already started" can stop it.
		await db.admin.query(
			`UPDATE whatsapp_events e SET payload = jsonb_set(e.payload, '{starts_at}', to_jsonb(a.starts_at)), scheduled_for = now()
			   FROM appointments a WHERE a.id = e.entity_id AND e.entity_id = $1 AND e.event_type = 'appointment.reminder'`,
			[appointmentId],
		);
		await db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE entity_id = $1 AND event_type = 'appointment.pre_confirmed'", [
			appointmentId,
		]);
		const { events, skipped } = await claim();
		expect(events).toEqual([]);
		expect(skipped).toBe(1);
		expect(await eventOf(appointmentId, 'appointment.reminder')).toMatchObject({
			status: 'skipped',
			status_reason: 'appointment already started',
		});
	});
});

test('custom entity types are never skipped, whatever their entity id points at', async () => {
	const deletedAppointment = await insertAppointment(db.app, clinic);
	await db.admin.query('DELETE FROM appointments WHERE id = $1', [deletedAppointment]);
	await db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE status = 'pending'");
	const ids = [
		await enqueueEvent(db.app, { eventType: 'appointment.reminder', entityType: 'custom', entityId: deletedAppointment }),
		await enqueueEvent(db.app, { eventType: 'resort.checkin', entityType: 'booking', entityId: '00000000-0000-4000-8000-000000000001' }),
		await enqueueEvent(db.app, { eventType: 'bench.noop', entityType: 'custom', entityId: clinic.patientId }),
	];
	await db.app.query('INSERT INTO contact_preferences (patient_id, whatsapp_opted_out_at) VALUES ($1, now()) ON CONFLICT (patient_id) DO UPDATE SET whatsapp_opted_out_at = now()', [clinic.patientId]);
	try {
		const { events, skipped } = await claim();
		expect(skipped).toBe(0);
		expect(events.map((e) => e.id).sort()).toEqual([...ids].sort());
	} finally {
		await db.app.query('UPDATE contact_preferences SET whatsapp_opted_out_at = NULL WHERE patient_id = $1', [clinic.patientId]);
	}
});
