import type pg from 'pg';
import { BarnumError } from '../errors';
import { PostgresDeliveryStore } from '../webhooks/deliveries';
import type { GuestKeyRing } from './guest-crypto';
import { processBookingAbandoned } from './handlers/booking-abandoned';
import { processBookingCancelled } from './handlers/booking-cancelled';
import { processBookingModified } from './handlers/booking-modified';
import { processBookingStarted } from './handlers/booking-started';
import { processGuestCheckedIn } from './handlers/guest-checked-in';
import { processGuestCheckedOut } from './handlers/guest-checked-out';
import type { HandlerContext } from './handlers/handling';
import { processReservationConfirmed } from './handlers/reservation-confirmed';
import { withDatabaseRetry, type RetryOptions } from './retry';
import { asActor, enqueue } from './store';
import type { BookingEvent, BookingEventResult, BookingEventType } from './types';

const HANDLERS: Record<BookingEventType, (context: HandlerContext, event: BookingEvent) => Promise<BookingEventResult>> = {
	booking_started: processBookingStarted,
	booking_abandoned: processBookingAbandoned,
	reservation_confirmed: processReservationConfirmed,
	booking_modified: processBookingModified,
	guest_checked_in: processGuestCheckedIn,
	guest_checked_out: processGuestCheckedOut,
	booking_cancelled: processBookingCancelled,
};

export interface RecordOptions {
	/** Who is acting, for the audit log and status history: 'booking-webhook:cloudbeds', 'n8n:Barnum' … */
	actor: string;
	/** Needed whenever an event carries a guest phone number. */
	keys?: GuestKeyRing;
	retry?: RetryOptions;
	/**
	 * Platform → its API's base URL, for platforms whose webhook lacks what the messages need
	 * (Cloudbeds sends no guest and no dates): such an event also queues `booking.details_needed`,
	 * once per booking, for the bundled workflow that reads the reservation from the API and records
	 * it again with the details (docs/resort.md).
	 */
	detailsApi?: Readonly<Record<string, string>>;
}

export interface RecordOutcome {
	/** True when this event id was recorded before: `result` is the first recording's, and nothing changed. */
	duplicate: boolean;
	result: BookingEventResult;
}

/** A standing booking whose messages wait for a guest or a date the platform's webhook did not send. */
function lacksDetails(result: BookingEventResult): boolean {
	if (result.outcome === 'ignored' || result.status === 'cancelled') return false;
	return result.guest === null || result.notes.some((note) => note.includes('date is unknown'));
}

/** Event ids are unique per platform, so each platform has its own de-duplication scope. */
export function deliveryScope(platform: string): string {
	return `booking:${platform}`;
}

/**
 * Records one booking event — from the companion server's receiver or the n8n Booking resource,
 * which both call this — exactly once per platform event id. The claim of the id, the handler's
 * work and the stored result share one transaction: a failure leaves no trace (the retry starts
 * afresh) and a concurrent repeat waits for the first and gets its result. Database faults worth
 * retrying (a lost connection, a serialization failure or deadlock) are retried, 3 attempts in all
 * by default.
 */
export function recordBookingEvent(pool: pg.Pool, event: BookingEvent, options: RecordOptions): Promise<RecordOutcome> {
	const scope = deliveryScope(event.platform);
	return withDatabaseRetry(
		() =>
			asActor(pool, options.actor, async (client) => {
				const deliveries = new PostgresDeliveryStore(client);
				const claim = await deliveries.claim(scope, event.id);
				if (!claim.claimed) {
					if (claim.status === 'done') return { duplicate: true, result: claim.responseBody as BookingEventResult };
					// Only a claim made outside a transaction (an older Barnum) can be seen half-done.
					throw new BarnumError('conflict', `Booking event ${event.id} is being recorded by another request`, { eventId: event.id });
				}
				const result = await HANDLERS[event.type]({ db: client, keys: options.keys }, event);
				const api = options.detailsApi?.[event.platform];
				if (api && lacksDetails(result)) {
					const queued = await enqueue(client, result.bookingId, {
						eventType: 'booking.details_needed',
						plan: 'at',
						once: true,
						respectQuietHours: false,
						payload: {
							platform: event.platform,
							api_url: api,
							property_id: event.property.id,
							reservation_id: event.booking.id,
							event_id: event.id,
							event_type: event.type,
							occurred_at: event.occurredAt.toISOString(),
						},
					});
					if (queued) {
						result.scheduled.push(queued);
						result.notes.push(`the guest and dates are read from the ${event.platform} API (booking.details_needed)`);
					}
				}
				await deliveries.complete(scope, event.id, 200, result);
				return { duplicate: false, result };
			}),
		options.retry,
	);
}
