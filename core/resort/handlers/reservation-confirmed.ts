import { cancelMessages, updateBooking } from '../store';
import type { BookingEvent, BookingEventResult } from '../types';
import { applyGuest, finish, ignore, openBooking, schedule, staleness, type HandlerContext } from './handling';
import { planStay } from './stay';

/**
 * The document's OrderHandler.processReservationConfirmed: records the reservation's details and
 * check-in tracking (the instant the guest is expected), cancels every pending reminder, and sends
 * the confirmation now — once per booking, even outside quiet hours, since the guest has just
 * booked. A confirmation without a guest to write to (Cloudbeds' status webhook carries none) is
 * recorded; the confirmation goes out when an event brings the guest. The stay's own messages
 * (pre-arrival, check-out) are planned from its dates.
 */
export async function processReservationConfirmed(context: HandlerContext, event: BookingEvent): Promise<BookingEventResult> {
	const h = await openBooking(context, event, 'confirmed');
	if (!h.created) {
		if (h.booking.status === 'checked_in' || h.booking.status === 'checked_out') {
			return ignore(h, `booking already ${h.booking.status.replace('_', '-')}`);
		}
		const stale = staleness(h);
		if (stale) return ignore(h, stale);
	}
	await applyGuest(h);
	const dates = `${h.booking.check_in}/${h.booking.check_out}`;
	h.booking = await updateBooking(h.db, h.booking.id, event, { guestId: h.guest?.id, status: 'confirmed' });
	// A repeated confirmation with the same dates leaves the stay's messages as they are.
	const replan = h.previousStatus !== 'confirmed' || dates !== `${h.booking.check_in}/${h.booking.check_out}`;
	h.cancelled += await cancelMessages(h.db, h.booking.id, ['booking.reminder'], 'booking confirmed');
	await schedule(h, 'confirmation', {
		eventType: 'booking.confirmation',
		plan: 'at',
		once: true,
		respectQuietHours: false,
	});
	if (replan) await planStay(h, 'moved: the dates changed');
	return finish(h);
}
