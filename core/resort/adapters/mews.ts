import { z } from 'zod/v4';
import { describeIssues } from '../../webhooks/callback';
import type { BookingEventType } from '../types';
import { bodyDigest, count, dayOf, defined, fullName, id, instantOf, localeOf, nonEmpty, required } from './fields';
import type { Normalised, PlatformAdapter } from './types';

/**
 * Mews' general webhooks (https://docs.mews.com/connector-api/events/wh-general): {EnterpriseId,
 * IntegrationId, Events: [{Discriminator, Value: {Id}}], Entities?}. One message carries every
 * change of a moment, so it may name several reservations: each ServiceOrderUpdated event becomes
 * one booking event. The reservation's state comes from the message's Entities (ServiceOrders or
 * Reservations, with their Customers): Confirmed → booking_modified (its confirmation when new,
 * a correction when the dates changed), Started → guest_checked_in, Processed →
 * guest_checked_out, Canceled → booking_cancelled; Optional, Enquired and Requested need no
 * message. An event whose reservation the message does not include is answered as ignored, with
 * the reason. Mews authenticates its webhooks with a secret token in the URL (Webhooks FAQ,
 * https://docs.mews.com/connector-api/events/wh-faq).
 *
 * Mews gives the stay as instants (StartUtc, EndUtc); the day taken is the UTC one, which is the
 * property's own for check-in and check-out hours between 01:00 and 23:00 in any zone within
 * UTC±11 of them — every property Mews serves in practice.
 */

const BY_STATE: Record<string, BookingEventType> = {
	Confirmed: 'booking_modified',
	Started: 'guest_checked_in',
	Processed: 'guest_checked_out',
	Canceled: 'booking_cancelled',
};

const order = z.object({
	Id: id(),
	State: z.string(required('a string')),
	StartUtc: z.unknown().optional(),
	EndUtc: z.unknown().optional(),
	UpdatedUtc: z.unknown().optional(),
	Number: z.unknown().optional(),
	AdultCount: z.unknown().optional(),
	ChildCount: z.unknown().optional(),
	CustomerId: z.unknown().optional(),
	AccountId: z.unknown().optional(),
});
const customer = z.object({ Id: z.unknown(), FirstName: z.unknown(), LastName: z.unknown(), Phone: z.unknown(), LanguageCode: z.unknown() }).partial();

const payload = z.object(
	{
		EnterpriseId: id(),
		Events: z.array(z.object({ Discriminator: z.string(required('a string')), Value: z.object({ Id: id() }, required('an object')) }), required('a list')),
		Entities: z
			.object({ ServiceOrders: z.array(order).optional(), Reservations: z.array(order).optional(), Customers: z.array(customer).optional() })
			.partial()
			.nullable()
			.optional(),
	},
	required('a JSON object'),
);

export const mewsAdapter: PlatformAdapter = {
	platform: 'mews',
	defaultAuth: 'token',
	rules: { requireReservationDates: true },
	normalise({ body, rawBody }) {
		const parsed = payload.safeParse(body);
		if (!parsed.success) return { kind: 'invalid', message: describeIssues(parsed.error) };
		const p = parsed.data;
		const orders = [...(p.Entities?.ServiceOrders ?? []), ...(p.Entities?.Reservations ?? [])];
		const customers = p.Entities?.Customers ?? [];
		const digest = bodyDigest(rawBody, body);
		const items: Normalised[] = p.Events.map((event, index): Normalised => {
			const eventId = `${event.Value.Id}:${digest}:${index}`;
			if (event.Discriminator !== 'ServiceOrderUpdated' && event.Discriminator !== 'ReservationUpdated') {
				return { kind: 'ignored', eventId, reason: `Mews event "${event.Discriminator}" is not handled` };
			}
			const reservation = orders.find((o) => String(o.Id) === String(event.Value.Id));
			if (!reservation) {
				return { kind: 'ignored', eventId, reason: `Mews sent no details of reservation ${event.Value.Id} (include Entities in the webhook subscription)` };
			}
			const type = BY_STATE[reservation.State];
			if (!type) return { kind: 'ignored', eventId, reason: `Mews state "${reservation.State}" needs no message` };
			const guestId = reservation.CustomerId ?? reservation.AccountId;
			const c = customers.find((x) => guestId !== undefined && String(x.Id) === String(guestId));
			const updated = instantOf(reservation.UpdatedUtc);
			return {
				kind: 'event',
				native: {
					// A state of a reservation at an instant is one event; without the instant, the message is.
					id: updated ? `${reservation.Id}:${reservation.State}:${updated}` : eventId,
					type,
					platform: 'mews',
					occurredAt: updated ?? new Date().toISOString(),
					property: { id: String(p.EnterpriseId) },
					booking: defined({
						id: String(reservation.Id),
						checkIn: dayOf(reservation.StartUtc),
						checkOut: dayOf(reservation.EndUtc),
						adults: count(reservation.AdultCount) || undefined,
						children: count(reservation.ChildCount),
						confirmationCode: typeof reservation.Number === 'string' && reservation.Number.length <= 100 ? reservation.Number : undefined,
					}),
					guest: c
						? nonEmpty({
								name: fullName(c.FirstName, c.LastName),
								phone: typeof c.Phone === 'string' && c.Phone.trim() ? c.Phone.trim() : undefined,
								locale: localeOf(c.LanguageCode),
							})
						: undefined,
				},
			};
		});
		return items.length === 1 ? items[0] : { kind: 'events', items };
	},
};
