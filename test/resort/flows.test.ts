import { ackEvents } from '../../core/outbox/operations';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import {
	bookingRow,
	claim,
	dbNow,
	eventsOf,
	HOUR,
	makeDue,
	native,
	nextId,
	record,
	reminders,
} from './fixtures';

/**
 * The document's four flows end to end at the database level: what each handler records, which
 * outbox events it plans at which instant, and what the re-check at claim lets through.
 */

let db: TestDatabase;

beforeAll(async () => {
	db = await freshDatabase();
	// Claims must not be deferred by the business-wide quiet hours whatever time the suite runs.
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
});
afterAll(() => db.drop());

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

describe('booking_started (CartHandler.processBookingStarted)', () => {
	test('records the booking, its guest and activity, and plans the abandonment check an hour after the activity', async () => {
		const occurredAt = minutesAgo(5);
		const { result, duplicate } = await record(db, native('booking_started', 'BK-100', { occurredAt, booking: { resumeUrl: 'https://book.example/r/100' } }));
		expect(duplicate).toBe(false);
		expect(result).toMatchObject({ type: 'booking_started', status: 'started', previousStatus: null, outcome: 'applied', cancelled: 0 });
		expect(result.guest).toEqual({ id: expect.any(String), phoneStatus: 'valid' });

		const booking = await bookingRow(db, result.bookingId);
		expect(booking).toMatchObject({ status: 'started', platform: 'barnum', external_id: 'BK-100', resume_url: 'https://book.example/r/100' });
		expect(booking.last_activity_at.getTime()).toBe(occurredAt.getTime());

		const [check] = await eventsOf(db, result.bookingId);
		expect(check).toMatchObject({ event_type: 'booking.reminder', status: 'pending', payload: { number: 1, trigger: 'abandonment_check' } });
		expect(check.scheduled_for.getTime()).toBe(occurredAt.getTime() + HOUR);
		expect(result.scheduled).toEqual([
			{ eventId: check.id, eventType: 'booking.reminder', reminderNumber: 1, scheduledFor: check.scheduled_for.toISOString() },
		]);
		const activity = await db.admin.query('SELECT event_type, outcome, actor FROM booking_activities WHERE booking_id = $1', [result.bookingId]);
		expect(activity.rows).toEqual([{ event_type: 'booking_started', outcome: 'applied', actor: 'test' }]);
	});

	test('the abandonment delay is the property\'s', async () => {
		await db.admin.query(
			"INSERT INTO locations (external_id, name, timezone, abandonment_delay) VALUES ('quinta-lenta', 'Quinta Lenta', 'Europe/Lisbon', '25 minutes')",
		);
		const occurredAt = minutesAgo(1);
		const { result } = await record(db, native('booking_started', 'BK-101', { occurredAt, property: { id: 'quinta-lenta' } }));
		const [check] = await eventsOf(db, result.bookingId);
		expect(check.scheduled_for.getTime()).toBe(occurredAt.getTime() + 25 * 60_000);
	});

	test('a guest who comes back resets the timer: the old check is superseded', async () => {
		const first = await record(db, native('booking_started', 'BK-102', { occurredAt: minutesAgo(30) }));
		const later = minutesAgo(2);
		const again = await record(db, native('booking_started', 'BK-102', { occurredAt: later }));
		expect(again.result).toMatchObject({ bookingId: first.result.bookingId, outcome: 'applied', cancelled: 1 });
		const checks = await reminders(db, first.result.bookingId, 1);
		expect(checks.map((c) => [c.status, c.status_reason])).toEqual([
			['cancelled', 'superseded: the guest was active again'],
			['pending', null],
		]);
		expect(checks[1].scheduled_for.getTime()).toBe(later.getTime() + HOUR);
	});

	test('when the check falls due and the guest is still away, the booking becomes abandoned and reminder #2 is planned', async () => {
		const { result } = await record(db, native('booking_started', 'BK-103', { occurredAt: minutesAgo(70) }));
		await makeDue(db, result.bookingId);
		const { events } = await claim(db);
		const mine = events.filter((e) => e.entityId === result.bookingId);
		expect(mine.map((e) => e.eventType)).toEqual(['booking.reminder']);
		expect(mine[0].message.booking).toMatchObject({ reminder_number: 1, status: 'started', reference: 'BK-103' });

		expect((await bookingRow(db, result.bookingId)).status).toBe('abandoned');
		const history = await db.admin.query(
			'SELECT from_status, to_status, occurred_at IS NOT NULL AS platform_time, actor FROM booking_status_history WHERE booking_id = $1 ORDER BY id',
			[result.bookingId],
		);
		expect(history.rows).toEqual([
			{ from_status: null, to_status: 'started', platform_time: true, actor: 'test' },
			{ from_status: 'started', to_status: 'abandoned', platform_time: false, actor: 'abandonment-timer' },
		]);
		const [second] = await reminders(db, result.bookingId, 2);
		expect(second).toMatchObject({ status: 'pending', payload: { number: 2, trigger: 'abandonment_check' } });
		const claimedAt = (await db.admin.query('SELECT updated_at FROM bookings WHERE id = $1', [result.bookingId])).rows[0].updated_at as Date;
		expect(second.scheduled_for.getTime()).toBe(claimedAt.getTime() + 24 * HOUR);
	});

	test('a check that falls due after the guest booked is skipped, and nothing is marked abandoned', async () => {
		const { result } = await record(db, native('booking_started', 'BK-104', { occurredAt: minutesAgo(90) }));
		// The guest booked by phone; the hotel's PMS writes the status straight into the database.
		await db.admin.query("UPDATE bookings SET status = 'confirmed' WHERE id = $1", [result.bookingId]);
		await makeDue(db, result.bookingId);
		const { events } = await claim(db);
		expect(events.filter((e) => e.entityId === result.bookingId)).toEqual([]);
		const [check] = await reminders(db, result.bookingId, 1);
		expect(check).toMatchObject({ status: 'skipped', status_reason: 'booking already confirmed' });
		expect((await bookingRow(db, result.bookingId)).status).toBe('confirmed');
	});

	test('a check planned before the guest\'s latest activity is skipped at claim', async () => {
		const { result } = await record(db, native('booking_started', 'BK-105', { occurredAt: minutesAgo(90) }));
		await db.admin.query("UPDATE bookings SET last_activity_at = now() - interval '1 minute' WHERE id = $1", [result.bookingId]);
		await makeDue(db, result.bookingId);
		await claim(db);
		expect((await reminders(db, result.bookingId, 1))[0]).toMatchObject({ status: 'skipped', status_reason: 'guest active since this reminder was planned' });
	});
});

