import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { ackEvents, claimEvents } from '../../core/outbox/operations';

/** Reminders before an appointment: trg_appointment_reminders and barnum_settings.reminder_offsets. */

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

const HOUR = 60 * 60 * 1000;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
	clinic = await seedClinic(db.app);
});
afterAll(() => db.drop());
afterEach(() =>
	db.admin.query("UPDATE barnum_settings SET reminder_offsets = ARRAY[interval '24 hours'], timezone = 'Europe/Lisbon'"),
);

interface EventRow {
	id: string;
	event_type: string;
	status: string;
	status_reason: string | null;
	scheduled_for: Date;
	payload: { offset?: string; starts_at?: string };
	workflow_type: string | null;
	workflow_status: string | null;
	workflow_response: string | null;
}

async function eventsOf(appointmentId: string, eventType?: string): Promise<EventRow[]> {
	const { rows } = await db.admin.query<EventRow>(
		`SELECT e.id, e.event_type, e.status, e.status_reason, e.scheduled_for, e.payload,
		        w.workflow_type, w.status AS workflow_status, w.response AS workflow_response
		   FROM whatsapp_events e LEFT JOIN whatsapp_workflows w ON w.id = e.workflow_id
		  WHERE e.entity_id = $1 AND ($2::text IS NULL OR e.event_type = $2)
		  ORDER BY e.created_at, e.scheduled_for`,
		[appointmentId, eventType ?? null],
	);
	return rows;
}

const remindersOf = (appointmentId: string) => eventsOf(appointmentId, 'appointment.reminder');

async function startsAt(appointmentId: string): Promise<Date> {
	const { rows } = await db.admin.query<{ starts_at: Date }>('SELECT starts_at FROM appointments WHERE id = $1', [appointmentId]);
	return rows[0].starts_at;
}

const setOffsets = (offsets: string[]) => db.admin.query('UPDATE barnum_settings SET reminder_offsets = $1::interval[]', [offsets]);

test('an appointment three days ahead gets one reminder, 24 hours before it starts', async () => {
	const id = await insertAppointment(db.app, clinic, { daysAhead: 3 });
	const start = await startsAt(id);
	const reminders = await remindersOf(id);
	expect(reminders).toHaveLength(1);
	expect(reminders[0]).toMatchObject({
		status: 'pending',
		workflow_type: 'appointment_reminder',
		workflow_status: 'pending',
		payload: { offset: '24:00:00' },
	});
	expect(reminders[0].scheduled_for.getTime()).toBe(start.getTime() - 24 * HOUR);
	expect(new Date(reminders[0].payload.starts_at!).getTime()).toBe(start.getTime());
});

test('each configured offset gets its own reminder', async () => {
	await setOffsets(['48 hours', '2 hours']);
	const id = await insertAppointment(db.app, clinic, { daysAhead: 3 });
	const start = (await startsAt(id)).getTime();
	const reminders = await remindersOf(id);
	expect(reminders.map((r) => start - r.scheduled_for.getTime()).sort((a, b) => b - a)).toEqual([48 * HOUR, 2 * HOUR]);
	expect(reminders.every((r) => r.status === 'pending')).toBe(true);
});

test('a reminder that would fall in the past is not scheduled; the ones still ahead are', async () => {
	await setOffsets(['24 hours', '2 hours']);
	// Twelve hours from now, on the clinic's wall clock.
	const { rows } = await db.app.query<{ id: string }>(
		`INSERT INTO appointments (patient_id, date, time)
		 SELECT $1, local::date, local::time
		   FROM (SELECT date_trunc('minute', (now() + interval '12 hours') AT TIME ZONE s.timezone) AS local FROM barnum_settings s) t
		 RETURNING id`,
		[clinic.patientId],
	);
	const id = rows[0].id;
	const start = (await startsAt(id)).getTime();
	const reminders = await remindersOf(id);
	expect(reminders.map((r) => start - r.scheduled_for.getTime())).toEqual([2 * HOUR]);
	// It still gets its pre-confirmation.
	expect((await eventsOf(id, 'appointment.pre_confirmed')).map((e) => e.status)).toEqual(['pending']);
});

test('rescheduling cancels the old reminder and plans one for the new time; the pre-confirmation stays', async () => {
	const id = await insertAppointment(db.app, clinic, { daysAhead: 3 });
	const [old] = await remindersOf(id);
	await db.app.query("UPDATE appointments SET date = date + 2, time = '15:30' WHERE id = $1", [id]);
	const start = await startsAt(id);

	const reminders = await remindersOf(id);
	expect(reminders).toHaveLength(2);
	const cancelled = reminders.find((r) => r.id === old.id)!;
	expect(cancelled.status).toBe('cancelled');
	expect(cancelled.status_reason).toMatch(/^superseded/);
	expect(cancelled.workflow_status).toBe('cancelled');
	const planned = reminders.find((r) => r.id !== old.id)!;
	expect(planned.status).toBe('pending');
	expect(planned.scheduled_for.getTime()).toBe(start.getTime() - 24 * HOUR);
	expect(new Date(planned.payload.starts_at!).getTime()).toBe(start.getTime());
	expect((await eventsOf(id, 'appointment.pre_confirmed')).map((e) => e.status)).toEqual(['pending']);
});

