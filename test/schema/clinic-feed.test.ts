import { appointmentRecord, locationRecord, patientRecord, professionalRecord, specialtyRecord, type Raw } from '../../core/appointments/feed-records';
import {
	setAppointmentStatusByKey,
	upsertAppointment,
	upsertLocation,
	upsertPatient,
	upsertProfessional,
	upsertSpecialty,
} from '../../core/appointments/upsert';
import { freshDatabase, type TestDatabase } from '../helpers/database';

/** Appointments fed from other systems into the built-in tables, by the source's own ids. */

let db: TestDatabase;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query("UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL, reminder_offsets = ARRAY[interval '24 hours']");
});
afterAll(() => db.drop());

const DAY = 24 * 60 * 60 * 1000;
let counter = 0;

/** An appointment as a Cal.com booking maps onto it: `days` from now, on the hour, in UTC. */
function booking(overrides: Raw = {}, days = 5): Raw {
	counter += 1;
	const start = new Date(Math.ceil((Date.now() + days * DAY) / 3_600_000) * 3_600_000);
	return {
		source: 'cal.com',
		externalId: `uid-${counter}`,
		startsAt: start.toISOString(),
		durationMinutes: 60,
		status: 'scheduled',
		patientName: 'Ana Conceição',
		patientPhone: '+351 912 345 678',
		patientEmail: 'ana@example.com',
		patientLocale: 'pt',
		professionalExternalId: '5',
		professionalName: 'Dr. Maria Santos',
		specialtyExternalId: '7',
		specialtyName: 'Consulta 60 min',
		...overrides,
	};
}

interface EventRow {
	event_type: string;
	status: string;
	status_reason: string | null;
	scheduled_for: Date;
}

async function eventsOf(appointmentId: string): Promise<EventRow[]> {
	const { rows } = await db.admin.query<EventRow>(
		'SELECT event_type, status, status_reason, scheduled_for FROM whatsapp_events WHERE entity_id = $1 ORDER BY created_at, scheduled_for',
		[appointmentId],
	);
	return rows;
}

const count = async (table: string) => Number((await db.admin.query(`SELECT count(*) FROM ${table}`)).rows[0].count);