describe('booking_abandoned (CartHandler.processBookingAbandoned)', () => {
	test('reminder #1 now and reminder #2 exactly 24 h later; the booking is abandoned', async () => {
		await record(db, native('booking_started', 'BK-200', { occurredAt: minutesAgo(20) }));
		const before = await dbNow(db);
		const { result } = await record(db, native('booking_abandoned', 'BK-200', { guest: null }));
		expect(result).toMatchObject({ status: 'abandoned', previousStatus: 'started', outcome: 'applied', cancelled: 1 });
		const [timer, first] = await reminders(db, result.bookingId, 1);
		expect(timer).toMatchObject({ status: 'cancelled', status_reason: 'superseded: the platform reported the abandonment' });
		expect(first).toMatchObject({ status: 'pending', payload: { number: 1, trigger: 'booking_abandoned' } });
		expect(first.scheduled_for.getTime()).toBeGreaterThanOrEqual(before.getTime());
		expect(first.scheduled_for.getTime()).toBeLessThan(Date.now() + 1000);
		const [second] = await reminders(db, result.bookingId, 2);
		expect(second.scheduled_for.getTime() - first.scheduled_for.getTime()).toBe(24 * HOUR);
		expect(result.scheduled.map((s) => s.reminderNumber)).toEqual([1, 2]);
	});

	test('the platform repeating itself (a new event id, the same visit) sends nothing more', async () => {
		await record(db, native('booking_started', 'BK-201', { occurredAt: minutesAgo(20) }));
		const first = await record(db, native('booking_abandoned', 'BK-201', { guest: null }));
		const again = await record(db, native('booking_abandoned', 'BK-201', { guest: null }));
		expect(again.result).toMatchObject({ outcome: 'unchanged', scheduled: [], cancelled: 0 });
		expect((await eventsOf(db, first.result.bookingId)).filter((e) => e.status === 'pending')).toHaveLength(2);
	});

	test('a confirmation stamped a little before the timer fired (the platform\'s clock is behind) is still applied', async () => {
		const { result } = await record(db, native('booking_started', 'BK-205', { occurredAt: minutesAgo(70) }));
		await makeDue(db, result.bookingId);
		await claim(db);
		expect((await bookingRow(db, result.bookingId)).status).toBe('abandoned');
		const confirmed = await record(db, native('reservation_confirmed', 'BK-205', { occurredAt: minutesAgo(1), guest: null }));
		expect(confirmed.result).toMatchObject({ outcome: 'applied', status: 'confirmed', previousStatus: 'abandoned', cancelled: 1 });
	});

	test('after the internal timer fired, the platform\'s report changes nothing: reminder #2 is not planned twice', async () => {
		const { result } = await record(db, native('booking_started', 'BK-202', { occurredAt: minutesAgo(70) }));
		await makeDue(db, result.bookingId);
		await claim(db);
		const late = await record(db, native('booking_abandoned', 'BK-202', { guest: null }));
		expect(late.result).toMatchObject({ outcome: 'unchanged', status: 'abandoned' });
		expect(await reminders(db, result.bookingId, 1)).toHaveLength(1);
		expect(await reminders(db, result.bookingId, 2)).toHaveLength(1);
	});

	test('reminder #2 can be turned off per property', async () => {
		await db.admin.query(
			"INSERT INTO locations (external_id, name, reminder_2_enabled) VALUES ('so-um-lembrete', 'Só Um Lembrete', false)",
		);
		const { result } = await record(db, native('booking_abandoned', 'BK-203', { property: { id: 'so-um-lembrete' } }));
		expect(result.scheduled.map((s) => s.reminderNumber)).toEqual([1]);
		expect(result.notes).toContain('reminder #2 is turned off for this property');
		expect(await reminders(db, result.bookingId, 2)).toEqual([]);
	});

	test('a report older than the guest\'s latest activity is stale and ignored', async () => {
		await record(db, native('booking_started', 'BK-204', { occurredAt: minutesAgo(5) }));
		const stale = await record(db, native('booking_abandoned', 'BK-204', { occurredAt: minutesAgo(10), guest: null }));
		expect(stale.result).toMatchObject({ outcome: 'ignored', status: 'started', notes: ['stale: the guest was active after this abandonment was detected'] });
	});
});

