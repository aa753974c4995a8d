import { randomBytes } from 'node:crypto';
import { peekMessage } from '../../core/outbox/operations';
import type { OutboundMessage } from '../../core/outbox/types';
import { getBooking } from '../../core/resort/bookings';
import { fallbackMessage, TEMPLATE_NOT_FOUND } from '../../core/resort/fallback';
import { blindIndexes, decryptPhone, encryptPhone, GuestDataError, parseGuestKeyRing } from '../../core/resort/guest-crypto';
import { findGuestByPhone, setGuestOptOut } from '../../core/resort/guests';
import { bookingOf, revealGuestPhone } from '../../core/resort/message';
import { recordBookingEvent } from '../../core/resort/record';
import { parseBookingEvent } from '../../core/resort/schema';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { claim, GUEST_KEY, KEYS, makeDue, native, PHONE, record } from './fixtures';

/**
 * Guests' phone numbers: encrypted in the application, found by blind index, decrypted only by
 * the consumer that sends — and every read and change of guest data is in the audit log.
 */

let db: TestDatabase;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
});
afterAll(() => db.drop());

describe('the cipher', () => {
	test('round trip; a fresh IV every time; tampering and foreign keys are refused', () => {
		const a = encryptPhone(KEYS, PHONE);
		const b = encryptPhone(KEYS, PHONE);
		expect(a).toMatch(/^v1\.[0-9a-f]{8}\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
		expect(a).not.toBe(b);
		expect(decryptPhone(KEYS, a)).toBe(PHONE);
		const parts = a.split('.');
		const flipped = parts[4][0] === 'A' ? 'B' : 'A';
		expect(() => decryptPhone(KEYS, [...parts.slice(0, 4), flipped + parts[4].slice(1)].join('.'))).toThrow(GuestDataError);
		const other = parseGuestKeyRing(randomBytes(32).toString('base64'))!;
		expect(() => decryptPhone(other, a)).toThrow(/not among the configured guest data keys/);
		expect(() => decryptPhone(KEYS, PHONE)).toThrow(/not a Barnum guest-data ciphertext/);
	});

	test('a key must be 32 bytes of base64', () => {
		expect(() => parseGuestKeyRing('too-short')).toThrow(/Guest data key 1 must be 32 random bytes in base64/);
		expect(parseGuestKeyRing('  ')).toBeUndefined();
	});

	test('the blind index is a keyed HMAC: the same number under another key does not match', () => {
		const other = parseGuestKeyRing(randomBytes(32).toString('base64'))!;
		expect(blindIndexes(KEYS, PHONE)[0].equals(blindIndexes(KEYS, PHONE)[0])).toBe(true);
		expect(blindIndexes(KEYS, PHONE)[0].equals(blindIndexes(other, PHONE)[0])).toBe(false);
	});
});

describe('at rest', () => {
	let bookingId: string;
	let guestId: string;

	beforeAll(async () => {
		const { result } = await record(db, native('booking_abandoned', 'GD-1', { guest: { phone: '+351 912 345 678', name: 'Ana Costa' } }));
		bookingId = result.bookingId;
		guestId = result.guest!.id;
		await record(db, native('booking_started', 'GD-2', { guest: { phone: '912 345 699' } }));
	});

	test('the plain number appears nowhere in the database: every table\'s text is scanned', async () => {
		const tables = await db.admin.query<{ name: string }>(
			"SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'barnum' AND c.relkind = 'r'",
		);
		expect(tables.rows.map((t) => t.name)).toEqual(expect.arrayContaining(['guests', 'bookings', 'whatsapp_events', 'guest_audit_log']));
		for (const { name } of tables.rows) {
			const { rows } = await db.admin.query(
				`SELECT count(*)::int AS n FROM ${name} t WHERE regexp_replace(t::text, '[^0-9]', '', 'g') ~ '912345678|912345699'`,
			);
			expect({ table: name, rows: rows[0].n }).toEqual({ table: name, rows: 0 });
		}
	});

	test('the database refuses a plain number in the ciphertext column', async () => {
		await expect(db.app.query("UPDATE guests SET phone_encrypted = '+351912345678' WHERE id = $1", [guestId])).rejects.toThrow(
			/guests_phone_encrypted_is_ciphertext/,
		);
	});

	test('an inbound WhatsApp number finds its guest through the blind index', async () => {
		const found = await findGuestByPhone(db.app, KEYS, PHONE);
		expect(found).toMatchObject({ id: guestId, phone_status: 'valid', current_index: true });
		expect(await findGuestByPhone(db.app, parseGuestKeyRing(randomBytes(32).toString('base64'))!, PHONE)).toBeUndefined();
	});

	test('claim → message carries only the ciphertext; revealGuestPhone gives the consumer the number', async () => {
		await makeDue(db, bookingId);
		const event = (await claim(db)).events.find((e) => e.entityId === bookingId)!;
		const booking = bookingOf(event.message)!;
		expect(booking.guest).toEqual({ id: guestId, name: 'Ana Costa', locale: 'pt-PT', phone_encrypted: expect.stringMatching(/^v1\./) });
		expect(JSON.stringify(event.message)).not.toContain('912345678');
		const revealed = revealGuestPhone(event.message, KEYS);
		expect(bookingOf(revealed)!.guest).toEqual({ id: guestId, name: 'Ana Costa', locale: 'pt-PT', phone: PHONE });
		expect(event.message.booking).toEqual(booking); // the original is left as it was
		expect(() => revealGuestPhone(event.message, parseGuestKeyRing(randomBytes(32).toString('base64'))!)).toThrow(GuestDataError);
	});

	test('the message names the template and the property\'s fallback text for WhatsApp error 132001', async () => {
		await makeDue(db, bookingId);
		const message = (await peekMessage(db.app, ['booking.reminder'])) as OutboundMessage;
		const booking = bookingOf(message)!;
		expect(booking.template).toEqual({ name: 'barnum_booking_reminder', language: 'pt_PT' });
		expect(booking.property).toMatchObject({ external_id: 'praia-azul', name: 'Hotel Praia Azul', timezone: 'Europe/Lisbon' });
		const text = fallbackMessage(message, TEMPLATE_NOT_FOUND);
		expect(text).toMatch(/^Hi Ana Costa, (your stay at Hotel Praia Azul is still waiting|the dates you chose at Hotel Praia Azul)/);
		expect(fallbackMessage(message, 131026)).toBeUndefined();
		expect(fallbackMessage({ ...message, booking: undefined }, TEMPLATE_NOT_FOUND)).toBeUndefined();
	});

	test('rotating the key: the old number is still found, re-encrypted under the new key on the next write, and read back', async () => {
		const newKey = randomBytes(32).toString('base64');
		const rotated = parseGuestKeyRing(`${newKey}, ${GUEST_KEY}`)!;
		const before = (await db.admin.query('SELECT phone_encrypted FROM guests WHERE id = $1', [guestId])).rows[0].phone_encrypted as string;
		expect(await findGuestByPhone(db.app, rotated, PHONE)).toMatchObject({ id: guestId, current_index: false });

		const event = parseBookingEvent(native('booking_started', 'GD-3', { guest: { phone: PHONE } }));
		const { result } = await recordBookingEvent(db.app, event, { actor: 'test', keys: rotated });
		expect(result.guest!.id).toBe(guestId);
		const after = (await db.admin.query('SELECT phone_encrypted, phone_blind_index FROM guests WHERE id = $1', [guestId])).rows[0];
		expect(after.phone_encrypted.split('.')[1]).toBe(rotated.keys[0].id);
		expect(after.phone_encrypted).not.toBe(before);
		expect(after.phone_blind_index.equals(blindIndexes(rotated, PHONE)[0])).toBe(true);
		expect(decryptPhone(rotated, after.phone_encrypted)).toBe(PHONE);
		expect(() => decryptPhone(KEYS, after.phone_encrypted)).toThrow(GuestDataError);
		expect(await findGuestByPhone(db.app, rotated, PHONE)).toMatchObject({ id: guestId, current_index: true });
		// Put the first key back for the tests that follow.
		const { result: back } = await recordBookingEvent(db.app, parseBookingEvent(native('booking_started', 'GD-3', { guest: { phone: PHONE } })), {
			actor: 'test',
			keys: parseGuestKeyRing(`${GUEST_KEY}, ${newKey}`)!,
		});
		expect(back.guest!.id).toBe(guestId);
	});

	test('STOP from a number opts its guest out, found by blind index', async () => {
		const guest = await setGuestOptOut(db.app, KEYS, { phone: '+351 912 345 678', optedOut: true, actor: 'n8n:inbound' });
		expect(guest).toMatchObject({ id: guestId, whatsapp_opted_out_at: expect.any(Date) });
		await setGuestOptOut(db.app, KEYS, { guestId, optedOut: false, actor: 'n8n:inbound' });
		await expect(setGuestOptOut(db.app, KEYS, { phone: '+351900000000', optedOut: true, actor: 'x' })).rejects.toThrow('No guest has that phone number');
	});
});

describe('the audit log', () => {
	let bookingId: string;
	let guestId: string;

	beforeAll(async () => {
		const { result } = await record(db, native('booking_abandoned', 'AU-1', { guest: { phone: '+351913000001', name: 'Rita' } }), 'booking-webhook:barnum');
		bookingId = result.bookingId;
		guestId = result.guest!.id;
	});

	const entries = async () =>
		(
			await db.admin.query('SELECT action, fields, db_role, actor, context FROM guest_audit_log WHERE guest_id = $1 ORDER BY id', [guestId])
		).rows;

	test('changes are recorded by a trigger with the role, the application\'s actor and the fields', async () => {
		await record(db, native('booking_abandoned', 'AU-1', { occurredAt: new Date(Date.now() + 1000), guest: { phone: '+351913000001', name: 'Rita Lopes' } }), 'n8n:Barnum');
		const log = await entries();
		expect(log.slice(0, 2)).toEqual([
			{
				action: 'insert',
				fields: ['locale', 'name', 'phone_blind_index', 'phone_encrypted', 'phone_status'],
				db_role: 'barnum_test_app',
				actor: 'booking-webhook:barnum',
				context: null,
			},
			{ action: 'update', fields: ['name'], db_role: 'barnum_test_app', actor: 'n8n:Barnum', context: null },
		]);
	});

	test('reads are recorded: the claim that hands the ciphertext out, the preview, and Get (with the phone only when decrypted)', async () => {
		await makeDue(db, bookingId);
		await peekMessage(db.app, ['booking.reminder']);
		await claim(db, 'n8n:wf-7');
		await getBooking(db.app, { bookingId }, { actor: 'n8n:Get' });
		await getBooking(db.app, { bookingId }, { actor: 'n8n:Get with key', keys: KEYS });
		const reads = (await entries()).filter((e) => e.action === 'read');
		expect(reads).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ actor: 'outbox:n8n:wf-7', fields: ['locale', 'name', 'phone_encrypted'], context: expect.objectContaining({ event_type: 'booking.reminder' }) }),
				expect.objectContaining({ actor: 'n8n:Get', fields: ['locale', 'name'] }),
				expect.objectContaining({ actor: 'n8n:Get with key', fields: ['locale', 'name', 'phone'] }),
			]),
		);
		// The preview reads the guest too, when there is a reminder to preview.
		expect((await db.admin.query("SELECT count(*)::int AS n FROM guest_audit_log WHERE actor = 'outbox-preview'")).rows[0].n).toBeGreaterThan(0);
	});

	test('is append-only for the application: it can neither rewrite nor delete the trail', async () => {
		await expect(db.app.query("UPDATE guest_audit_log SET actor = 'nobody'")).rejects.toThrow(/permission denied/);
		await expect(db.app.query('DELETE FROM guest_audit_log')).rejects.toThrow(/permission denied/);
		await expect(db.app.query('DELETE FROM booking_status_history')).rejects.toThrow(/permission denied/);
		await expect(db.app.query("UPDATE booking_activities SET note = 'x'")).rejects.toThrow(/permission denied/);
	});

	test('Get returns the booking with history and messages; the phone only with the key', async () => {
		const masked = await getBooking(db.app, { bookingId }, { actor: 'test' });
		expect(masked.guest).toMatchObject({ id: guestId, name: 'Rita Lopes', phone: '(encrypted: give the guest data key to read it)' });
		const open = await getBooking(db.app, { platform: 'barnum', propertyId: 'praia-azul', reference: 'AU-1' }, { actor: 'test', keys: KEYS });
		expect(open).toMatchObject({ id: bookingId, reference: 'AU-1', status: 'abandoned', guest: { phone: '+351913000001', phoneStatus: 'valid' } });
		expect((open.history as Array<{ to_status: string }>).map((h) => h.to_status)).toEqual(['abandoned']);
		expect((open.messages as Array<{ event_type: string }>).map((m) => m.event_type)).toEqual(['booking.reminder', 'booking.reminder']);
		await expect(getBooking(db.app, { bookingId: '00000000-0000-4000-8000-000000000000' }, { actor: 'test' })).rejects.toThrow(
			'Booking 00000000-0000-4000-8000-000000000000 does not exist',
		);
	});
});

