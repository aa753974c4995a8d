import { cancelMessages, updateBooking } from '../store';
import type { BookingEvent, BookingEventResult } from '../types';
import { applyGuest, finish, ignore, openBooking, schedule, staleness, type HandlerContext } from './handling';

/**
 * The document's OrderHandler.processGuestCheckedIn: status 'checked_in' and the post-stay review
 * request, due on the check-out date at the property's check-out time plus its review delay, on
 * the property's wall clock (so the hour holds across a daylight-saving change). Without a
 * check-out date (Cloudbeds' status webhook has none, and no earlier event gave it) the check-in is
 * recorded and the review waits for an event that brings the date.
 */
export async function processGuestCheckedIn(context: HandlerContext, event: BookingEvent): Promise<BookingEventResult> {
	const h = await openBooking(context, event, 'checked_in');
	if (!h.created) {
		if (h.booking.status === 'checked_out') return ignore(h, 'booking already checked-out');
		const stale = staleness(h);
		if (stale) return ignore(h, stale);
	}
	await applyGuest(h);
	h.booking = await updateBooking(h.db, h.booking.id, event, { guestId: h.guest?.id, status: 'checked_in' });
	h.cancelled += await cancelMessages(h.db, h.booking.id, ['booking.reminder', 'booking.pre_arrival'], 'guest checked in');
	if (h.booking.check_out) {
		await schedule(h, 'review request', { eventType: 'booking.review_request', plan: 'review', once: true });
	} else {
		h.notes.push('review request not scheduled: the check-out date is unknown (send it in booking.checkOut)');
	}
	return finish(h);
}
