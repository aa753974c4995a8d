import { cancelMessages, updateBooking } from '../store';
import type { BookingEvent, BookingEventResult } from '../types';
import { finish, ignore, openBooking, staleness, type HandlerContext } from './handling';

/**
 * A cancelled reservation (Cloudbeds' "canceled" status, or the native booking_cancelled): every
 * pending message about it is cancelled, and the re-check at claim stops anything already leased.
 */
export async function processBookingCancelled(context: HandlerContext, event: BookingEvent): Promise<BookingEventResult> {
	const h = await openBooking(context, event, 'cancelled');
	if (!h.created) {
		if (h.booking.status === 'checked_out') return ignore(h, 'booking already checked-out');
		const stale = staleness(h);
		if (stale) return ignore(h, stale);
	}
	h.booking = await updateBooking(h.db, h.booking.id, event, { status: 'cancelled' });
	h.cancelled += await cancelMessages(h.db, h.booking.id, undefined, 'booking cancelled');
	return finish(h);
}