describe('quiet hours of the property\'s own', () => {
	test('a reminder due inside them waits for their end, in the property\'s timezone; the confirmation does not wait', async () => {
		const { rows } = await db.admin.query<{ at: Date }>(
			`INSERT INTO locations (external_id, name, timezone, quiet_hours_start, quiet_hours_end)
			 VALUES ('noite', 'Casa da Noite', 'Asia/Tokyo',
			         (now() AT TIME ZONE 'Asia/Tokyo' - interval '1 hour')::time, (now() AT TIME ZONE 'Asia/Tokyo' + interval '2 hours')::time)
			 RETURNING now() AS at`,
		);
		const quietEnds = rows[0].at.getTime() + 2 * 3_600_000;
		const { result } = await record(db, native('booking_abandoned', 'QH-1', { property: { id: 'noite' } }));
		const [first] = result.scheduled;
		expect(new Date(first.scheduledFor).getTime()).toBe(quietEnds);
		const stored = await db.admin.query('SELECT respect_quiet_hours FROM whatsapp_events WHERE id = $1', [first.eventId]);
		// The property's rule was applied when planning; the business-wide one must not apply again at claim.
		expect(stored.rows[0].respect_quiet_hours).toBe(false);
		const confirmed = await record(db, native('reservation_confirmed', 'QH-1', { property: { id: 'noite' }, guest: null }));
		expect(new Date(confirmed.result.scheduled[0].scheduledFor).getTime()).toBeLessThan(Date.now() + 1000);
	});
});
