import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

beforeAll(async () => {
	db = await freshDatabase();
	clinic = await seedClinic(db.app);
});
afterAll(() => db.drop());

/** The events the seed's three triggers queue (reminders are tested in test/outbox/reminders). */
async function eventsFor(appointmentId: string) {
	const { rows } = await db.admin.query(
		`SELECT e.event_type, e.entity_type, e.status, e.scheduled_for, e.max_retries, w.workflow_type, w.status AS workflow_status,
		        w.id = e.workflow_id AS linked, e.created_at
		   FROM whatsapp_events e JOIN whatsapp_workflows w ON w.id = e.workflow_id
		  WHERE e.entity_id = $1 AND e.event_type <> 'appointment.reminder' ORDER BY e.created_at`,
		[appointmentId],
	);
	return rows;
}

describe('trg_pre_confirmation', () => {
	test.each(['scheduled', 'confirmed', 'pre_confirmed'])('queues one pre-confirmation for a new %s appointment', async (status) => {
		const id = await insertAppointment(db.app, clinic, { status });
		const events = await eventsFor(id);
		expect(events).toHaveLength(1);
		expect(events[0]).toMatchObject({
			event_type: 'appointment.pre_confirmed',
			entity_type: 'appointment',
			status: 'pending',
			workflow_type: 'pre_confirmation_sent',
			workflow_status: 'pending',
			linked: true,
			max_retries: 3,
		});
		expect(events[0].scheduled_for.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
	});

	test.each(['cancelled', 'no_show', 'completed'])('queues nothing for a new %s appointment', async (status) => {
		const id = await insertAppointment(db.app, clinic, { status });
		expect(await eventsFor(id)).toEqual([]);
	});

	test('queues nothing for an appointment that already started (bulk import of history)', async () => {
		const id = await insertAppointment(db.app, clinic, { daysAhead: -30 });
		expect(await eventsFor(id)).toEqual([]);
	});

	test('fires for an appointment written by a role with no rights on the outbox', async () => {
		// A clinic app may write appointments with its own role; the trigger runs as its owner.
		const client = await db.admin.connect();
		try {
			await client.query('BEGIN');
			await client.query('SET LOCAL search_path = barnum_clinic, barnum');
			await client.query("DO $$ BEGIN CREATE ROLE barnum_test_writer NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
			await client.query('GRANT USAGE ON SCHEMA barnum_clinic TO barnum_test_writer');
			await client.query('GRANT INSERT, SELECT ON appointments TO barnum_test_writer');
			await client.query('CREATE POLICY writer_all ON appointments TO barnum_test_writer USING (true) WITH CHECK (true)');
			await client.query('SET LOCAL ROLE barnum_test_writer');
			const { rows } = await client.query(
				"INSERT INTO appointments (patient_id, date, time) VALUES ($1, current_date + 5, '09:30') RETURNING id",
				[clinic.patientId],
			);
			await client.query('RESET ROLE');
			const events = await client.query("SELECT event_type FROM whatsapp_events WHERE entity_id = $1 AND event_type <> 'appointment.reminder'", [rows[0].id]);
			expect(events.rows).toEqual([{ event_type: 'appointment.pre_confirmed' }]);
		} finally {
			await client.query('ROLLBACK');
			client.release();
		}
	});
});

describe('trg_no_show and trg_review', () => {
	async function transition(id: string, status: string) {
		const client = await db.app.connect();
		try {
			await client.query('BEGIN');
			const now = await client.query<{ now: Date }>('SELECT now()');
			await client.query('UPDATE appointments SET status = $2 WHERE id = $1', [id, status]);
			await client.query('COMMIT');
			return now.rows[0].now;
		} finally {
			client.release();
		}
	}

	test('marking a no-show queues a reschedule prompt exactly one hour later', async () => {
		const id = await insertAppointment(db.app, clinic);
		const at = await transition(id, 'no_show');
		const events = (await eventsFor(id)).filter((e) => e.event_type === 'appointment.no_show');
		expect(events).toHaveLength(1);
		expect(events[0].workflow_type).toBe('reschedule_prompt');
		expect(events[0].scheduled_for.getTime() - at.getTime()).toBe(60 * 60 * 1000);
	});

	test('completing queues a review request (not "confirmation_24h") exactly two hours later', async () => {
		const id = await insertAppointment(db.app, clinic);
		const at = await transition(id, 'completed');
		const events = (await eventsFor(id)).filter((e) => e.event_type === 'appointment.review_request');
		expect(events).toHaveLength(1);
		expect(events[0].workflow_type).toBe('review_request');
		expect(events[0].scheduled_for.getTime() - at.getTime()).toBe(2 * 60 * 60 * 1000);
	});

	test('delays follow barnum_settings', async () => {
		await db.admin.query("UPDATE barnum_settings SET no_show_delay = '15 minutes'");
		try {
			const id = await insertAppointment(db.app, clinic);
			const at = await transition(id, 'no_show');
			const [event] = (await eventsFor(id)).filter((e) => e.event_type === 'appointment.no_show');
			expect(event.scheduled_for.getTime() - at.getTime()).toBe(15 * 60 * 1000);
		} finally {
			await db.admin.query("UPDATE barnum_settings SET no_show_delay = '1 hour'");
		}
	});

	test('repeating the same status, or other updates, queues nothing more', async () => {
		const id = await insertAppointment(db.app, clinic);
		await transition(id, 'no_show');
		await transition(id, 'no_show');
		await db.app.query("UPDATE appointments SET notes = 'called' WHERE id = $1", [id]);
		const events = (await eventsFor(id)).map((e) => e.event_type);
		expect(events).toEqual(['appointment.pre_confirmed', 'appointment.no_show']);
	});
});

describe('appointment times in the clinic timezone', () => {
	test('starts_at follows Lisbon across the spring daylight-saving change', async () => {
		// Portugal moves from UTC+0 to UTC+1 at 01:00 UTC on the last Sunday of March 2027 (28th).
		const before = await insertAppointment(db.app, clinic, { date: '2027-03-27', time: '10:00' });
		const after = await insertAppointment(db.app, clinic, { date: '2027-03-29', time: '10:00' });
		const { rows } = await db.app.query<{ id: string; starts_at: Date }>(
			'SELECT id, starts_at FROM appointments WHERE id = ANY($1)',
			[[before, after]],
		);
		const byId = Object.fromEntries(rows.map((r) => [r.id, r.starts_at.toISOString()]));
		expect(byId[before]).toBe('2027-03-27T10:00:00.000Z');
		expect(byId[after]).toBe('2027-03-29T09:00:00.000Z');
	});

	test('rescheduling recomputes starts_at, and an explicit starts_at cannot contradict date/time', async () => {
		const id = await insertAppointment(db.app, clinic, { date: '2027-07-01', time: '15:30' });
		await db.app.query("UPDATE appointments SET date = '2027-12-01', time = '15:30' WHERE id = $1", [id]);
		await db.app.query("UPDATE appointments SET starts_at = '2000-01-01T00:00:00Z' WHERE id = $1", [id]);
		const { rows } = await db.app.query('SELECT starts_at FROM appointments WHERE id = $1', [id]);
		expect(rows[0].starts_at.toISOString()).toBe('2027-12-01T15:30:00.000Z');
	});

	test('follows the configured timezone', async () => {
		await db.admin.query("UPDATE barnum_settings SET timezone = 'America/Sao_Paulo'");
		try {
			const id = await insertAppointment(db.app, clinic, { date: '2027-07-01', time: '09:00' });
			const { rows } = await db.app.query('SELECT starts_at FROM appointments WHERE id = $1', [id]);
			expect(rows[0].starts_at.toISOString()).toBe('2027-07-01T12:00:00.000Z');
		} finally {
			await db.admin.query("UPDATE barnum_settings SET timezone = 'Europe/Lisbon'");
		}
	});
});

describe('settings validation', () => {
	test.each([
		["timezone = 'Mars/Olympus'", /barnum_settings_timezone_known/],
		["default_locale = 'fr'", /barnum_settings_default_locale_supported/],
		["public_base_url = 'javascript:alert(1)'", /barnum_settings_public_base_url_http/],
		['quiet_hours_start = NULL', /barnum_settings_quiet_hours_both_or_neither/],
	])('rejects %s', async (assignment, constraint) => {
		await expect(db.admin.query(`UPDATE barnum_settings SET ${assignment}`)).rejects.toThrow(constraint);
	});

	test('holds exactly one row', async () => {
		await expect(db.admin.query('INSERT INTO barnum_settings (id) VALUES (false)')).rejects.toThrow(/single_row/);
		await expect(db.admin.query('INSERT INTO barnum_settings DEFAULT VALUES')).rejects.toThrow(/duplicate key/);
	});

	test('patients need an E.164 phone number when they have one', async () => {
		await expect(db.app.query("INSERT INTO patients (name, phone) VALUES ('X', '912345678')")).rejects.toThrow(
			/patients_phone_e164/,
		);
		await expect(db.app.query("INSERT INTO patients (name, phone) VALUES ('X', NULL)")).resolves.toBeDefined();
	});
});
