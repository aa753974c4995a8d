import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { HmacAlgorithm } from './types';

export const DIGEST_LENGTH: Readonly<Record<HmacAlgorithm, number>> = { sha256: 32, sha512: 64 };

export function hmac(algorithm: HmacAlgorithm, key: Uint8Array, ...parts: readonly Uint8Array[]): Buffer {
	const mac = createHmac(algorithm, key);
	for (const part of parts) mac.update(part);
	return mac.digest();
}

/** Constant-time for equal lengths; digests of one algorithm always are, so the length check leaks nothing. */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && timingSafeEqual(a, b);
}

/** Compares two strings of any lengths without leaking where they differ, by comparing their hashes. */
export function stringsEqual(a: string, b: string): boolean {
	const digestA = createHash('sha256').update(a, 'utf8').digest();
	const digestB = createHash('sha256').update(b, 'utf8').digest();
	return timingSafeEqual(digestA, digestB);
}

export interface HmacKey {
	/** Position in the caller's secrets list. */
	index: number;
	key: Uint8Array;
}

/**
 * The first key (in the caller's order) whose digest of `message` equals any candidate signature.
 * Every pair is compared, with no early exit, so timing does not reveal which candidate or key
 * came closest.
 */
export function findMatchingKey(
	algorithm: HmacAlgorithm,
	keys: readonly HmacKey[],
	message: readonly Uint8Array[],
	candidates: readonly Uint8Array[],
): number | undefined {
	let match: number | undefined;
	for (const { index, key } of keys) {
		const expected = hmac(algorithm, key, ...message);
		for (const candidate of candidates) {
			if (digestsEqual(expected, candidate) && match === undefined) match = index;
		}
	}
	return match;
}
