import type pg from 'pg';
import { sql } from '../db/sql';
import { inTransaction } from '../db/transaction';
import type { Queryable } from '../db/types';
import { BarnumError } from '../errors';
import type { BookingEvent, BookingStatus, EventOutcome, ScheduledMessage } from './types';

/** The statements the handlers share: properties, the booking row, its activity and its messages. */

export interface PropertyRow {
	id: string;
	name: string;
	reminder_2_enabled: boolean;
	created: boolean;
}

export interface BookingRow {
	id: string;
	guest_id: string | null;
	status: BookingStatus;
	status_changed_at: Date;
	last_activity_at: Date;
	check_in: string | null;
	check_out: string | null;
}

/** One transaction in which the audit log and the status history name `actor`. */
export function asActor<T>(pool: pg.Pool, actor: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
	return inTransaction(pool, async (client) => {
		await client.query(sql('booking-set-actor'), [actor]);
		return work(client);
	});
}

// Find-or-create runs again when a concurrent creation hid the row from the first statement; more
// than a few rounds means something else is wrong (no barnum_settings row, a row deleted each time).
const ROUNDS = 3;

export async function resolveProperty(db: Queryable, property: BookingEvent['property']): Promise<PropertyRow> {
	for (let round = 0; round < ROUNDS; round++) {
		const { rows } = await db.query<PropertyRow>(sql('property-resolve'), [
			property.id,
			property.name ?? null,
			property.timezone ?? null,
			property.locale ?? null,
		]);
		if (rows[0]) return rows[0];
	}
	throw new BarnumError('conflict', `Property ${property.id} could be neither found nor created (is the barnum_settings row missing?)`);
}

/**
 * The booking an event is about, locked; created in `initialStatus` (with `guestId`) when it is
 * new. `created` tells the handler there is no previous state to weigh the event against.
 */
export async function lockOrCreateBooking(
	db: Queryable,
	event: BookingEvent,
	propertyId: string,
	create: { status: BookingStatus; guestId: () => Promise<string | null> },
): Promise<{ booking: BookingRow; created: boolean }> {
	const key = [propertyId, event.platform, event.booking.id];
	for (let round = 0; round < ROUNDS; round++) {
		const locked = await db.query<BookingRow>(sql('booking-lock'), key);
		if (locked.rows[0]) return { booking: locked.rows[0], created: false };
		const activityAt = event.type === 'booking_abandoned' && event.lastActivityAt ? event.lastActivityAt : event.occurredAt;
		const inserted = await db.query<BookingRow>(sql('booking-insert'), [
			...key,
			await create.guestId(),
			create.status,
			activityAt,
		]);
		if (inserted.rows[0]) return { booking: inserted.rows[0], created: true };
	}
	throw new BarnumError('conflict', `Booking ${event.booking.id} could be neither locked nor created`);
}

export interface BookingChange {
	guestId?: string | null;
	status?: BookingStatus;
	/** The guest's latest activity (only ever moves forward). */
	activityAt?: Date | null;
}

/** Applies the event's reservation details and the given change; returns the booking as it now is. */
export async function updateBooking(db: Queryable, id: string, event: BookingEvent, change: BookingChange): Promise<BookingRow> {
	const b = event.booking;
	const { rows } = await db.query<BookingRow>(sql('booking-update'), [
		id,
		change.guestId ?? null,
		change.status ?? null,
		event.occurredAt,
		change.activityAt ?? null,
		b.checkIn ?? null,
		b.checkOut ?? null,
		b.adults ?? null,
		b.children ?? null,
		b.roomType ?? null,
		b.totalAmount ?? null,
		b.currency ?? null,
		b.resumeUrl ?? null,
		b.confirmationCode ?? null,
	]);
	return rows[0];
}

export async function recordActivity(db: Queryable, bookingId: string, event: BookingEvent, outcome: EventOutcome, note: string | null): Promise<void> {
	await db.query(sql('booking-activity-insert'), [bookingId, event.type, event.id, event.occurredAt, outcome, note]);
}

/** How a message's time is planned; see sql/queries/booking-enqueue.sql. */
export type Plan = 'at' | 'abandonment_check' | 'reminder_2' | 'review' | 'review_after' | 'pre_arrival' | 'check_out';

export async function enqueue(
	db: Queryable,
	bookingId: string,
	message: {
		eventType: string;
		plan: Plan;
		from?: Date | null;
		payload?: Record<string, unknown>;
		once?: boolean;
		respectQuietHours?: boolean;
	},
): Promise<ScheduledMessage | undefined> {
	const { rows } = await db.query<{ event_id: string | null; scheduled_for: Date }>(sql('booking-enqueue'), [
		bookingId,
		message.eventType,
		message.from ?? null,
		message.plan,
		JSON.stringify(message.payload ?? {}),
		message.once ?? false,
		message.respectQuietHours ?? true,
	]);
	const row = rows[0];
	if (!row?.event_id) return undefined;
	const reminderNumber = message.payload?.number;
	return {
		eventId: row.event_id,
		eventType: message.eventType,
		...(typeof reminderNumber === 'number' ? { reminderNumber } : {}),
		scheduledFor: row.scheduled_for.toISOString(),
	};
}

/** Cancels the booking's pending messages of these types (all when undefined). */
export async function cancelMessages(db: Queryable, bookingId: string, eventTypes: string[] | undefined, reason: string): Promise<number> {
	const { rows } = await db.query<{ cancelled: number }>(sql('booking-cancel-events'), [bookingId, eventTypes ?? null, reason]);
	return rows[0]?.cancelled ?? 0;
}

export interface ReminderRow {
	id: string;
	number: number;
	trigger: 'abandonment_check' | 'booking_abandoned';
	status: string;
	scheduled_for: Date;
}

/** The reminders answering the guest's latest activity that are queued, in flight or sent. */
export async function currentReminders(db: Queryable, bookingId: string): Promise<ReminderRow[]> {
	const { rows } = await db.query<ReminderRow>(sql('booking-reminders'), [bookingId]);
	return rows;
}

/** Whether the booking has a message of this type queued, in flight or sent. */
export async function hasMessage(db: Queryable, bookingId: string, eventType: string): Promise<boolean> {
	const { rows } = await db.query<{ present: boolean }>(sql('booking-has-message'), [bookingId, eventType]);
	return rows[0]?.present ?? false;
}
