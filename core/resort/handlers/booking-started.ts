import { cancelMessages, updateBooking } from '../store';
import type { BookingEvent, BookingEventResult } from '../types';
import { applyGuest, BOOKED, finish, ignore, openBooking, schedule, type HandlerContext } from './handling';

/**
 * The document's CartHandler.processBookingStarted: records the booking and the guest's activity,
 * and sets the abandonment timer — reminder #1, due `abandonment_delay` (1 h by default) after the
 * activity. When it falls due the claim re-checks the booking: a guest who booked or came back in
 * the meantime gets nothing, and one who did not is recorded as abandoned (see migration 007).
 * A guest who comes back resets the timer.
 */
export async function processBookingStarted(context: HandlerContext, event: BookingEvent): Promise<BookingEventResult> {
	const h = await openBooking(context, event, 'started');
	if (!h.created) {
		if (BOOKED.includes(h.booking.status)) return ignore(h, `booking already ${h.booking.status}`);
		if (event.occurredAt <= h.booking.last_activity_at) return ignore(h, 'no activity newer than what is recorded');
	}
	await applyGuest(h);
	if (!h.created) {
		h.cancelled += await cancelMessages(h.db, h.booking.id, ['booking.reminder'], 'superseded: the guest was active again');
	}
	h.booking = await updateBooking(h.db, h.booking.id, event, { guestId: h.guest?.id, status: 'started', activityAt: event.occurredAt });
	await schedule(h, 'abandonment check', {
		eventType: 'booking.reminder',
		plan: 'abandonment_check',
		from: event.occurredAt,
		payload: { number: 1, trigger: 'abandonment_check' },
	});
	return finish(h);
}
