import { claimEvents } from '../../core/outbox/operations';
import { parseGuestKeyRing, type GuestKeyRing } from '../../core/resort/guest-crypto';
import { recordBookingEvent, type RecordOutcome } from '../../core/resort/record';
import { parseBookingEvent } from '../../core/resort/schema';
import type { BookingEventType } from '../../core/resort/types';
import type { TestDatabase } from '../helpers/database';

/** A fixed guest data key (32 bytes, base64), so ciphertexts in failures can be decrypted by hand. */
export const GUEST_KEY = Buffer.alloc(32, 7).toString('base64');
export const KEYS: GuestKeyRing = parseGuestKeyRing(GUEST_KEY)!;
export const PHONE = '+351912345678';

let counter = 0;
export const nextId = (prefix = 'evt') => `${prefix}_${process.pid}_${++counter}`;

export interface NativeOverrides {
	id?: string;
	occurredAt?: Date | string;
	property?: Record<string, unknown>;
	booking?: Record<string, unknown>;
	guest?: Record<string, unknown> | null;
	[key: string]: unknown;
}

/** A native booking event as a platform would send it (docs/resort.md). */
export function native(type: BookingEventType, reference: string, overrides: NativeOverrides = {}): Record<string, unknown> {
	const { guest, property, booking, occurredAt, ...rest } = overrides;
	const at = occurredAt instanceof Date ? occurredAt.toISOString() : (occurredAt ?? new Date().toISOString());
	return {
		id: nextId(),
		type,
		occurredAt: at,
		property: { id: 'praia-azul', name: 'Hotel Praia Azul', timezone: 'Europe/Lisbon', ...property },
		booking: {
			id: reference,
			...(type === 'reservation_confirmed' ? { checkIn: '2031-07-10', checkOut: '2031-07-14' } : {}),
			...booking,
		},
		...(guest === null ? {} : { guest: { name: 'Ana Costa', phone: PHONE, locale: 'pt-PT', ...guest } }),
		...rest,
	};
}

/** Records a native event through core, as the receiver and the n8n node do. */
export function record(db: TestDatabase, event: Record<string, unknown>, actor = 'test'): Promise<RecordOutcome> {
	return recordBookingEvent(db.app, parseBookingEvent(event), { actor, keys: KEYS, retry: { sleep: async () => undefined } });
}

export interface EventRow {
	id: string;
	event_type: string;
	status: string;
	status_reason: string | null;
	scheduled_for: Date;
	payload: Record<string, unknown>;
	respect_quiet_hours: boolean;
	created_at: Date;
}

export async function eventsOf(db: TestDatabase, bookingId: string): Promise<EventRow[]> {
	const { rows } = await db.admin.query<EventRow>(
		`SELECT id, event_type, status, status_reason, scheduled_for, payload, respect_quiet_hours, created_at
		   FROM whatsapp_events WHERE entity_type = 'booking' AND entity_id = $1 ORDER BY created_at, scheduled_for`,
		[bookingId],
	);
	return rows;
}

export const reminders = async (db: TestDatabase, bookingId: string, number: number) =>
	(await eventsOf(db, bookingId)).filter((e) => e.event_type === 'booking.reminder' && e.payload.number === number);

/** Makes a booking's pending events due now, as if the clock had moved on (no sleeping). */
export const makeDue = (db: TestDatabase, bookingId: string, eventType?: string) =>
	db.admin.query(
		"UPDATE whatsapp_events SET scheduled_for = now() WHERE entity_id = $1 AND status = 'pending' AND ($2::text IS NULL OR event_type = $2)",
		[bookingId, eventType ?? null],
	);

export const claim = (db: TestDatabase, consumerId = 'resort-test') =>
	claimEvents(db.app, { consumerId, limit: 100, leaseSeconds: 60, eventTypes: ['booking.reminder', 'booking.confirmation', 'booking.review_request'] });

export async function bookingRow(db: TestDatabase, bookingId: string) {
	const { rows } = await db.admin.query('SELECT * FROM bookings WHERE id = $1', [bookingId]);
	return rows[0];
}

/** The database's idea of now (the transaction times events are planned from). */
export async function dbNow(db: TestDatabase): Promise<Date> {
	return (await db.admin.query<{ now: Date }>('SELECT now()')).rows[0].now;
}

export const HOUR = 3_600_000;
