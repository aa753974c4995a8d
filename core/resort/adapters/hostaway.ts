import { z } from 'zod/v4';
import { describeIssues } from '../../webhooks/callback';
import type { BookingEventType } from '../types';
import { amount, bodyDigest, count, currency, defined, id, instantOf, localeOf, nonEmpty, required } from './fields';
import type { PlatformAdapter } from './types';

/**
 * Hostaway's unified webhooks (https://api.hostaway.com/documentation#unified-webhooks):
 * {object: "reservation", event: "reservation.created" | "reservation.updated", accountId, data:
 * <the reservation object>}. The reservation carries the guest (guestName, phone), the dates
 * (arrivalDate, departureDate) and its status: "new" and "modified" are a standing reservation,
 * "cancelled", "declined" and "expired" are not, "pending" and "awaitingPayment" are a booking the
 * guest has not finished. Hostaway authenticates its webhooks with HTTP Basic credentials the
 * operator sets on the webhook.
 */

const STANDING = new Set(['new', 'modified']);
const ENDED = new Set(['cancelled', 'canceled', 'declined', 'expired']);
const UNFINISHED = new Set(['pending', 'awaitingpayment']);

const reservation = z.object(
	{
		id: id(),
		listingMapId: id(),
		status: z.string(required('a string')),
		arrivalDate: z.string(required('a date as YYYY-MM-DD')).regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD'),
		departureDate: z.string(required('a date as YYYY-MM-DD')).regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD'),
		guestName: z.string().optional().nullable(),
		guestFirstName: z.string().optional().nullable(),
		phone: z.string().optional().nullable(),
		adults: z.unknown().optional(),
		children: z.unknown().optional(),
		totalPrice: z.unknown().optional(),
		currency: z.unknown().optional(),
		channelReservationId: z.unknown().optional(),
		guestLocale: z.unknown().optional(),
		updatedOn: z.unknown().optional(),
		reservationDate: z.unknown().optional(),
	},
	required('a JSON object'),
);

const payload = z.object(
	{
		object: z.string(required('a string')),
		event: z.string(required('a string')),
		data: z.unknown(),
	},
	required('a JSON object'),
);

function typeOf(event: string, status: string): BookingEventType | undefined {
	const s = status.toLowerCase();
	if (ENDED.has(s)) return 'booking_cancelled';
	if (UNFINISHED.has(s)) return 'booking_started';
	if (!STANDING.has(s)) return undefined;
	return event === 'reservation.created' ? 'reservation_confirmed' : 'booking_modified';
}

export const hostawayAdapter: PlatformAdapter = {
	platform: 'hostaway',
	defaultAuth: 'basic',
	rules: { requireReservationDates: true },
	normalise({ body, rawBody }) {
		const envelope = payload.safeParse(body);
		if (!envelope.success) return { kind: 'invalid', message: describeIssues(envelope.error) };
		const { object, event } = envelope.data;
		const eventId = `${event}:${bodyDigest(rawBody, body)}`;
		if (object !== 'reservation' || !event.startsWith('reservation.')) {
			return { kind: 'ignored', eventId, reason: `Hostaway ${object} event "${event}" is not handled` };
		}
		const parsed = z.object({ data: reservation }).safeParse(body);
		if (!parsed.success) return { kind: 'invalid', message: describeIssues(parsed.error) };
		const r = parsed.data.data;
		const type = typeOf(event, r.status);
		if (!type) return { kind: 'ignored', eventId, reason: `Hostaway status "${r.status}" needs no message` };
		if (type === 'booking_started' && !r.phone?.trim()) {
			return { kind: 'ignored', eventId, reason: 'an unfinished Hostaway reservation without a phone number: no one to remind' };
		}
		return {
			kind: 'event',
			native: {
				id: `${r.id}:${eventId}`,
				type,
				platform: 'hostaway',
				// reservationDate is when it was booked: the time of a creation, not of a later change.
				occurredAt: instantOf(r.updatedOn) ?? (event === 'reservation.created' ? instantOf(r.reservationDate) : undefined) ?? new Date().toISOString(),
				property: { id: String(r.listingMapId) },
				booking: defined({
					id: String(r.id),
					checkIn: r.arrivalDate,
					checkOut: r.departureDate,
					adults: count(r.adults) || undefined,
					children: count(r.children),
					totalAmount: amount(r.totalPrice),
					currency: currency(r.currency),
					confirmationCode: typeof r.channelReservationId === 'string' && r.channelReservationId.length <= 100 ? r.channelReservationId : undefined,
				}),
				guest: nonEmpty({
					name: r.guestName?.trim() || r.guestFirstName?.trim() || undefined,
					phone: r.phone?.trim() || undefined,
					locale: localeOf(r.guestLocale),
				}),
			},
		};
	},
};
