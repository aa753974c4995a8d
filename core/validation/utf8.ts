import { TextDecoder } from 'node:util';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** The text the bytes encode, or undefined when they are not UTF-8: never a U+FFFD put in their place. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
	try {
		return strict.decode(bytes);
	} catch {
		return undefined;
	}
}

/**
 * For a 400 that names the field: the bytes decoded with U+FFFD where they are broken, so that a
 * caller can find which parsed value holds a replacement the sender did not write.
 */
export function decodeMarkingBadBytes(bytes: Uint8Array): string {
	return lenient.decode(bytes);
}
