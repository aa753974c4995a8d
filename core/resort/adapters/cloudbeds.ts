import { z } from 'zod/v4';
import { text } from '../../validation/text';
import { describeIssues } from '../../webhooks/callback';
import type { BookingEventType } from '../types';
import { id, required } from './fields';
import type { PlatformAdapter } from './types';

/**
 * Cloudbeds' `reservation/status_changed` webhook: {version, event, timestamp (unix seconds),
 * propertyID, reservationID, status}. It names the reservation and its new status, nothing more —
 * no guest, no dates. "confirmed" and "checked_in" become reservation_confirmed and
 * guest_checked_in on the booking of that reservation (which an earlier event, or an n8n workflow
 * calling Cloudbeds' getReservation, gave its guest and dates); "checked_out" records the
 * departure; "canceled" cancels its messages;
 * the other statuses need no message and are answered 200 with the reason.
 */

const STATUS_EVENT = 'reservation/status_changed';
const MAPPED: Record<string, BookingEventType> = {
	confirmed: 'reservation_confirmed',
	checked_in: 'guest_checked_in',
	checked_out: 'guest_checked_out',
	canceled: 'booking_cancelled',
	cancelled: 'booking_cancelled',
};

/** Unix seconds up to the last second of year 9999: beyond it there is no date to store. */
const LAST_SECOND = 253_402_300_799;

const payload = z.object(
	{
		version: z.union([z.string(), z.number()]).optional(),
		event: text({ max: 200, ...required('a string') }),
		timestamp: z.union(
			[z.number().positive().max(LAST_SECOND), z.string().regex(/^\d{9,12}(\.\d{1,9})?$/).refine((value) => Number(value) <= LAST_SECOND)],
			required('unix seconds'),
		),
		propertyID: id(),
		reservationID: id(),
		status: text({ min: 1, max: 100, ...required('a string') }),
	},
	required('a JSON object'),
);

export const cloudbedsAdapter: PlatformAdapter = {
	platform: 'cloudbeds',
	defaultAuth: 'signature',
	rules: { requireReservationDates: false },
	normalise({ body, deliveryId }) {
		const parsed = payload.safeParse(body);
		if (!parsed.success) return { kind: 'invalid', message: describeIssues(parsed.error) };
		const p = parsed.data;
		// Cloudbeds sends no event id: a status change of a reservation at an instant is one event.
		const eventId = deliveryId ?? `${p.reservationID}:${p.status}:${p.timestamp}`;
		if (p.event !== STATUS_EVENT) return { kind: 'ignored', eventId, reason: `Cloudbeds event "${p.event}" is not handled` };
		const type = MAPPED[p.status.toLowerCase()];
		if (!type) return { kind: 'ignored', eventId, reason: `Cloudbeds status "${p.status}" needs no message` };
		return {
			kind: 'event',
			native: {
				id: eventId,
				type,
				platform: 'cloudbeds',
				occurredAt: new Date(Number(p.timestamp) * 1000).toISOString(),
				property: { id: String(p.propertyID) },
				booking: { id: String(p.reservationID) },
			},
		};
	},
};
