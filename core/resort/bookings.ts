import type pg from 'pg';
import { isUuid } from '../appointments/transitions';
import { sql } from '../db/sql';
import { BarnumError } from '../errors';
import { decryptPhone, type GuestKeyRing } from './guest-crypto';
import { auditGuestRead } from './guests';
import { asActor, cancelMessages } from './store';

/** Reading a booking, and cancelling its reminders by hand (the n8n Booking resource's Get and Cancel Reminders). */

export type BookingLookup = { bookingId: string } | { platform: string; propertyId: string; reference: string };

interface BookingGetRow {
	id: string;
	guest_id: string | null;
	guest_name: string | null;
	guest_locale: string | null;
	phone_status: string | null;
	phone_encrypted: string | null;
	whatsapp_opted_out_at: Date | null;
	[column: string]: unknown;
}

async function findBooking(db: pg.PoolClient, lookup: BookingLookup): Promise<BookingGetRow> {
	if ('bookingId' in lookup && !isUuid(lookup.bookingId)) {
		throw new BarnumError('invalid_input', `bookingId must be a UUID, got "${lookup.bookingId}"`, { field: 'bookingId' });
	}
	const values =
		'bookingId' in lookup ? [lookup.bookingId, null, null, null] : [null, lookup.platform, lookup.propertyId, lookup.reference];
	const { rows } = await db.query<BookingGetRow>(sql('booking-get'), values);
	if (!rows[0]) {
		const name = 'bookingId' in lookup ? lookup.bookingId : `${lookup.reference} (${lookup.platform}, property ${lookup.propertyId})`;
		throw new BarnumError('not_found', `Booking ${name} does not exist`, { ...lookup });
	}
	return rows[0];
}

/**
 * A booking with its property, guest, status history and messages. The guest's phone is decrypted
 * only when the key is given; either way the read is recorded in the guest audit log.
 */
export function getBooking(
	pool: pg.Pool,
	lookup: BookingLookup,
	options: { actor: string; keys?: GuestKeyRing },
): Promise<Record<string, unknown>> {
	return asActor(pool, options.actor, async (client) => {
		const row = await findBooking(client, lookup);
		const { guest_id, guest_name, guest_locale, phone_status, phone_encrypted, whatsapp_opted_out_at, ...booking } = row;
		let guest: Record<string, unknown> | null = null;
		if (guest_id) {
			const phone = phone_encrypted && options.keys ? decryptPhone(options.keys, phone_encrypted) : null;
			await auditGuestRead(client, guest_id, phone ? ['locale', 'name', 'phone'] : ['locale', 'name'], options.actor, { bookingId: row.id });
			guest = {
				id: guest_id,
				name: guest_name,
				locale: guest_locale,
				phoneStatus: phone_status,
				// Without the key the number stays encrypted; say so rather than leave the field silently empty.
				phone: phone ?? (phone_encrypted ? '(encrypted: give the guest data key to read it)' : null),
				optedOutAt: whatsapp_opted_out_at,
			};
		}
		const history = await client.query(sql('booking-history'), [row.id]);
		const messages = await client.query(sql('booking-messages'), [row.id]);
		return { ...booking, guest, history: history.rows, messages: messages.rows };
	});
}

/** Cancels a booking's pending reminders (the guest booked by phone, say); sent ones are history. */
export function cancelBookingReminders(
	pool: pg.Pool,
	input: { bookingId: string; reason?: string | null; actor: string },
): Promise<{ bookingId: string; cancelled: number }> {
	return asActor(pool, input.actor, async (client) => {
		const row = await findBooking(client, { bookingId: input.bookingId });
		const cancelled = await cancelMessages(client, row.id, ['booking.reminder'], input.reason || 'reminders cancelled by hand');
		return { bookingId: row.id, cancelled };
	});
}
