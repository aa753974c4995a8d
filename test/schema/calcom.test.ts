import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { migrate } from '../../core/db/migrate';
import { claimEvents } from '../../core/outbox/operations';
import { createPool } from '../../core/db/pool';
import { loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/serve';
import { emptyDatabase } from '../helpers/database';
import { allowAppLogin } from '../helpers/seed-database';
import { TEST_APP_LOGIN, TEST_APP_PASSWORD } from '../helpers/constants';
import { withCredentials } from '../../server/db/app-login';

/**
 * The worked example of docs/calcom.md: Barnum attached to Cal.com's own tables
 * (test/fixtures/calcom-schema.sql) with sql/contracts/examples/calcom.sql.
 */
const CONTRACT = path.join(__dirname, '..', '..', 'sql', 'contracts', 'examples', 'calcom.sql');

let db: Awaited<ReturnType<typeof emptyDatabase>>;
let admin: pg.Pool;
let app: pg.Pool;
let server: RunningServer;

beforeAll(async () => {
	db = await emptyDatabase();
	admin = createPool(db.url);
	await admin.query(readFileSync(path.join(__dirname, '..', 'fixtures', 'calcom-schema.sql'), 'utf8'));
	const result = await migrate(db.url, { contract: CONTRACT });
	expect(result.contract).toBe(CONTRACT);
	await allowAppLogin(db.url);
	await admin.query('UPDATE barnum.barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
	const appUrl = withCredentials(db.url, TEST_APP_LOGIN, TEST_APP_PASSWORD);
	app = createPool(appUrl);
	server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: appUrl, RATE_LIMIT_ACTION_PER_MINUTE: '1000' }), pino({ level: 'silent' }));
});
afterAll(async () => {
	await server.stop();
	await app.end();
	await admin.end();
	await db.drop();
});

let next = 1000;
/** A booking as Cal.com writes one: the booking row, then its attendee, in one transaction. */
async function book(daysAhead = 5): Promise<{ bookingId: number; appointmentId: string }> {
	const bookingId = next++;
	const client = await admin.connect();
	try {
		await client.query('BEGIN');
		await client.query(
			`INSERT INTO "Booking" (id, uid, "userId", "eventTypeId", title, "startTime", "endTime", status, "updatedAt")
			 VALUES ($1, $2, 1, 1, 'Consulta between Dra. Marta Ferreira and João Silva', date_trunc('day', now() AT TIME ZONE 'UTC') + make_interval(days => $3, hours => 9),
			         date_trunc('day', now() AT TIME ZONE 'UTC') + make_interval(days => $3, hours => 9, mins => 30), 'accepted', now())`,
			[bookingId, `uid-${bookingId}`, daysAhead],
		);
		await client.query(
			`INSERT INTO "Attendee" (email, name, "timeZone", "phoneNumber", locale, "bookingId")
			 VALUES ('joao@example.com', 'João Silva', 'Europe/Lisbon', '+351912345678', 'pt', $1)`,
			[bookingId],
		);
		await client.query('COMMIT');
	} catch (error) {
		await client.query('ROLLBACK');
		throw error;
	} finally {
		client.release();
	}
	const { rows } = await admin.query('SELECT barnum.uuid_from_bigint($1)::text AS id', [bookingId]);
	return { bookingId, appointmentId: rows[0].id };
}

const eventsOf = async (appointmentId: string) =>
	(await admin.query('SELECT event_type, status, status_reason FROM barnum.whatsapp_events WHERE entity_id = $1 ORDER BY event_type', [appointmentId])).rows;

test('a new booking, written as Cal.com writes it, queues a pre-confirmation and its reminder', async () => {
	const { appointmentId } = await book();
	expect(await eventsOf(appointmentId)).toEqual([
		{ event_type: 'appointment.pre_confirmed', status: 'pending', status_reason: null },
		{ event_type: 'appointment.reminder', status: 'pending', status_reason: null },
	]);
});

test('its message carries the attendee, the host and the event type, at the booking\'s time in the clinic\'s timezone', async () => {
	await admin.query("UPDATE barnum.whatsapp_events SET status = 'cancelled' WHERE status = 'pending'");
	const { appointmentId } = await book(6);
	const client = await app.connect();
	try {
		await client.query('BEGIN');
		const claim = await claimEvents(client, { consumerId: 'calcom-test', limit: 5, leaseSeconds: 60, eventTypes: ['appointment.pre_confirmed'] });
		expect(claim.events).toHaveLength(1);
		expect(claim.events[0].message).toMatchObject({
			appointment: {
				id: appointmentId,
				// 09:00 UTC is 09:00 or 10:00 in Lisbon, by the season.
				time: expect.stringMatching(/^(09|10):00$/),
				duration_minutes: 30,
				status: 'scheduled',
				patient: { name: 'João Silva', phone: '+351912345678', locale: 'pt-PT' },
				professional: { name: 'Dra. Marta Ferreira' },
				specialty: { name: 'Consulta de Medicina Dentária' },
			},
			action_links: { confirm: expect.stringContaining('/api/action?type=confirm&token=') },
		});
	} finally {
		await client.query('ROLLBACK');
		client.release();
	}
});

test('its link confirms the booking in Cal.com\'s own table', async () => {
	const { bookingId, appointmentId } = await book(7);
	const { rows } = await app.query("SELECT barnum.generate_action_token('confirm', a.id, a.patient_id) AS token FROM barnum.appointments a WHERE a.id = $1", [appointmentId]);
	const link = `${server.url}/api/action?type=confirm&token=${encodeURIComponent(rows[0].token)}`;
	const page = await (await fetch(link)).text();
	expect(page).toContain('Olá, João');
	const fields = Object.fromEntries([...page.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]));
	const press = await fetch(link, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(fields).toString(),
	});
	expect(await press.text()).toContain('Consulta confirmada');
	const booking = await admin.query('SELECT status::text, metadata ? \'barnumConfirmedAt\' AS confirmed FROM "Booking" WHERE id = $1', [bookingId]);
	expect(booking.rows[0]).toEqual({ status: 'accepted', confirmed: true });
	expect((await admin.query('SELECT status FROM barnum.appointments WHERE id = $1', [appointmentId])).rows[0].status).toBe('confirmed');
});

test('a cancellation made in Cal.com\'s table stops the pending pre-confirmation and reminder', async () => {
	const { bookingId, appointmentId } = await book(8);
	await admin.query(`UPDATE "Booking" SET status = 'cancelled', "cancellationReason" = 'host unavailable' WHERE id = $1`, [bookingId]);
	expect(await eventsOf(appointmentId)).toEqual([
		{ event_type: 'appointment.pre_confirmed', status: 'cancelled', status_reason: 'appointment cancelled' },
		{ event_type: 'appointment.reminder', status: 'cancelled', status_reason: 'appointment cancelled' },
	]);
});

test('an attendee marked a no-show in Cal.com gets the reschedule prompt', async () => {
	const { bookingId, appointmentId } = await book(1);
	await admin.query('UPDATE "Attendee" SET "noShow" = true WHERE "bookingId" = $1', [bookingId]);
	const events = await eventsOf(appointmentId);
	expect(events.find((e) => e.event_type === 'appointment.no_show')).toMatchObject({ status: 'pending' });
});

test('the contract holds: barnum.contract_problems() finds nothing', async () => {
	expect((await admin.query('SELECT * FROM barnum.contract_problems()')).rows).toEqual([]);
});
