import { cancelMessages, updateBooking } from '../store';
import type { BookingEvent, BookingEventResult } from '../types';
import { applyGuest, finish, ignore, openBooking, schedule, type HandlerContext } from './handling';
import { processReservationConfirmed } from './reservation-confirmed';
import { planStay } from './stay';

/**
 * A reservation whose dates or details changed (Hostaway's reservation.updated, Channex's
 * booking_modification, Beds24's modify …). The details are recorded; when the dates of a
 * confirmed stay changed, the guest gets a corrected confirmation and the stay's messages
 * (pre-arrival, check-out, review request) move to the new dates. A modification of a booking
 * Barnum has not seen is its confirmation: the platform's first word about it.
 */
export async function processBookingModified(context: HandlerContext, event: BookingEvent): Promise<BookingEventResult> {
	const h = await openBooking(context, event, 'confirmed');
	if (h.created) {
		// Created confirmed just now, in this transaction: the confirmation handler plans its messages.
		return { ...(await processReservationConfirmed(context, event)), previousStatus: null };
	}
	if (h.booking.status === 'cancelled' || h.booking.status === 'checked_out') {
		return ignore(h, `booking already ${h.booking.status.replace('_', '-')}`);
	}
	await applyGuest(h);
	const before = `${h.booking.check_in}/${h.booking.check_out}`;
	h.booking = await updateBooking(h.db, h.booking.id, event, { guestId: h.guest?.id });
	const datesChanged = before !== `${h.booking.check_in}/${h.booking.check_out}`;
	if (!datesChanged) {
		h.notes.push('the dates did not change: no corrected confirmation');
		return finish(h);
	}
	if (h.booking.status !== 'confirmed' && h.booking.status !== 'checked_in') {
		h.notes.push(`booking is ${h.booking.status}: the new dates are recorded, nothing is sent`);
		return finish(h);
	}
	// The latest dates win: a correction not yet sent is replaced by this one.
	h.cancelled += await cancelMessages(h.db, h.booking.id, ['booking.modification'], 'superseded: the dates changed again');
	await schedule(h, 'corrected confirmation', { eventType: 'booking.modification', plan: 'at' });
	await planStay(h, 'moved: the dates changed');
	if (h.booking.status === 'checked_in' && h.booking.check_out) {
		h.cancelled += await cancelMessages(h.db, h.booking.id, ['booking.review_request'], 'moved: the dates changed');
		await schedule(h, 'review request', { eventType: 'booking.review_request', plan: 'review' });
	}
	return finish(h);
}
