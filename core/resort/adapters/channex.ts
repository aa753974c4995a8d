import { z } from 'zod/v4';
import { describeIssues } from '../../webhooks/callback';
import type { BookingEventType } from '../types';
import { amount, bodyDigest, count, currency, dayOf, defined, id, instantOf, localeOf, nonEmpty, required } from './fields';
import type { PlatformAdapter } from './types';

/**
 * Channex's webhooks (https://docs.channex.io/api-v.1-documentation/webhook-collection):
 * {event, property_id, user_id, timestamp, payload}. The booking events are booking_new,
 * booking_modification and booking_cancellation (or "booking" for all three, the revision's status
 * saying which); their payload names the booking and the revision (booking_id, revision_id) and,
 * with the webhook's "send data" option on, carries the revision itself: arrival_date,
 * departure_date, customer {name, surname, phone, language}, occupancy, amount, currency,
 * ota_reservation_code. Without it the event is applied to the booking Barnum already has, as for
 * Cloudbeds. The other events (ari, message, sync_error …) need no message. Channex sends the
 * custom headers set on the webhook: Barnum checks one of them (header mode).
 */

const BY_EVENT: Record<string, BookingEventType> = {
	booking_new: 'reservation_confirmed',
	booking_modification: 'booking_modified',
	booking_cancellation: 'booking_cancelled',
};
const BY_STATUS: Record<string, BookingEventType> = {
	new: 'reservation_confirmed',
	modified: 'booking_modified',
	cancelled: 'booking_cancelled',
};

const customer = z
	.object({ name: z.unknown(), surname: z.unknown(), phone: z.unknown(), language: z.unknown() })
	.partial()
	.nullable()
	.optional();

const envelope = z.object({ event: z.string(required('a string')) }, required('a JSON object'));

const payload = z.object(
	{
		property_id: id().optional(),
		timestamp: z.unknown().optional(),
		payload: z
			.object(
				{
					booking_id: id(),
					revision_id: id().optional(),
					property_id: id().optional(),
					status: z.string().optional(),
					arrival_date: z.unknown().optional(),
					departure_date: z.unknown().optional(),
					amount: z.unknown().optional(),
					currency: z.unknown().optional(),
					ota_reservation_code: z.unknown().optional(),
					occupancy: z.object({ adults: z.unknown(), children: z.unknown() }).partial().nullable().optional(),
					customer,
				},
				required('a JSON object'),
			)
			.optional(),
	},
	required('a JSON object'),
);

export const channexAdapter: PlatformAdapter = {
	platform: 'channex',
	defaultAuth: 'header',
	// A booking_new without "send data" has no dates: it is recorded like Cloudbeds' status webhook.
	rules: { requireReservationDates: false },
	normalise({ body, rawBody }) {
		const head = envelope.safeParse(body);
		if (!head.success) return { kind: 'invalid', message: describeIssues(head.error) };
		const { event } = head.data;
		if (event !== 'booking' && !Object.hasOwn(BY_EVENT, event)) {
			return { kind: 'ignored', eventId: `${event}:${bodyDigest(rawBody, body)}`, reason: `Channex event "${event}" is not handled` };
		}
		const parsed = payload.safeParse(body);
		if (!parsed.success) return { kind: 'invalid', message: describeIssues(parsed.error) };
		const p = { ...parsed.data, event };
		if (!p.payload) return { kind: 'invalid', message: 'payload: is required' };
		const b = p.payload;
		const type = p.event === 'booking' ? BY_STATUS[(b.status ?? '').toLowerCase()] : BY_EVENT[p.event];
		// A revision is one change of the booking: its id is what a repeated delivery is known by.
		const eventId = b.revision_id !== undefined ? `${b.booking_id}:${b.revision_id}` : `${b.booking_id}:${bodyDigest(rawBody, body)}`;
		if (!type) return { kind: 'ignored', eventId, reason: `Channex booking status "${b.status ?? ''}" needs no message` };
		const propertyId = b.property_id ?? p.property_id;
		if (propertyId === undefined) return { kind: 'invalid', message: 'property_id: is required' };
		const c = b.customer ?? undefined;
		return {
			kind: 'event',
			native: {
				id: eventId,
				type,
				platform: 'channex',
				occurredAt: instantOf(p.timestamp) ?? new Date().toISOString(),
				property: { id: String(propertyId) },
				booking: defined({
					id: String(b.booking_id),
					checkIn: dayOf(b.arrival_date),
					checkOut: dayOf(b.departure_date),
					adults: count(b.occupancy?.adults) || undefined,
					children: count(b.occupancy?.children),
					totalAmount: amount(b.amount),
					currency: currency(b.currency),
					confirmationCode: typeof b.ota_reservation_code === 'string' && b.ota_reservation_code.length <= 100 ? b.ota_reservation_code : undefined,
				}),
				guest: nonEmpty({
					name: [c?.name, c?.surname].filter((v) => typeof v === 'string' && v.trim()).join(' ') || undefined,
					phone: typeof c?.phone === 'string' && c.phone.trim() ? c.phone.trim() : undefined,
					locale: localeOf(c?.language),
				}),
			},
		};
	},
};
