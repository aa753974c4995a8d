/**
 * The resort sales channel's vocabulary. A booking platform's webhook (or an n8n workflow) is
 * turned into one normalised BookingEvent by a platform adapter; the handlers in this folder act
 * on that alone, so a second platform is an adapter and nothing else.
 */

/**
 * The document's four flows, plus what real platforms report about the rest of a stay: a
 * cancellation, a change of dates or details, and the check-out (see docs/resort.md).
 */
export const BOOKING_EVENT_TYPES = [
	'booking_started',
	'booking_abandoned',
	'reservation_confirmed',
	'booking_modified',
	'guest_checked_in',
	'guest_checked_out',
	'booking_cancelled',
] as const;
export type BookingEventType = (typeof BOOKING_EVENT_TYPES)[number];

export type BookingStatus = 'started' | 'abandoned' | 'confirmed' | 'checked_in' | 'checked_out' | 'cancelled';

export const LOCALES = ['pt-PT', 'en', 'pt-BR', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

export interface BookingEvent {
	/** The platform's event id: what a repeated delivery is recognised by. */
	id: string;
	type: BookingEventType;
	/** Whose ids `property.id` and `booking.id` are ('barnum', 'cloudbeds' …). */
	platform: string;
	/** When it happened on the platform; orders events that arrive late or out of order. */
	occurredAt: Date;
	property: { id: string; name?: string; timezone?: string; locale?: Locale };
	booking: {
		id: string;
		checkIn?: string;
		checkOut?: string;
		adults?: number;
		children?: number;
		roomType?: string;
		totalAmount?: number;
		currency?: string;
		resumeUrl?: string;
		confirmationCode?: string;
	};
	guest?: { name?: string; phone?: string; locale?: Locale };
	/** booking_abandoned: when the guest was last active, if the platform knows. */
	lastActivityAt?: Date;
}

/** applied: the booking changed; unchanged: it already was so; ignored: stale or not applicable. */
export type EventOutcome = 'applied' | 'unchanged' | 'ignored';

export interface ScheduledMessage {
	eventId: string;
	eventType: string;
	reminderNumber?: number;
	scheduledFor: string;
}

/** What recording one event did. JSON-safe: it is stored and answered again to a repeated delivery. */
export interface BookingEventResult {
	eventId: string;
	type: BookingEventType;
	platform: string;
	bookingId: string;
	status: BookingStatus;
	/** null when this event created the booking. */
	previousStatus: BookingStatus | null;
	outcome: EventOutcome;
	scheduled: ScheduledMessage[];
	/** Pending messages this event cancelled (reminders after a confirmation …). */
	cancelled: number;
	guest: { id: string; phoneStatus: PhoneStatus } | null;
	notes: string[];
}

export type PhoneStatus = 'valid' | 'invalid' | 'missing';
