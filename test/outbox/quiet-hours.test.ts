import { freshDatabase, type TestDatabase } from '../helpers/database';
import { seedClinic } from '../helpers/clinic';
import { claimEvents, enqueueEvent, getEvent } from '../../core/outbox/operations';

/** Quiet hours: wall-clock times in the business's timezone during which messages wait. */

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

beforeAll(async () => {
	db = await freshDatabase();
	clinic = await seedClinic(db.app);
});
afterAll(() => db.drop());
afterEach(() =>
	db.admin.query("UPDATE barnum_settings SET quiet_hours_start = '21:00', quiet_hours_end = '08:00', timezone = 'Europe/Lisbon'"),
);

async function quietHoursEnd(at: string): Promise<string> {
	const { rows } = await db.app.query<{ ends: Date }>('SELECT barnum_quiet_hours_end($1::timestamptz) AS ends', [at]);
	return rows[0].ends.toISOString();
}

describe('barnum_quiet_hours_end', () => {
	test('the defaults are 21:00 to 08:00 in Europe/Lisbon', async () => {
		const { rows } = await db.app.query('SELECT quiet_hours_start, quiet_hours_end, timezone FROM barnum_settings');
		expect(rows[0]).toEqual({ quiet_hours_start: '21:00:00', quiet_hours_end: '08:00:00', timezone: 'Europe/Lisbon' });
	});

	test.each([
		// The night summer time starts (Sunday 28 March 2027, 01:00Z): 22:00 WET is 22:00Z, 08:00 WEST is 07:00Z.
		['22:00 on the night summer time starts', '2027-03-27T22:00:00Z', '2027-03-28T07:00:00.000Z'],
		// The night it ends (Sunday 31 October 2027, 01:00Z): 22:00 WEST is 21:00Z, 08:00 WET is 08:00Z.
		['22:00 on the night summer time ends', '2027-10-30T21:00:00Z', '2027-10-31T08:00:00.000Z'],
		['21:00 sharp', '2027-07-01T20:00:00Z', '2027-07-02T07:00:00.000Z'],
		['00:30, after midnight', '2027-07-01T23:30:00Z', '2027-07-02T07:00:00.000Z'],
		['07:59', '2027-07-01T06:59:00Z', '2027-07-01T07:00:00.000Z'],
		['07:59 in winter', '2027-01-15T07:59:00Z', '2027-01-15T08:00:00.000Z'],
	])('%s (Lisbon) waits until 08:00', async (_label, at, expected) => {
		expect(await quietHoursEnd(at)).toBe(expected);
	});

	test.each([
		['08:00', '2027-07-01T07:00:00Z'],
		['12:00', '2027-07-01T11:00:00Z'],
		['20:59', '2027-07-01T19:59:00Z'],
	])('%s (Lisbon) is outside quiet hours and unchanged', async (_label, at) => {
		expect(await quietHoursEnd(at)).toBe(new Date(at).toISOString());
	});

	test('a window within one day (13:00 to 14:00) holds only what falls inside it', async () => {
		await db.admin.query("UPDATE barnum_settings SET quiet_hours_start = '13:00', quiet_hours_end = '14:00'");
		expect(await quietHoursEnd('2027-07-01T12:30:00Z')).toBe('2027-07-01T13:00:00.000Z'); // 13:30 local
		expect(await quietHoursEnd('2027-07-01T12:00:00Z')).toBe('2027-07-01T13:00:00.000Z'); // 13:00 local
		expect(await quietHoursEnd('2027-07-01T11:59:00Z')).toBe('2027-07-01T11:59:00.000Z'); // 12:59 local
		expect(await quietHoursEnd('2027-07-01T13:00:00Z')).toBe('2027-07-01T13:00:00.000Z'); // 14:00 local
		expect(await quietHoursEnd('2027-07-01T22:00:00Z')).toBe('2027-07-01T22:00:00.000Z'); // 23:00 local
	});

	test('without quiet hours every instant is unchanged', async () => {
		await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
		for (const at of ['2027-07-01T02:00:00Z', '2027-03-27T22:00:00Z', '2027-07-01T12:00:00Z']) {
			expect(await quietHoursEnd(at)).toBe(new Date(at).toISOString());
		}
	});

	test('follows the configured timezone (America/Sao_Paulo, UTC-3)', async () => {
		await db.admin.query("UPDATE barnum_settings SET timezone = 'America/Sao_Paulo'");
		// 22:00 in São Paulo is 01:00Z the next day; 08:00 there is 11:00Z.
		expect(await quietHoursEnd('2027-07-02T01:00:00Z')).toBe('2027-07-02T11:00:00.000Z');
		// 22:00Z is 19:00 in São Paulo: not quiet there, though it is in Lisbon.
		expect(await quietHoursEnd('2027-07-01T22:00:00Z')).toBe('2027-07-01T22:00:00.000Z');
	});
});