describe('reservation_confirmed (OrderHandler.processReservationConfirmed)', () => {
	test('sends the confirmation now, records the reservation, cancels every pending reminder and sets check-in tracking', async () => {
		await record(db, native('booking_started', 'BK-300', { occurredAt: minutesAgo(20) }));
		await record(db, native('booking_abandoned', 'BK-300', { guest: null }));
		const { result } = await record(
			db,
			native('reservation_confirmed', 'BK-300', {
				booking: { checkIn: '2031-07-10', checkOut: '2031-07-14', adults: 2, totalAmount: 640.5, currency: 'EUR', confirmationCode: 'PA-7731' },
				guest: null,
			}),
		);
		expect(result).toMatchObject({ status: 'confirmed', previousStatus: 'abandoned', outcome: 'applied', cancelled: 2 });
		const events = await eventsOf(db, result.bookingId);
		expect(events.filter((e) => e.event_type === 'booking.reminder').map((e) => [e.status, e.status_reason])).toEqual([
			['cancelled', 'superseded: the platform reported the abandonment'],
			['cancelled', 'booking confirmed'],
			['cancelled', 'booking confirmed'],
		]);
		const confirmation = events.find((e) => e.event_type === 'booking.confirmation')!;
		expect(confirmation).toMatchObject({ status: 'pending', respect_quiet_hours: false });
		const booking = await bookingRow(db, result.bookingId);
		expect(booking).toMatchObject({ adults: 2, total_amount: '640.50', currency: 'EUR', confirmation_code: 'PA-7731' });
		// 15:00 in Lisbon in July is 14:00 UTC (WEST).
		expect(booking.expected_check_in_at.toISOString()).toBe('2031-07-10T14:00:00.000Z');
	});

	test('the confirmation goes out once however often the platform confirms', async () => {
		const first = await record(db, native('reservation_confirmed', 'BK-301'));
		const again = await record(db, native('reservation_confirmed', 'BK-301'));
		expect(again.result).toMatchObject({ outcome: 'unchanged', scheduled: [] });
		expect((await eventsOf(db, first.result.bookingId)).filter((e) => e.event_type === 'booking.confirmation')).toHaveLength(1);
	});

	test('reminder #2 is never sent after the confirmation, even when its event is still pending at claim', async () => {
		const { result } = await record(db, native('booking_abandoned', 'BK-302'));
		// Reminder #1 goes out.
		const [planned] = await reminders(db, result.bookingId, 1);
		await db.admin.query('UPDATE whatsapp_events SET scheduled_for = now() WHERE id = $1', [planned.id]);
		const { events } = await claim(db);
		const first = events.find((e) => e.entityId === result.bookingId)!;
		expect(first.message.booking).toMatchObject({ reminder_number: 1 });
		await ackEvents(db.app, [{ id: first.id }]);
		// The guest books; the status is written behind the receiver's back (a PMS), so nothing cancels reminder #2.
		await db.admin.query("UPDATE bookings SET status = 'confirmed' WHERE id = $1", [result.bookingId]);
		await makeDue(db, result.bookingId);
		expect((await claim(db)).events.filter((e) => e.entityId === result.bookingId)).toEqual([]);
		expect((await reminders(db, result.bookingId, 2))[0]).toMatchObject({ status: 'skipped', status_reason: 'booking already confirmed' });
	});

	test('reminder #2 needs reminder #1 to have gone out', async () => {
		const { result } = await record(db, native('booking_abandoned', 'BK-303'));
		const [first] = await reminders(db, result.bookingId, 1);
		await db.admin.query("UPDATE whatsapp_events SET status = 'dead_letter' WHERE id = $1", [first.id]);
		await makeDue(db, result.bookingId);
		await claim(db);
		expect((await reminders(db, result.bookingId, 2))[0]).toMatchObject({ status: 'skipped', status_reason: 'reminder #1 was not sent' });
	});

	test('a confirmation older than a cancellation is stale: the booking stays cancelled', async () => {
		await record(db, native('booking_cancelled', 'BK-304', { occurredAt: minutesAgo(1) }));
		const late = await record(db, native('reservation_confirmed', 'BK-304', { occurredAt: minutesAgo(3) }));
		expect(late.result).toMatchObject({ outcome: 'ignored', status: 'cancelled', notes: ['stale: the booking became cancelled after this event happened'] });
		expect((await eventsOf(db, late.result.bookingId)).filter((e) => e.event_type === 'booking.confirmation')).toEqual([]);
	});

	test('a booking_started that arrives after the confirmation (out of order) changes nothing', async () => {
		const { result } = await record(db, native('reservation_confirmed', 'BK-305'));
		const late = await record(db, native('booking_started', 'BK-305', { occurredAt: minutesAgo(30) }));
		expect(late.result).toMatchObject({ outcome: 'ignored', status: 'confirmed', notes: ['booking already confirmed'] });
		expect((await eventsOf(db, result.bookingId)).map((e) => e.event_type)).toEqual(['booking.confirmation', 'booking.pre_arrival', 'booking.check_out']);
	});
});