describe('upsertAppointment', () => {
	test('creates the appointment with its patient, professional and specialty, and plans its messages', async () => {
		const raw = booking();
		const result = await upsertAppointment(db.app, appointmentRecord(raw));
		expect(result).toMatchObject({
			outcome: 'created',
			source: 'cal.com',
			externalId: raw.externalId,
			status: 'scheduled',
			startsAt: new Date(raw.startsAt as string),
			patient: { outcome: 'created' },
			professional: { outcome: 'created' },
			specialty: { outcome: 'created' },
		});
		const row = await db.admin.query(
			`SELECT a.duration_minutes, p.name, p.phone, p.locale, p.external_id AS patient_key, pr.name AS professional, s.name AS specialty,
			        pr.specialty_id = s.id AS professional_in_specialty
			   FROM appointments a JOIN patients p ON p.id = a.patient_id
			   JOIN professionals pr ON pr.id = a.professional_id JOIN specialties s ON s.id = a.specialty_id
			  WHERE a.id = $1`,
			[result.id],
		);
		expect(row.rows[0]).toEqual({
			duration_minutes: 60,
			name: 'Ana Conceição',
			phone: '+351912345678',
			locale: 'pt-PT',
			patient_key: '+351912345678',
			professional: 'Dr. Maria Santos',
			specialty: 'Consulta 60 min',
			professional_in_specialty: true,
		});
		const events = await eventsOf(result.id);
		expect(events.map((e) => [e.event_type, e.status])).toEqual([
			['appointment.pre_confirmed', 'pending'],
			['appointment.reminder', 'pending'],
		]);
	});

	test('the same input twice writes nothing the second time and plans nothing twice', async () => {
		const raw = booking();
		const first = await upsertAppointment(db.app, appointmentRecord(raw));
		const updatedAt = (await db.admin.query('SELECT updated_at FROM appointments WHERE id = $1', [first.id])).rows[0].updated_at;
		const before = await count('whatsapp_events');
		const again = await upsertAppointment(db.app, appointmentRecord(raw));
		expect(again).toMatchObject({
			id: first.id,
			outcome: 'unchanged',
			patient: { id: first.patient.id, outcome: 'unchanged' },
			professional: { outcome: 'unchanged' },
			specialty: { outcome: 'unchanged' },
		});
		expect(await count('whatsapp_events')).toBe(before);
		expect((await db.admin.query('SELECT updated_at FROM appointments WHERE id = $1', [first.id])).rows[0].updated_at).toEqual(updatedAt);
	});

	test('a moved start supersedes the pending reminder and plans one for the new time', async () => {
		const raw = booking();
		const { id } = await upsertAppointment(db.app, appointmentRecord(raw));
		const later = new Date(new Date(raw.startsAt as string).getTime() + 2 * DAY);
		const moved = await upsertAppointment(db.app, appointmentRecord({ ...raw, startsAt: later.toISOString() }));
		expect(moved).toMatchObject({ id, outcome: 'updated', startsAt: later });
		const reminders = (await eventsOf(id)).filter((e) => e.event_type === 'appointment.reminder');
		expect(reminders.map((e) => [e.status, e.status_reason])).toEqual([
			['cancelled', 'superseded: appointment rescheduled'],
			['pending', null],
		]);
		expect(reminders[1].scheduled_for).toEqual(new Date(later.getTime() - DAY));
	});

	test('a new id naming the old one (a rescheduled booking) moves that appointment instead of creating another', async () => {
		const raw = booking();
		const { id } = await upsertAppointment(db.app, appointmentRecord(raw));
		const later = new Date(new Date(raw.startsAt as string).getTime() + DAY);
		const moved = await upsertAppointment(
			db.app,
			appointmentRecord({ ...raw, externalId: `${raw.externalId}-new`, previousExternalId: raw.externalId, startsAt: later.toISOString() }),
		);
		expect(moved).toMatchObject({ id, outcome: 'updated', rekeyed: true, externalId: `${raw.externalId}-new` });
		const events = await eventsOf(id);
		expect(events.filter((e) => e.event_type === 'appointment.pre_confirmed')).toHaveLength(1);
		expect(events.filter((e) => e.event_type === 'appointment.reminder').map((e) => e.status)).toEqual(['cancelled', 'pending']);
	});

	test('a cancellation cancels the pending pre-confirmation and reminders and keeps the reason', async () => {
		const raw = booking();
		const { id } = await upsertAppointment(db.app, appointmentRecord(raw));
		const cancelled = await upsertAppointment(db.app, appointmentRecord({ ...raw, status: 'cancelled', cancellationReason: 'Patient travelling' }));
		expect(cancelled).toMatchObject({ id, outcome: 'updated', status: 'cancelled' });
		expect((await eventsOf(id)).map((e) => [e.event_type, e.status, e.status_reason])).toEqual([
			['appointment.pre_confirmed', 'cancelled', 'appointment cancelled'],
			['appointment.reminder', 'cancelled', 'appointment cancelled'],
		]);
		expect((await db.admin.query('SELECT cancellation_reason FROM appointments WHERE id = $1', [id])).rows[0].cancellation_reason).toBe(
			'Patient travelling',
		);
	});

	test("a repeated 'scheduled' keeps the confirmation the patient gave; at a new time it applies", async () => {
		const raw = booking();
		const { id } = await upsertAppointment(db.app, appointmentRecord(raw));
		await db.app.query("UPDATE appointments SET status = 'confirmed' WHERE id = $1", [id]);
		expect(await upsertAppointment(db.app, appointmentRecord(raw))).toMatchObject({ outcome: 'unchanged', status: 'confirmed' });
		const later = new Date(new Date(raw.startsAt as string).getTime() + DAY).toISOString();
		expect(await upsertAppointment(db.app, appointmentRecord({ ...raw, startsAt: later }))).toMatchObject({ outcome: 'updated', status: 'scheduled' });
	});

	test('a wall-clock start is the location’s time; an instant is placed on the location’s wall clock', async () => {
		await upsertLocation(db.app, locationRecord({ externalId: 'sao-paulo', name: 'Clínica São Paulo', timezone: 'America/Sao_Paulo' }));
		const wall = await upsertAppointment(db.app, appointmentRecord(booking({ startsAt: '2031-03-10 09:30', locationExternalId: 'sao-paulo' })));
		expect(wall.startsAt).toEqual(new Date('2031-03-10T12:30:00Z'));
		const instant = await upsertAppointment(db.app, appointmentRecord(booking({ startsAt: '2031-03-10T12:30:00Z', locationExternalId: 'sao-paulo' })));
		const row = await db.admin.query("SELECT to_char(date, 'YYYY-MM-DD') AS date, to_char(time, 'HH24:MI') AS time FROM appointments WHERE id = $1", [instant.id]);
		expect(row.rows[0]).toEqual({ date: '2031-03-10', time: '09:30' });
	});

	test('a no-show by key starts the reschedule prompt once', async () => {
		const raw = booking({}, 1);
		const { id } = await upsertAppointment(db.app, appointmentRecord(raw));
		const key = { source: 'cal.com', externalId: raw.externalId as string, status: 'no_show' as const };
		expect(await setAppointmentStatusByKey(db.app, key)).toMatchObject({ id, outcome: 'updated', previousStatus: 'scheduled', status: 'no_show' });
		expect(await setAppointmentStatusByKey(db.app, key)).toMatchObject({ id, outcome: 'unchanged', status: 'no_show' });
		expect((await eventsOf(id)).filter((e) => e.event_type === 'appointment.no_show')).toHaveLength(1);
		await expect(setAppointmentStatusByKey(db.app, { ...key, externalId: 'nope' })).rejects.toThrow('No appointment "nope" from cal.com');
	});
});

