import { cancelMessages, hasMessage, updateBooking } from '../store';
import type { BookingEvent, BookingEventResult } from '../types';
import { applyGuest, finish, ignore, openBooking, schedule, staleness, type HandlerContext } from './handling';

/**
 * The guest left: status 'checked_out', nothing more about the stay itself (the pre-arrival and
 * check-out messages still pending are cancelled). The review request planned at check-in stays;
 * a guest whose check-in was never reported gets one `review_delay` after leaving.
 */
export async function processGuestCheckedOut(context: HandlerContext, event: BookingEvent): Promise<BookingEventResult> {
	const h = await openBooking(context, event, 'checked_out');
	if (!h.created) {
		if (h.booking.status === 'cancelled') return ignore(h, 'booking cancelled');
		const stale = staleness(h);
		if (stale) return ignore(h, stale);
	}
	await applyGuest(h);
	h.booking = await updateBooking(h.db, h.booking.id, event, { guestId: h.guest?.id, status: 'checked_out' });
	h.cancelled += await cancelMessages(h.db, h.booking.id, ['booking.reminder', 'booking.pre_arrival', 'booking.check_out'], 'guest checked out');
	if (!(await hasMessage(h.db, h.booking.id, 'booking.review_request'))) {
		await schedule(h, 'review request', { eventType: 'booking.review_request', plan: 'review_after', from: event.occurredAt });
	}
	return finish(h);
}