describe('guest_checked_in (OrderHandler.processGuestCheckedIn)', () => {
	async function reviewAt(reference: string, checkOut: string, property = 'praia-azul'): Promise<Date> {
		await record(db, native('reservation_confirmed', reference, { property: { id: property }, booking: { checkIn: '2027-01-02', checkOut } }));
		const { result } = await record(db, native('guest_checked_in', reference, { property: { id: property }, guest: null }));
		expect(result).toMatchObject({ status: 'checked_in', previousStatus: 'confirmed' });
		const review = (await eventsOf(db, result.bookingId)).find((e) => e.event_type === 'booking.review_request')!;
		expect(review.status).toBe('pending');
		return review.scheduled_for;
	}

	test('the review request is due on the check-out date at check-out time plus the review delay, Lisbon time', async () => {
		// 11:00 + 3 h in January (WET, UTC+0) is 14:00 UTC.
		expect((await reviewAt('BK-400', '2027-01-10')).toISOString()).toBe('2027-01-10T14:00:00.000Z');
	});

	test('on the day the clocks go forward, the review still lands at 14:00 on the wall clock (13:00 UTC)', async () => {
		// Europe/Lisbon moves to WEST (UTC+1) at 01:00 UTC on Sunday 28 March 2027.
		expect((await reviewAt('BK-401', '2027-03-28')).toISOString()).toBe('2027-03-28T13:00:00.000Z');
	});

	test('a delay of a day across the change is a wall-clock day, not 24 hours', async () => {
		await db.admin.query(
			"INSERT INTO locations (external_id, name, timezone, review_delay) VALUES ('dia-seguinte', 'Dia Seguinte', 'Europe/Lisbon', '1 day 3 hours')",
		);
		// Check-out Saturday 27 March (WET) → Sunday 28 March 14:00 WEST = 13:00 UTC, where 24 h + 3 h would say 14:00 UTC.
		expect((await reviewAt('BK-402', '2027-03-27', 'dia-seguinte')).toISOString()).toBe('2027-03-28T13:00:00.000Z');
	});

	test('the review request is skipped at claim if the stay was cancelled meanwhile; one that stands is sent', async () => {
		await reviewAt('BK-403', '2027-01-10');
		await reviewAt('BK-404', '2027-01-10');
		const cancelled = (await db.admin.query("SELECT id FROM bookings WHERE external_id = 'BK-403'")).rows[0].id as string;
		const stands = (await db.admin.query("SELECT id FROM bookings WHERE external_id = 'BK-404'")).rows[0].id as string;
		await db.admin.query("UPDATE bookings SET status = 'cancelled' WHERE id = $1", [cancelled]);
		await makeDue(db, cancelled, 'booking.review_request');
		await makeDue(db, stands, 'booking.review_request');
		const reviews = (await claim(db)).events.filter((e) => e.eventType === 'booking.review_request');
		expect(reviews.map((e) => e.entityId)).toEqual([stands]);
		const review = (await eventsOf(db, cancelled)).find((e) => e.event_type === 'booking.review_request');
		expect(review).toMatchObject({ status: 'skipped', status_reason: 'stay cancelled' });
	});

	test('a check-in without any known check-out date is recorded and waits for the date', async () => {
		const { result } = await record(db, native('guest_checked_in', 'BK-405'));
		expect(result).toMatchObject({ status: 'checked_in', outcome: 'applied', scheduled: [] });
		expect(result.notes).toContain('review request not scheduled: the check-out date is unknown (send it in booking.checkOut)');
		const dated = await record(db, native('guest_checked_in', 'BK-405', { booking: { checkOut: '2031-07-14' } }));
		expect(dated.result.scheduled.map((s) => s.eventType)).toEqual(['booking.review_request']);
	});
});

