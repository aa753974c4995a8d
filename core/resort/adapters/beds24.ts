import { z } from 'zod/v4';
import { describeIssues } from '../../webhooks/callback';
import type { BookingEventType } from '../types';
import { amount, bodyDigest, count, defined, fullName, id, instantOf, localeOf, nonEmpty, required } from './fields';
import type { PlatformAdapter } from './types';

/**
 * Beds24's booking webhook, version 2 (https://wiki.beds24.com/index.php/Category:Webhooks, payload
 * format at https://beds24.com/api/v2/#/Webhooks/postWebhooks___bookings): a JSON object whose
 * `booking` is the booking in API v2's format — id, propertyId, status ("new", "confirmed",
 * "request", "cancelled", "black", "inquiry"), arrival, departure, numAdult, numChild, firstName,
 * lastName, mobile, phone, lang, price, modifiedTime. Beds24 says a webhook's status may lag
 * ("modify" for a new booking): so a standing booking is always a booking_modified — the first
 * Barnum hears of is its confirmation, a later one corrects the dates when they changed. Beds24
 * sends the custom headers set on the property's webhook: Barnum checks one of them.
 */

const STANDING = new Set(['new', 'confirmed']);

const payload = z.object(
	{
		timeStamp: z.unknown().optional(),
		booking: z.object(
			{
				id: id(),
				propertyId: id(),
				status: z.string(required('a string')),
				arrival: z.string(required('a date as YYYY-MM-DD')).regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD'),
				departure: z.string(required('a date as YYYY-MM-DD')).regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD'),
				numAdult: z.unknown().optional(),
				numChild: z.unknown().optional(),
				firstName: z.unknown().optional(),
				lastName: z.unknown().optional(),
				mobile: z.unknown().optional(),
				phone: z.unknown().optional(),
				lang: z.unknown().optional(),
				price: z.unknown().optional(),
				modifiedTime: z.unknown().optional(),
			},
			required('a JSON object'),
		),
	},
	required('a JSON object'),
);

const phoneOf = (...values: unknown[]) => values.find((v): v is string => typeof v === 'string' && v.trim() !== '')?.trim();

export const beds24Adapter: PlatformAdapter = {
	platform: 'beds24',
	defaultAuth: 'header',
	rules: { requireReservationDates: true },
	normalise({ body, rawBody }) {
		const parsed = payload.safeParse(body);
		if (!parsed.success) return { kind: 'invalid', message: describeIssues(parsed.error) };
		const b = parsed.data.booking;
		const status = b.status.toLowerCase();
		const eventId = `${b.id}:${typeof b.modifiedTime === 'string' ? b.modifiedTime : bodyDigest(rawBody, body)}`;
		const type: BookingEventType | undefined = status === 'cancelled' ? 'booking_cancelled' : STANDING.has(status) ? 'booking_modified' : undefined;
		if (!type) return { kind: 'ignored', eventId, reason: `Beds24 status "${b.status}" needs no message` };
		return {
			kind: 'event',
			native: {
				id: eventId,
				type,
				platform: 'beds24',
				occurredAt: instantOf(b.modifiedTime) ?? instantOf(parsed.data.timeStamp) ?? new Date().toISOString(),
				property: { id: String(b.propertyId) },
				booking: defined({
					id: String(b.id),
					checkIn: b.arrival,
					checkOut: b.departure,
					adults: count(b.numAdult) || undefined,
					children: count(b.numChild),
					totalAmount: amount(b.price),
				}),
				guest: nonEmpty({ name: fullName(b.firstName, b.lastName), phone: phoneOf(b.mobile, b.phone), locale: localeOf(b.lang) }),
			},
		};
	},
};
