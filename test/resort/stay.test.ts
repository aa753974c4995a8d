import { claimEvents } from '../../core/outbox/operations';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { eventsOf, makeDue, native, record } from './fixtures';

/**
 * The rest of a stay on a real PostgreSQL: when the pre-arrival and check-out messages are planned
 * (on the property's wall clock, never in the past), what moves them (new dates), what cancels
 * them (check-in, check-out, cancellation), and the re-check at claim.
 */

let db: TestDatabase;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
});
afterAll(async () => {
	await db.drop();
});

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const STAY = ['booking.pre_arrival', 'booking.check_out'];
const claimStay = (consumerId: string) => claimEvents(db.app, { consumerId, limit: 100, leaseSeconds: 60, eventTypes: STAY });

test('a booking made the day before arrival gets no pre-arrival message, and the answer says why', async () => {
	const { result } = await record(db, native('reservation_confirmed', 'ST-1', { property: { id: 'stay-props' }, booking: { checkIn: day(1), checkOut: day(3) } }));
	expect(result.scheduled.map((m) => m.eventType)).toEqual(['booking.confirmation', 'booking.check_out']);
	expect(result.notes).toContain('pre-arrival message not scheduled: its time has passed or the property has it off');
});

test('pre_arrival_days and pre_arrival_time are the property\'s, on its wall clock (New York, 3 days before at 09:00)', async () => {
	await record(db, native('booking_started', 'ST-0', { property: { id: 'stay-ny', timezone: 'America/New_York' } }));
	await db.admin.query("UPDATE locations SET pre_arrival_days = 3, pre_arrival_time = '09:00', check_out_message_time = '07:00' WHERE external_id = 'stay-ny'");
	const { result } = await record(db, native('reservation_confirmed', 'ST-2', { property: { id: 'stay-ny' }, booking: { checkIn: '2031-11-04', checkOut: '2031-11-08' } }));
	// New York leaves summer time on 2 November 2031: 1 November 09:00 is UTC-4, 8 November 07:00 is UTC-5.
	expect(result.scheduled).toEqual([
		expect.objectContaining({ eventType: 'booking.confirmation' }),
		expect.objectContaining({ eventType: 'booking.pre_arrival', scheduledFor: '2031-11-01T13:00:00.000Z' }),
		expect.objectContaining({ eventType: 'booking.check_out', scheduledFor: '2031-11-08T12:00:00.000Z' }),
	]);
	await db.admin.query("UPDATE locations SET pre_arrival_days = 0 WHERE external_id = 'stay-ny'");
	const off = await record(db, native('reservation_confirmed', 'ST-3', { property: { id: 'stay-ny' }, booking: { checkIn: '2031-11-05', checkOut: '2031-11-08' } }));
	expect(off.result.scheduled.map((m) => m.eventType)).toEqual(['booking.confirmation', 'booking.check_out']);
});

test('check-in cancels the pre-arrival message; check-out cancels the check-out message and keeps the review request', async () => {
	const { result } = await record(db, native('reservation_confirmed', 'ST-4', { booking: { checkIn: day(10), checkOut: day(12) } }));
	await record(db, native('guest_checked_in', 'ST-4', { guest: null }));
	let events = await eventsOf(db, result.bookingId);
	expect(events.find((e) => e.event_type === 'booking.pre_arrival')).toMatchObject({ status: 'cancelled', status_reason: 'guest checked in' });
	const out = await record(db, native('guest_checked_out', 'ST-4', { guest: null }));
	expect(out.result).toMatchObject({ status: 'checked_out', previousStatus: 'checked_in', scheduled: [] });
	events = await eventsOf(db, result.bookingId);
	expect(events.find((e) => e.event_type === 'booking.check_out')).toMatchObject({ status: 'cancelled', status_reason: 'guest checked out' });
	expect(events.find((e) => e.event_type === 'booking.review_request')).toMatchObject({ status: 'pending' });
});

test('a check-out nobody checked in for plans the review request review_delay after leaving', async () => {
	const { result } = await record(db, native('reservation_confirmed', 'ST-5', { booking: { checkIn: day(-3), checkOut: day(0) } }));
	const out = await record(db, native('guest_checked_out', 'ST-5', { guest: null }));
	expect(out.result.scheduled).toEqual([expect.objectContaining({ eventType: 'booking.review_request' })]);
	const delay = new Date(out.result.scheduled[0].scheduledFor).getTime() - Date.now();
	expect(delay).toBeGreaterThan(2.9 * 3_600_000);
	expect(result.status).toBe('confirmed');
});

test('at claim: a pre-arrival message whose guest already arrived is skipped; a check-out message of a cancelled stay too', async () => {
	const arrived = await record(db, native('reservation_confirmed', 'ST-6', { booking: { checkIn: day(10), checkOut: day(12) } }));
	// The PMS writes the check-in straight into bookings, behind the receiver's back: the re-check still holds.
	await db.admin.query("UPDATE bookings SET status = 'checked_in' WHERE id = $1", [arrived.result.bookingId]);
	const gone = await record(db, native('reservation_confirmed', 'ST-7', { booking: { checkIn: day(10), checkOut: day(12) } }));
	await db.admin.query("UPDATE bookings SET status = 'cancelled' WHERE id = $1", [gone.result.bookingId]);
	await makeDue(db, arrived.result.bookingId, 'booking.pre_arrival');
	await makeDue(db, gone.result.bookingId, 'booking.check_out');
	const { events } = await claimStay('stay-test');
	expect(events.filter((e) => [arrived.result.bookingId, gone.result.bookingId].includes(e.message.entity_id as string))).toEqual([]);
	const reasons = [...(await eventsOf(db, arrived.result.bookingId)), ...(await eventsOf(db, gone.result.bookingId))]
		.filter((e) => e.status === 'skipped')
		.map((e) => `${e.event_type}: ${e.status_reason}`);
	expect(reasons.sort()).toEqual(['booking.check_out: booking no longer confirmed (cancelled)', 'booking.pre_arrival: guest already arrived']);
});