test('an update that does not move the appointment leaves its reminders alone', async () => {
	const id = await insertAppointment(db.app, clinic, { daysAhead: 3 });
	await db.app.query("UPDATE appointments SET time = '10:00', status = 'confirmed', notes = 'called back' WHERE id = $1", [id]);
	expect((await remindersOf(id)).map((r) => r.status)).toEqual(['pending']);
});

test('cancelling cancels the pending pre-confirmation and every pending reminder, with the reason', async () => {
	await setOffsets(['48 hours', '24 hours']);
	const id = await insertAppointment(db.app, clinic, { daysAhead: 4 });
	const other = await insertAppointment(db.app, clinic, { daysAhead: 4 });
	await db.app.query("UPDATE appointments SET status = 'cancelled', cancellation_reason = 'patient travelling' WHERE id = $1", [id]);

	const events = await eventsOf(id);
	expect(events.map((e) => e.event_type).sort()).toEqual(['appointment.pre_confirmed', 'appointment.reminder', 'appointment.reminder']);
	for (const event of events) {
		expect(event).toMatchObject({
			status: 'cancelled',
			status_reason: 'appointment cancelled',
			workflow_status: 'cancelled',
			workflow_response: 'appointment cancelled',
		});
	}
	// Another appointment of the same patient keeps its messages.
	expect((await eventsOf(other)).map((e) => e.status)).toEqual(['pending', 'pending', 'pending']);
});

test('a reminder already sent is left as it was by a later reschedule', async () => {
	const id = await insertAppointment(db.app, clinic, { daysAhead: 3 });
	const [reminder] = await remindersOf(id);
	await db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE status = 'pending' AND id <> $1", [reminder.id]);
	await db.admin.query('UPDATE whatsapp_events SET scheduled_for = now() WHERE id = $1', [reminder.id]);
	const { events } = await claimEvents(db.app, { consumerId: 'reminders', limit: 10, leaseSeconds: 30 });
	expect(events.map((e) => e.id)).toEqual([reminder.id]);
	await ackEvents(db.app, [{ id: reminder.id, messageId: 'wamid.REMINDER' }]);

	await db.app.query('UPDATE appointments SET date = date + 1 WHERE id = $1', [id]);
	const reminders = await remindersOf(id);
	expect(reminders.find((r) => r.id === reminder.id)).toMatchObject({ status: 'sent', status_reason: null, workflow_status: 'sent' });
	const planned = reminders.filter((r) => r.id !== reminder.id);
	expect(planned.map((r) => r.status)).toEqual(['pending']);
	expect(planned[0].scheduled_for.getTime()).toBe((await startsAt(id)).getTime() - 24 * HOUR);
});

test('reinstating a cancelled appointment plans its reminders again, once', async () => {
	const id = await insertAppointment(db.app, clinic, { daysAhead: 3 });
	await db.app.query("UPDATE appointments SET status = 'cancelled' WHERE id = $1", [id]);
	expect((await remindersOf(id)).map((r) => r.status)).toEqual(['cancelled']);

	await db.app.query("UPDATE appointments SET status = 'scheduled', cancellation_reason = NULL WHERE id = $1", [id]);
	const start = await startsAt(id);
	let pending = (await remindersOf(id)).filter((r) => r.status === 'pending');
	expect(pending).toHaveLength(1);
	expect(pending[0].scheduled_for.getTime()).toBe(start.getTime() - 24 * HOUR);

	// Confirming afterwards is not a reinstatement: no second reminder.
	await db.app.query("UPDATE appointments SET status = 'confirmed' WHERE id = $1", [id]);
	pending = (await remindersOf(id)).filter((r) => r.status === 'pending');
	expect(pending).toHaveLength(1);
});

test('appointments created cancelled, or already over, get no reminder', async () => {
	const cancelled = await insertAppointment(db.app, clinic, { daysAhead: 3, status: 'cancelled' });
	const completed = await insertAppointment(db.app, clinic, { daysAhead: 3, status: 'completed' });
	expect(await remindersOf(cancelled)).toEqual([]);
	expect(await remindersOf(completed)).toEqual([]);
});

describe('the clinic timezone', () => {
	test('a 10:00 Lisbon appointment the day after the March change is reminded exactly 24 hours earlier', async () => {
		// Portugal moves to UTC+1 at 01:00 UTC on Sunday 28 March 2027: 10:00 on the 29th is 09:00Z.
		const id = await insertAppointment(db.app, clinic, { date: '2027-03-29', time: '10:00' });
		expect((await startsAt(id)).toISOString()).toBe('2027-03-29T09:00:00.000Z');
		const reminders = await remindersOf(id);
		expect(reminders.map((r) => r.scheduled_for.toISOString())).toEqual(['2027-03-28T09:00:00.000Z']);
	});

	test('the same wall-clock time in another timezone is another instant, and so is its reminder', async () => {
		await db.admin.query("UPDATE barnum_settings SET timezone = 'America/Sao_Paulo'");
		const id = await insertAppointment(db.app, clinic, { date: '2027-07-01', time: '10:00' });
		const reminders = await remindersOf(id);
		expect(reminders.map((r) => r.scheduled_for.toISOString())).toEqual(['2027-06-30T13:00:00.000Z']);
	});
});