describe('booking_cancelled', () => {
	test('cancels every pending message of the booking', async () => {
		await record(db, native('booking_abandoned', 'BK-500'));
		const { result } = await record(db, native('booking_cancelled', 'BK-500', { guest: null }));
		expect(result).toMatchObject({ status: 'cancelled', cancelled: 2 });
		expect((await eventsOf(db, result.bookingId)).every((e) => e.status === 'cancelled' && e.status_reason === 'booking cancelled')).toBe(true);
	});
});

describe('the guest', () => {
	test('an opted-out guest gets nothing: their pending messages are skipped at claim', async () => {
		const { result } = await record(db, native('booking_abandoned', 'BK-600', { guest: { phone: '+351913000600' } }));
		await db.admin.query('UPDATE guests SET whatsapp_opted_out_at = now() WHERE id = $1', [result.guest!.id]);
		await makeDue(db, result.bookingId);
		await claim(db);
		const [first] = await reminders(db, result.bookingId, 1);
		expect(first).toMatchObject({ status: 'skipped', status_reason: 'guest opted out of WhatsApp messages' });
	});

	test('an invalid phone number is recorded (encrypted) and skipped: no message is planned', async () => {
		const { result } = await record(db, native('booking_started', 'BK-601', { guest: { phone: '912 345 601' } }));
		expect(result).toMatchObject({ status: 'started', outcome: 'applied', scheduled: [], guest: { phoneStatus: 'invalid' } });
		expect(result.notes).toEqual([
			'guest phone number is invalid (the number has no country code (expected +<country><number>)): recorded, no message will be sent',
			'abandonment check not scheduled: the guest phone number is invalid',
		]);
		const guest = (await db.admin.query('SELECT phone_encrypted, phone_blind_index, phone_status FROM guests WHERE id = $1', [result.guest!.id])).rows[0];
		expect(guest).toMatchObject({ phone_status: 'invalid', phone_blind_index: null, phone_encrypted: expect.stringMatching(/^v1\./) });
		expect(await eventsOf(db, result.bookingId)).toEqual([]);
	});

	test('an event enqueued by other means for a guest with an invalid number is skipped with the reason', async () => {
		const { result } = await record(db, native('booking_started', 'BK-602', { guest: { phone: 'not a number' } }));
		await db.app.query("SELECT create_whatsapp_event('booking.reminder', 'booking', $1, NULL, now(), '{\"number\": 1}')", [result.bookingId]);
		await claim(db);
		expect((await eventsOf(db, result.bookingId))[0]).toMatchObject({ status: 'skipped', status_reason: 'guest phone number is invalid' });
	});

	test('one guest per number: a second booking from the same number finds the same guest', async () => {
		const a = await record(db, native('booking_started', 'BK-603', { guest: { phone: '+351 913 000 603', name: 'Rui' } }));
		const b = await record(db, native('booking_started', 'BK-604', { guest: { phone: '00351913000603', name: 'Rui Sousa' } }));
		expect(b.result.guest!.id).toBe(a.result.guest!.id);
		expect((await db.admin.query('SELECT name FROM guests WHERE id = $1', [a.result.guest!.id])).rows[0].name).toBe('Rui Sousa');
	});
});

