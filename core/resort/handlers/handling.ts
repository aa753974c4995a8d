import type { Queryable } from '../../db/types';
import type { GuestKeyRing } from '../guest-crypto';
import { getGuest, saveGuest, unreachableReason, type GuestRow } from '../guests';
import { enqueue, lockOrCreateBooking, recordActivity, resolveProperty, type BookingRow, type PropertyRow } from '../store';
import type { BookingEvent, BookingEventResult, BookingStatus, EventOutcome, ScheduledMessage } from '../types';

/** What every handler needs: the transaction it runs in and the key guests' numbers are encrypted with. */
export interface HandlerContext {
	db: Queryable;
	keys?: GuestKeyRing;
}

/** One event being applied to one locked booking, and what it has done so far. */
export interface Handling {
	db: Queryable;
	keys?: GuestKeyRing;
	event: BookingEvent;
	property: PropertyRow;
	booking: BookingRow;
	created: boolean;
	previousStatus: BookingStatus | null;
	guest?: GuestRow;
	scheduled: ScheduledMessage[];
	cancelled: number;
	notes: string[];
}

/** Statuses a booking does not leave for an earlier stage of the funnel. */
export const BOOKED: BookingStatus[] = ['confirmed', 'checked_in', 'checked_out', 'cancelled'];

/**
 * Finds (and locks) or creates the booking an event is about. A new booking is created in
 * `initialStatus` with the event's guest; an existing one is left for the handler to weigh the
 * event against.
 */
export async function openBooking(context: HandlerContext, event: BookingEvent, initialStatus: BookingStatus): Promise<Handling> {
	const property = await resolveProperty(context.db, event.property);
	const notes: string[] = [];
	let guest: GuestRow | undefined;
	const { booking, created } = await lockOrCreateBooking(context.db, event, property.id, {
		status: initialStatus,
		guestId: async () => {
			if (!event.guest) return null;
			const saved = await saveGuest(context.db, context.keys, event.guest, undefined);
			if (saved.note) notes.push(saved.note);
			guest = saved.guest;
			return guest.id;
		},
	});
	if (property.created) notes.push(`property ${event.property.id} was new: created with Barnum's defaults`);
	return {
		...context,
		event,
		property,
		booking,
		created,
		previousStatus: created ? null : booking.status,
		guest,
		scheduled: [],
		cancelled: 0,
		notes,
	};
}

/** Records the event's guest on an existing booking (a new one already has it); loads the guest otherwise. */
export async function applyGuest(h: Handling): Promise<void> {
	const current = h.guest ?? (h.booking.guest_id ? await getGuest(h.db, h.booking.guest_id) : undefined);
	if (h.created || !h.event.guest) {
		h.guest = current;
		return;
	}
	const saved = await saveGuest(h.db, h.keys, h.event.guest, current);
	if (saved.note) h.notes.push(saved.note);
	h.guest = saved.guest;
}

/** Why an event is older than the booking's current status, or undefined when it is not. */
export function staleness(h: Handling): string | undefined {
	if (h.created || h.event.occurredAt >= h.booking.status_changed_at) return undefined;
	return `stale: the booking became ${h.booking.status} after this event happened`;
}

/** Queues a message when the guest can be written to; otherwise notes why it was not. */
export async function schedule(h: Handling, what: string, message: Parameters<typeof enqueue>[2]): Promise<ScheduledMessage | undefined> {
	const unreachable = unreachableReason(h.guest);
	if (unreachable) {
		h.notes.push(`${what} not scheduled: ${unreachable}`);
		return undefined;
	}
	const scheduled = await enqueue(h.db, h.booking.id, message);
	if (scheduled) h.scheduled.push(scheduled);
	return scheduled;
}

/** Records the activity and answers with the summary; the outcome is derived unless given. */
export async function finish(h: Handling, given?: { outcome: EventOutcome; note: string }): Promise<BookingEventResult> {
	const outcome =
		given?.outcome ??
		(h.previousStatus === h.booking.status && h.scheduled.length === 0 && h.cancelled === 0 ? 'unchanged' : 'applied');
	const notes = given ? [given.note, ...h.notes] : h.notes;
	await recordActivity(h.db, h.booking.id, h.event, outcome, notes.length > 0 ? notes.join('; ') : null);
	return {
		eventId: h.event.id,
		type: h.event.type,
		platform: h.event.platform,
		bookingId: h.booking.id,
		status: h.booking.status,
		previousStatus: h.previousStatus,
		outcome,
		scheduled: h.scheduled,
		cancelled: h.cancelled,
		guest: h.guest ? { id: h.guest.id, phoneStatus: h.guest.phone_status } : null,
		notes,
	};
}

export const ignore = (h: Handling, note: string) => finish(h, { outcome: 'ignored', note });
