import type { AuthMode } from '../receiver-auth';
import type { ValidationRules } from '../schema';
import type { BookingEvent } from '../types';

/** What a platform sent, after it was authenticated and its JSON parsed. */
export interface AdapterInput {
	body: unknown;
	/** The bytes as received: a platform that sends no event id has its deliveries told apart by their digest. */
	rawBody?: Buffer;
	/** The delivery id the signature scheme carries (Standard Webhooks' webhook-id), if any. */
	deliveryId?: string;
}

/**
 * The platform's payload mapped onto Barnum's native event (still unvalidated: the shared schema
 * checks it next), or a payload that needs nothing done (answered 200 with the reason, so the
 * platform does not retry it), or one the adapter cannot read (400).
 */
export type Normalised =
	| { kind: 'event'; native: unknown }
	/** Several events in one delivery (Mews sends every change of a moment together). */
	| { kind: 'events'; items: Normalised[] }
	| { kind: 'ignored'; eventId?: string; reason: string }
	| { kind: 'invalid'; message: string };

export type Adapted =
	| { kind: 'event'; event: BookingEvent }
	| { kind: 'events'; items: Adapted[] }
	| Exclude<Normalised, { kind: 'event' } | { kind: 'events' }>;

/** A booking platform: a second one is one more of these. */
export interface PlatformAdapter {
	/** Its name in the endpoint's path (/api/bookings/webhook/<platform>) and in bookings.platform. */
	platform: string;
	/** How it authenticates unless BOOKING_<PLATFORM>_AUTH says otherwise: what the platform can do. */
	defaultAuth: AuthMode;
	/** How strictly the shared schema checks what it maps. */
	rules: ValidationRules;
	normalise(input: AdapterInput): Normalised;
}