describe('idempotency by the platform\'s event id', () => {
	test('recording the same event twice answers the first result and changes nothing', async () => {
		const event = native('booking_abandoned', 'BK-700', { id: nextId('dup') });
		const first = await record(db, event);
		const count = async () =>
			(
				await db.admin.query(
					`SELECT (SELECT count(*) FROM whatsapp_events WHERE entity_id = $1)::int AS events,
					        (SELECT count(*) FROM booking_activities WHERE booking_id = $1)::int AS activities,
					        (SELECT count(*) FROM booking_status_history WHERE booking_id = $1)::int AS history,
					        (SELECT count(*) FROM guest_audit_log)::int AS audit`,
					[first.result.bookingId],
				)
			).rows[0];
		const before = await count();
		const again = await record(db, event);
		expect(again).toEqual({ duplicate: true, result: first.result });
		expect(await count()).toEqual(before);
	});

	test('concurrent deliveries of one event are recorded once', async () => {
		const event = native('reservation_confirmed', 'BK-701', { id: nextId('race') });
		const outcomes = await Promise.all([record(db, event), record(db, event), record(db, event)]);
		expect(outcomes.filter((o) => !o.duplicate)).toHaveLength(1);
		for (const o of outcomes) expect(o.result).toEqual(outcomes[0].result);
		expect((await eventsOf(db, outcomes[0].result.bookingId)).filter((e) => e.event_type === 'booking.confirmation')).toHaveLength(1);
	});
});
