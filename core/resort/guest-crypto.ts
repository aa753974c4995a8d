import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { BarnumError } from '../errors';

/**
 * Guests' phone numbers at rest: AES-256-GCM with a random 12-byte IV, stored as
 * `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url), plus a blind index — HMAC-SHA256 of the E.164
 * number — so an inbound WhatsApp number still finds its guest. PostgreSQL only ever sees those.
 *
 * One secret (GUEST_DATA_KEY: 32 random bytes, base64) yields both keys through HKDF, with
 * different labels, so the index reveals nothing about the encryption key. Several secrets may be
 * configured during a rotation, newest first: the newest encrypts and indexes, every one decrypts,
 * and lookups try the index of each.
 */

const VERSION = 'v1';
const SALT = Buffer.from('barnum-guest-data');
// Binds a ciphertext to its purpose: it cannot be replayed as any other encrypted field.
const AAD = Buffer.from('barnum:guest-phone:v1');
const FORMAT = /^v1\.([0-9a-f]{8})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]+)$/;

export interface GuestKey {
	/** Public: names the key a ciphertext needs, so several can be tried without guessing. */
	id: string;
	encryptionKey: Buffer;
	indexKey: Buffer;
}

/** The configured keys, newest first. */
export interface GuestKeyRing {
	keys: GuestKey[];
}

/** A ciphertext that no configured key opens: a wrong or missing key, or tampered data. */
export class GuestDataError extends Error {
	override name = 'GuestDataError';
}

function derive(master: Buffer, label: string, length = 32): Buffer {
	return Buffer.from(hkdfSync('sha256', master, SALT, label, length));
}

function decodeKey(text: string, position: number): Buffer {
	const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
	if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text) || bytes.length !== 32) {
		throw new BarnumError(
			'invalid_input',
			`Guest data key ${position} must be 32 random bytes in base64 (make one with: openssl rand -base64 32)`,
			{ field: 'guestDataKey' },
		);
	}
	return bytes;
}

/** Keys from their configured text (separated by commas or spaces, newest first); undefined when empty. */
export function parseGuestKeyRing(text: string | undefined | null): GuestKeyRing | undefined {
	const entries = (text ?? '').split(/[\s,]+/).filter((entry) => entry.length > 0);
	if (entries.length === 0) return undefined;
	const keys = entries.map((entry, index) => {
		const master = decodeKey(entry, index + 1);
		return {
			id: derive(master, 'key-id', 4).toString('hex'),
			encryptionKey: derive(master, 'phone-encryption'),
			indexKey: derive(master, 'phone-blind-index'),
		};
	});
	return { keys };
}

/** Encrypts with the newest key. */
export function encryptPhone(ring: GuestKeyRing, plain: string): string {
	const key = ring.keys[0];
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', key.encryptionKey, iv);
	cipher.setAAD(AAD);
	const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
	const parts = [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url'));
	return [VERSION, key.id, ...parts].join('.');
}

/** Decrypts with whichever configured key the ciphertext names. */
export function decryptPhone(ring: GuestKeyRing, ciphertext: string): string {
	const match = FORMAT.exec(ciphertext);
	if (!match) throw new GuestDataError('not a Barnum guest-data ciphertext');
	const [, keyId, iv, tag, body] = match;
	const key = ring.keys.find((candidate) => candidate.id === keyId);
	if (!key) throw new GuestDataError(`encrypted with key ${keyId}, which is not among the configured guest data keys`);
	const decipher = createDecipheriv('aes-256-gcm', key.encryptionKey, Buffer.from(iv, 'base64url'));
	decipher.setAAD(AAD);
	decipher.setAuthTag(Buffer.from(tag, 'base64url'));
	const plain = authenticated(() => Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]));
	// GCM's authentication failed: say so without echoing anything about the data.
	if (!plain) throw new GuestDataError(`the ciphertext does not authenticate under key ${keyId} (altered or corrupted)`);
	return plain.toString('utf8');
}

/** The deciphered bytes, or undefined when GCM's tag does not match (decipher.final throws then). */
function authenticated(decipher: () => Buffer): Buffer | undefined {
	try {
		return decipher();
	} catch {
		return undefined;
	}
}

/** The blind index of an E.164 number under each key, newest first (index 0 is what is stored). */
export function blindIndexes(ring: GuestKeyRing, e164: string): Buffer[] {
	return ring.keys.map((key) => createHmac('sha256', key.indexKey).update(e164, 'utf8').digest());
}
