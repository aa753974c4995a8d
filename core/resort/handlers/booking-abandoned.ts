import { cancelMessages, currentReminders, updateBooking } from '../store';
import type { BookingEvent, BookingEventResult } from '../types';
import { applyGuest, BOOKED, finish, ignore, openBooking, schedule, type Handling, type HandlerContext } from './handling';

/**
 * The document's CartHandler.processBookingAbandoned, for a platform that detects abandonment
 * itself: reminder #1 now (in place of the internal timer's, if that has not fired yet), reminder
 * #2 `reminder_2_delay` later (24 h by default; off per property), status 'abandoned'. A repeat
 * for the same activity changes nothing: each reminder goes out once per visit of the guest.
 */
export async function processBookingAbandoned(context: HandlerContext, event: BookingEvent): Promise<BookingEventResult> {
	const h = await openBooking(context, event, 'abandoned');
	if (!h.created) {
		if (BOOKED.includes(h.booking.status)) return ignore(h, `booking already ${h.booking.status}`);
		if (event.occurredAt < h.booking.last_activity_at) return ignore(h, 'stale: the guest was active after this abandonment was detected');
	}
	await applyGuest(h);
	const returned = !h.created && event.lastActivityAt !== undefined && event.lastActivityAt > h.booking.last_activity_at;
	if (returned) {
		h.cancelled += await cancelMessages(h.db, h.booking.id, ['booking.reminder'], 'superseded: the guest was active again');
	}
	h.booking = await updateBooking(h.db, h.booking.id, event, {
		guestId: h.guest?.id,
		status: 'abandoned',
		activityAt: event.lastActivityAt ?? null,
	});
	await planReminders(h);
	return finish(h);
}

async function planReminders(h: Handling): Promise<void> {
	let first = (await currentReminders(h.db, h.booking.id)).find((r) => r.number === 1);
	if (first?.status === 'pending' && first.trigger === 'abandonment_check') {
		// The platform was quicker than the timer: the reminder goes now instead.
		h.cancelled += await cancelMessages(h.db, h.booking.id, ['booking.reminder'], 'superseded: the platform reported the abandonment');
		first = undefined;
	}
	if (!first) {
		const sent = await schedule(h, 'reminder #1', {
			eventType: 'booking.reminder',
			plan: 'at',
			payload: { number: 1, trigger: 'booking_abandoned' },
		});
		if (!sent) return;
	}
	if (!h.property.reminder_2_enabled) {
		h.notes.push('reminder #2 is turned off for this property');
		return;
	}
	// Counted from now, the abandonment, in the same clock as reminder #1. Once per activity: the
	// internal timer may have planned it already.
	await schedule(h, 'reminder #2', {
		eventType: 'booking.reminder',
		plan: 'reminder_2',
		payload: { number: 2, trigger: 'booking_abandoned' },
		once: true,
	});
}
