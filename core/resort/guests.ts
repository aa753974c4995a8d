import type pg from 'pg';
import { type QueryName, sql } from '../db/sql';
import type { Queryable } from '../db/types';
import { BarnumError } from '../errors';
import { isUuid } from '../appointments/transitions';
import { blindIndexes, encryptPhone, type GuestKeyRing } from './guest-crypto';
import { normalisePhone } from './phone';
import { asActor } from './store';
import type { BookingEvent, PhoneStatus } from './types';

/**
 * Guests: who a booking's messages go to. A valid number is stored encrypted with its blind
 * index, and the index makes one guest per number; a number that is not E.164 is kept encrypted
 * on a guest of its own (so staff can see what the platform sent) and is never messaged.
 */

export interface GuestRow {
	id: string;
	name: string | null;
	locale: string | null;
	phone_status: PhoneStatus;
	whatsapp_opted_out_at: Date | null;
	/** False when the guest was found through an older key's blind index. */
	current_index: boolean;
}

export interface SavedGuest {
	guest: GuestRow;
	/** Why the guest cannot be messaged, when that is new information (an invalid number). */
	note?: string;
}

function requireKeys(keys: GuestKeyRing | undefined): GuestKeyRing {
	if (!keys) {
		throw new BarnumError('invalid_input', 'Recording a guest phone number needs the guest data key (GUEST_DATA_KEY) to encrypt it', {
			field: 'guestDataKey',
		});
	}
	return keys;
}

async function one(db: Queryable, query: QueryName, values: unknown[]): Promise<GuestRow> {
	const { rows } = await db.query<GuestRow>(sql(query), values);
	return rows[0];
}

export async function getGuest(db: Queryable, id: string): Promise<GuestRow | undefined> {
	const { rows } = await db.query<GuestRow>(sql('guest-get'), [id]);
	return rows[0];
}

/** The guest with this E.164 number, under any configured key. */
export async function findGuestByPhone(db: Queryable, keys: GuestKeyRing, e164: string): Promise<GuestRow | undefined> {
	const indexes = blindIndexes(keys, e164);
	const { rows } = await db.query<GuestRow>(sql('guest-find'), [indexes, indexes[0]]);
	return rows[0];
}

/**
 * Records the guest an event names and returns who the booking's guest now is. `current` is the
 * booking's guest so far. Without a phone in the event, the current guest's name and locale are
 * updated (or a guest without a number is created).
 */
export async function saveGuest(
	db: Queryable,
	keys: GuestKeyRing | undefined,
	input: NonNullable<BookingEvent['guest']>,
	current: GuestRow | undefined,
): Promise<SavedGuest> {
	const name = input.name ?? null;
	const locale = input.locale ?? null;
	if (input.phone === undefined || input.phone.trim() === '') {
		if (current) return { guest: await one(db, 'guest-update', [current.id, name, locale, null, null, null]) };
		return { guest: await one(db, 'guest-insert', [name, null, locale, 'missing']) };
	}
	const ring = requireKeys(keys);
	const phone = normalisePhone(input.phone);
	if (!phone.ok) {
		const ciphertext = encryptPhone(ring, input.phone.trim());
		const note = `guest phone number is invalid (${phone.reason}): recorded, no message will be sent`;
		// Never overwrite a guest's good number with a bad one: the bad one gets a guest of its own.
		const guest =
			current && current.phone_status !== 'valid'
				? await one(db, 'guest-update', [current.id, name, locale, ciphertext, null, 'invalid'])
				: await one(db, 'guest-insert', [name, ciphertext, locale, 'invalid']);
		return { guest, note };
	}
	const found = await findGuestByPhone(db, ring, phone.e164);
	const index = blindIndexes(ring, phone.e164)[0];
	if (found) {
		// Found through an older key: re-encrypt and re-index under the newest as we pass.
		const rekey = found.current_index ? [null, null, null] : [encryptPhone(ring, phone.e164), index, 'valid'];
		return { guest: await one(db, 'guest-update', [found.id, name, locale, ...rekey]) };
	}
	if (current && current.phone_status !== 'valid') {
		return { guest: await one(db, 'guest-update', [current.id, name, locale, encryptPhone(ring, phone.e164), index, 'valid']) };
	}
	return { guest: await one(db, 'guest-upsert', [name, encryptPhone(ring, phone.e164), index, locale]) };
}

/** Why a guest cannot be written to, or undefined when they can. */
export function unreachableReason(guest: GuestRow | undefined): string | undefined {
	if (!guest) return 'no guest is known for this booking';
	if (guest.whatsapp_opted_out_at) return 'the guest opted out of WhatsApp messages';
	if (guest.phone_status === 'invalid') return 'the guest phone number is invalid';
	if (guest.phone_status === 'missing') return 'the guest has no phone number';
	return undefined;
}

export async function auditGuestRead(
	db: Queryable,
	guestId: string,
	fields: string[],
	actor: string,
	context: Record<string, unknown> = {},
): Promise<void> {
	await db.query(sql('guest-audit-read'), [guestId, fields, actor, JSON.stringify(context)]);
}

/**
 * Opts a guest out of WhatsApp messages (STOP) or back in, by id or by the number an inbound
 * message came from. Their pending messages are then skipped at claim with the reason.
 */
export function setGuestOptOut(
	pool: pg.Pool,
	keys: GuestKeyRing | undefined,
	input: { guestId?: string | null; phone?: string | null; optedOut: boolean; actor: string },
): Promise<{ id: string; whatsapp_opted_out_at: Date | null }> {
	const byId = input.guestId ?? undefined;
	if (byId !== undefined && !isUuid(byId)) {
		throw new BarnumError('invalid_input', `guestId must be a UUID, got "${byId}"`, { field: 'guestId' });
	}
	const phone = byId === undefined ? normalisePhone(input.phone ?? '') : undefined;
	if (phone && !phone.ok) throw new BarnumError('invalid_input', `phone: ${phone.reason}`, { field: 'phone' });
	return asActor(pool, input.actor, async (client) => {
		let guestId = byId;
		if (phone?.ok) {
			const found = await findGuestByPhone(client, requireKeys(keys), phone.e164);
			if (!found) throw new BarnumError('not_found', 'No guest has that phone number', { field: 'phone' });
			await auditGuestRead(client, found.id, ['phone_blind_index'], input.actor, { lookup: 'phone' });
			guestId = found.id;
		}
		const { rows } = await client.query<{ id: string; whatsapp_opted_out_at: Date | null }>(sql('guest-opt-out'), [guestId, input.optedOut]);
		if (!rows[0]) throw new BarnumError('not_found', `Guest ${guestId} does not exist`, { guestId });
		return rows[0];
	});
}
