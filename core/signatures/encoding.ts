import type { DigestEncoding } from './types';

const HEX = /^[0-9a-f]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Lowercase hex of exactly `length` bytes. Uppercase is refused so that each digest has a single
 * accepted spelling: every sender we support emits lowercase.
 */
export function decodeHex(text: string, length: number): Buffer | undefined {
	if (text.length !== length * 2 || !HEX.test(text)) return undefined;
	return Buffer.from(text, 'hex');
}

/**
 * Canonical, padded standard base64 of exactly `length` bytes. Node's decoder is lenient (it skips
 * junk and ignores spare bits), so the text must re-encode to itself.
 */
export function decodeBase64(text: string, length: number): Buffer | undefined {
	if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
	const bytes = Buffer.from(text, 'base64');
	if (bytes.length !== length || bytes.toString('base64') !== text) return undefined;
	return bytes;
}

export function decodeDigest(text: string, encoding: DigestEncoding, length: number): Buffer | undefined {
	return encoding === 'hex' ? decodeHex(text, length) : decodeBase64(text, length);
}

export function encodeDigest(digest: Uint8Array, encoding: DigestEncoding): string {
	return Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString(encoding);
}
