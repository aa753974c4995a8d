import { z } from 'zod/v4';
import { BarnumError } from '../errors';
import { calendarDate, instant as instantText } from '../validation/calendar';
import { hasControl, NO_CONTROL, text as plainText } from '../validation/text';
import { describeIssues } from '../webhooks/callback';
import { BOOKING_EVENT_TYPES, LOCALES, type BookingEvent } from './types';

/**
 * Barnum's native booking event (docs/resort.md has an example of each type). It is also the
 * normalised form every platform adapter produces, so one schema validates both and its error
 * messages name the fields a sender wrote.
 */

/** A string whose absence reads "is required", so a 400 names the missing field plainly. */
const string = () => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });
const object = <T extends z.core.$ZodLooseShape>(shape: T) =>
	z.object(shape, { error: (issue) => (issue.input === undefined ? 'is required' : 'must be an object') });

const date = calendarDate();

const instant = instantText().transform((value) => new Date(value));

const text = (max: number) => plainText({ min: 1, max, error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });

const timezone = text(64).refine((value) => {
	try {
		new Intl.DateTimeFormat('en', { timeZone: value });
		return true;
	} catch {
		return false;
	}
}, 'must be an IANA time zone such as Europe/Lisbon');

/** Per-platform strictness: a status webhook (Cloudbeds) carries no reservation dates. */
export interface ValidationRules {
	/** reservation_confirmed must carry booking.checkIn and booking.checkOut (the native schema: yes). */
	requireReservationDates?: boolean;
}

const eventSchema = (rules: ValidationRules) => object({
		id: text(256),
		type: z.enum(BOOKING_EVENT_TYPES, `must be one of ${BOOKING_EVENT_TYPES.join(', ')}`),
		platform: string()
			.regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be lower-case letters, digits, _ or -')
			.default('barnum'),
		occurredAt: instant,
		property: object({
			id: text(200),
			name: text(200).optional(),
			timezone: timezone.optional(),
			locale: z.enum(LOCALES, `must be one of ${LOCALES.join(', ')}`).optional(),
		}),
		booking: object({
			id: text(200),
			checkIn: date.optional(),
			checkOut: date.optional(),
			adults: z.number().int('must be a whole number').min(1, 'must be 1 or more').max(100).optional(),
			children: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(100).optional(),
			roomType: text(200).optional(),
			totalAmount: z.number().min(0, 'must be 0 or more').max(1e9).optional(),
			currency: string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR').optional(),
			resumeUrl: z
				.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
				.max(2000)
				.refine((value) => !hasControl(value), NO_CONTROL)
				.optional(),
			confirmationCode: text(100).optional(),
		}),
		guest: object({
				name: text(200).optional(),
				// Checked for E.164 when it is recorded: an invalid number is recorded and skipped, not refused.
				phone: plainText({ max: 40 }).optional(),
				locale: z.enum(LOCALES, `must be one of ${LOCALES.join(', ')}`).optional(),
		}).optional(),
		lastActivityAt: instant.optional(),
	}).superRefine((event, ctx) => {
		const { checkIn, checkOut } = event.booking;
		if (checkIn && checkOut && checkOut <= checkIn) {
			ctx.addIssue({ code: 'custom', path: ['booking', 'checkOut'], message: 'must be after booking.checkIn' });
		}
		// Without a number there is no one to recover the cart from.
		if (event.type === 'booking_started' && !event.guest?.phone) {
			ctx.addIssue({ code: 'custom', path: ['guest', 'phone'], message: 'is required for booking_started' });
		}
		if (event.type === 'reservation_confirmed' && rules.requireReservationDates !== false) {
			for (const field of ['checkIn', 'checkOut'] as const) {
				if (!event.booking[field]) {
					ctx.addIssue({ code: 'custom', path: ['booking', field], message: 'is required for reservation_confirmed' });
				}
			}
		}
	});

export type BookingEventValidation = { ok: true; event: BookingEvent } | { ok: false; message: string };

/** Validates a native (or adapter-normalised) event; the message names every bad field. */
export function validateBookingEvent(input: unknown, rules: ValidationRules = {}): BookingEventValidation {
	const parsed = eventSchema(rules).safeParse(input);
	if (!parsed.success) return { ok: false, message: describeIssues(parsed.error) };
	return { ok: true, event: parsed.data as BookingEvent };
}

/** validateBookingEvent for callers that report failures by throwing (the n8n node). */
export function parseBookingEvent(input: unknown): BookingEvent {
	const result = validateBookingEvent(input);
	if (!result.ok) throw new BarnumError('invalid_input', result.message);
	return result.event;
}