describe('bad input', () => {
	test.each([
		[{ startsAt: '' }, 'startsAt is missing: an appointment needs its start time'],
		[{ startsAt: 'next tuesday' }, 'startsAt "next tuesday" is not a date and time'],
		[{ patientPhone: undefined }, "patientPhone is missing: WhatsApp messages need the patient's phone number"],
		[{ patientPhone: '912 345 678' }, 'patientPhone "912 345 678" is not an international number'],
		[{ externalId: ' ' }, "externalId is missing: the source system's own ID of the appointment"],
		[{ status: 'ACCEPTED' }, 'status must be one of scheduled, confirmed, cancelled, no_show, completed, got "ACCEPTED"'],
		[{ professionalName: '' }, 'professionalName is missing'],
	])('%j fails with the reason', (overrides, message) => {
		expect(() => appointmentRecord(booking(overrides))).toThrow(message);
	});

	test('an unknown location fails the item and writes nothing, not even its patient', async () => {
		const patients = await count('patients');
		await expect(upsertAppointment(db.app, appointmentRecord(booking({ patientPhone: '+34600111222', locationExternalId: 'atlantis' })))).rejects.toThrow(
			'No location "atlantis"',
		);
		expect(await count('patients')).toBe(patients);
	});
});

describe('the other records', () => {
	test('patients, professionals, specialties and locations are upserted by key and unchanged on repeat', async () => {
		const specialty = specialtyRecord({ source: 'clinic-db', externalId: 'S1', name: 'Ortodontia' });
		expect((await upsertSpecialty(db.app, specialty)).outcome).toBe('created');
		expect((await upsertSpecialty(db.app, specialty)).outcome).toBe('unchanged');
		expect((await upsertSpecialty(db.app, { ...specialty, name: 'Ortodontia Infantil' })).outcome).toBe('updated');

		const professional = professionalRecord({ source: 'clinic-db', externalId: 'P1', name: 'Dr. Rui Costa', specialtyExternalId: 'S1' });
		const created = await upsertProfessional(db.app, professional);
		expect(created.outcome).toBe('created');
		expect((await upsertProfessional(db.app, professional)).outcome).toBe('unchanged');
		await expect(upsertProfessional(db.app, { ...professional, specialtyExternalId: 'S9' })).rejects.toThrow('No specialty "S9" from clinic-db');

		const patient = patientRecord({ source: 'clinic-db', externalId: '42', name: 'Rui', phone: '0044 7700 900123', email: 'rui@example.com' });
		expect(patient.phone).toBe('+447700900123');
		const p = await upsertPatient(db.app, patient);
		expect((await upsertPatient(db.app, { ...patient, email: undefined })).outcome).toBe('unchanged');
		expect((await db.admin.query('SELECT email FROM patients WHERE id = $1', [p.id])).rows[0].email).toBe('rui@example.com');

		const location = locationRecord({ externalId: 'porto', name: 'Clínica do Porto', quietHoursStart: '21:00', quietHoursEnd: '08:00' });
		expect((await upsertLocation(db.app, location)).outcome).toBe('created');
		expect((await upsertLocation(db.app, location)).outcome).toBe('unchanged');
		expect((await upsertLocation(db.app, { ...location, publicBaseUrl: 'https://porto.example' })).outcome).toBe('updated');
		const row = await db.admin.query("SELECT timezone, locale, public_base_url FROM locations WHERE external_id = 'porto'");
		expect(row.rows[0]).toEqual({ timezone: 'Europe/Lisbon', locale: 'pt-PT', public_base_url: 'https://porto.example' });
		expect(() => locationRecord({ externalId: 'x', name: 'X', timezone: 'Mars/Olympus' })).toThrow('timezone "Mars/Olympus" is not an IANA timezone');
		expect(() => locationRecord({ externalId: 'x', name: 'X', quietHoursStart: '21:00' })).toThrow('give both or neither');
	});

	test('rows written otherwise keep NULL keys and never collide', async () => {
		await db.app.query("INSERT INTO specialties (name) VALUES ('A'), ('B')");
		expect(Number((await db.admin.query('SELECT count(*) FROM specialties WHERE source IS NULL AND external_id IS NULL')).rows[0].count)).toBeGreaterThanOrEqual(2);
	});
});