describe('claiming during quiet hours', () => {
	/** Quiet hours from an hour ago to an hour from now on the business's clock (wrapping midnight if need be). */
	async function quietNow(): Promise<Date> {
		const { rows } = await db.admin.query<{ ends: Date }>(
			`UPDATE barnum_settings s
			    SET quiet_hours_start = (now() AT TIME ZONE s.timezone)::time - interval '1 hour',
			        quiet_hours_end = (now() AT TIME ZONE s.timezone)::time + interval '1 hour'
			 RETURNING now() + interval '1 hour' AS ends`,
		);
		return rows[0].ends;
	}

	beforeEach(() => db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE status IN ('pending', 'processing')"));

	const claim = () => claimEvents(db.app, { consumerId: 'quiet', limit: 10, leaseSeconds: 30 });

	test('a due event waits for the end of quiet hours, with the reason, and the claim reports the deferral', async () => {
		const ends = await quietNow();
		const id = (await enqueueEvent(db.app, { eventType: 'patient.reactivation', entityType: 'patient', entityId: clinic.patientId }))!;

		const { events, deferred } = await claim();
		expect(events).toEqual([]);
		expect(deferred).toBe(1);
		const row = await getEvent(db.app, id);
		expect(row).toMatchObject({ status: 'pending', status_reason: 'deferred to the end of quiet hours', attempts: 0 });
		// Quiet hours end where the settings say; DST cannot move this within the test's hour.
		expect(Math.abs((row!.scheduled_for as Date).getTime() - ends.getTime())).toBeLessThan(1000);

		// Asking again neither claims it nor defers it a second time.
		expect(await claim()).toEqual({ events: [], skipped: 0, deferred: 0, reclaimed: 0 });

		// Once quiet hours are over, it goes out.
		await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
		await db.admin.query('UPDATE whatsapp_events SET scheduled_for = now() WHERE id = $1', [id]);
		expect((await claim()).events.map((e) => e.id)).toEqual([id]);
	});

	test('an event enqueued with respectQuietHours: false is claimed right away, the others wait', async () => {
		await quietNow();
		const reply = (await enqueueEvent(db.app, {
			eventType: 'conversation.reply',
			entityType: 'patient',
			entityId: clinic.patientId,
			respectQuietHours: false,
		}))!;
		const campaign = (await enqueueEvent(db.app, { eventType: 'patient.reactivation', entityType: 'patient', entityId: clinic.patientId }))!;

		const { events, deferred } = await claim();
		expect(events.map((e) => e.id)).toEqual([reply]);
		expect(deferred).toBe(1);
		expect(await getEvent(db.app, reply)).toMatchObject({ status: 'processing', status_reason: null });
		expect(await getEvent(db.app, campaign)).toMatchObject({ status: 'pending', status_reason: 'deferred to the end of quiet hours' });
	});

	test('outside quiet hours nothing is deferred', async () => {
		await db.admin.query(
			`UPDATE barnum_settings s
			    SET quiet_hours_start = (now() AT TIME ZONE s.timezone)::time + interval '1 hour',
			        quiet_hours_end = (now() AT TIME ZONE s.timezone)::time + interval '2 hours'`,
		);
		const id = (await enqueueEvent(db.app, { eventType: 'patient.reactivation', entityType: 'patient', entityId: clinic.patientId }))!;
		const result = await claim();
		expect(result.events.map((e) => e.id)).toEqual([id]);
		expect(result.deferred).toBe(0);
	});
});
