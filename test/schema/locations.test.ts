import { freshDatabase, type TestDatabase } from '../helpers/database';
import { seedClinic } from '../helpers/clinic';
import { serveTestDatabase } from '../helpers/server';
import { claimEvents } from '../../core/outbox/operations';
import type { RunningServer } from '../../server/serve';

/**
 * A clinic group with two sites in one database: each appointment is placed, messaged and shown
 * in its own location's timezone, language, public address, quiet hours and WhatsApp number.
 */
let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;
let server: RunningServer;
let lisboa: string;
let saoPaulo: string;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query("UPDATE barnum_settings SET business_name = 'Grupo Sorriso', quiet_hours_start = NULL, quiet_hours_end = NULL");
	clinic = await seedClinic(db.app);
	lisboa = (await db.admin.query(
		`INSERT INTO locations (external_id, name, timezone, locale, public_base_url, whatsapp_phone_number_id)
		 VALUES ('lisboa', 'Sorriso Lisboa', 'Europe/Lisbon', 'pt-PT', 'https://lisboa.sorriso.example', '1110001') RETURNING id`,
	)).rows[0].id;
	saoPaulo = (await db.admin.query(
		`INSERT INTO locations (external_id, name, timezone, locale, public_base_url, whatsapp_phone_number_id, quiet_hours_start, quiet_hours_end)
		 VALUES ('sao-paulo', 'Sorriso São Paulo', 'America/Sao_Paulo', 'pt-BR', 'https://sp.sorriso.example', '2220002', '20:00', '09:00') RETURNING id`,
	)).rows[0].id;
	server = await serveTestDatabase(db, { RATE_LIMIT_ACTION_PER_MINUTE: '1000' });
});
afterAll(async () => {
	await server.stop();
	await db.drop();
});

async function book(location: string, time: string, daysAhead = 4): Promise<string> {
	const { rows } = await db.app.query(
		`INSERT INTO appointments (patient_id, professional_id, location_id, date, time) VALUES ($1, $2, $3, current_date + $4::int, $5) RETURNING id`,
		[clinic.patientId, clinic.professionalId, location, daysAhead, time],
	);
	return rows[0].id;
}

test('an appointment is placed in its location\'s timezone: 10:00 in São Paulo is not 10:00 in Lisbon', async () => {
	const sp = await book(saoPaulo, '10:00');
	const lx = await book(lisboa, '10:00');
	const { rows } = await db.admin.query(
		`SELECT id, to_char(starts_at AT TIME ZONE 'America/Sao_Paulo', 'HH24:MI') AS sp, to_char(starts_at AT TIME ZONE 'Europe/Lisbon', 'HH24:MI') AS lx
		   FROM appointments WHERE id = ANY($1)`,
		[[sp, lx]],
	);
	expect(rows.find((r) => r.id === sp)).toMatchObject({ sp: '10:00' });
	expect(rows.find((r) => r.id === lx)).toMatchObject({ lx: '10:00' });
});

test('the message carries the location, its WhatsApp number, its language and its links\' address, at its wall-clock time', async () => {
	await db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE status = 'pending'");
	const id = await book(saoPaulo, '14:30', 5);
	// São Paulo's quiet hours may hold the pre-confirmation back at the hour the test runs.
	await db.admin.query("UPDATE whatsapp_events SET scheduled_for = now() WHERE entity_id = $1 AND event_type = 'appointment.pre_confirmed'", [id]);
	const client = await db.app.connect();
	try {
		await client.query('BEGIN');
		const claim = await claimEvents(client, { consumerId: 'loc', limit: 5, leaseSeconds: 60, eventTypes: ['appointment.pre_confirmed'] });
		expect(claim.events).toHaveLength(1);
		expect(claim.events[0].message).toMatchObject({
			appointment: {
				id,
				time: '14:30',
				timezone: 'America/Sao_Paulo',
				location: { id: saoPaulo, name: 'Sorriso São Paulo', whatsapp_phone_number_id: '2220002', locale: 'pt-BR' },
				patient: { locale: 'pt-BR' },
			},
			action_links: { confirm: expect.stringMatching(/^https:\/\/sp\.sorriso\.example\/api\/action\?type=confirm&token=/) },
		});
	} finally {
		await client.query('ROLLBACK');
		client.release();
	}
});

test('a reminder due inside the location\'s quiet hours waits for their end, on the location\'s clock', async () => {
	// 03:00 in São Paulo: the reminder 24 hours before falls at 03:00, inside 20:00-09:00.
	const id = await book(saoPaulo, '03:00', 6);
	const { rows } = await db.admin.query(
		`SELECT to_char(scheduled_for AT TIME ZONE 'America/Sao_Paulo', 'HH24:MI') AS at,
		        (scheduled_for AT TIME ZONE 'America/Sao_Paulo')::date - current_date AS day
		   FROM whatsapp_events WHERE entity_id = $1 AND event_type = 'appointment.reminder'`,
		[id],
	);
	expect(rows).toEqual([{ at: '09:00', day: 5 }]);
	// Lisbon has no quiet hours of its own: its reminder keeps its time.
	const lx = await book(lisboa, '03:00', 6);
	const lisbon = await db.admin.query(
		`SELECT to_char(scheduled_for AT TIME ZONE 'Europe/Lisbon', 'HH24:MI') AS at FROM whatsapp_events WHERE entity_id = $1 AND event_type = 'appointment.reminder'`,
		[lx],
	);
	expect(lisbon.rows).toEqual([{ at: '03:00' }]);
});

test('the link\'s page names the location and shows its time, in its language', async () => {
	const id = await book(saoPaulo, '16:45', 7);
	const { rows } = await db.app.query("SELECT generate_action_token('confirm', $1, $2) AS token", [id, clinic.patientId]);
	const html = await (await fetch(`${server.url}/api/action?type=confirm&token=${rows[0].token}`, { headers: { 'accept-language': '' } })).text();
	expect(html).toContain('<html lang="pt-BR">');
	expect(html).toContain('Sorriso São Paulo');
	expect(html).toContain('16:45');
});
