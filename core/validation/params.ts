import { decodeUtf8 } from './utf8';

/**
 * Query strings and form bodies (application/x-www-form-urlencoded), read strictly. Node's own
 * parser replaces broken percent-encoding with U+FFFD, keeps the last of two values or makes an
 * array, and decodes `%74oken` to `token`: a log that masks `token=` then shows a working link, and
 * a proxy, a log and the server may each read a different parameter. Here a name is taken only as
 * written — plain letters, digits, `_`, `.`, `-` — once; a value's percent-encoding must be whole
 * and its bytes UTF-8. Anything else is refused with the reason, never guessed.
 */

export type Params = { ok: true; values: Map<string, string> } | { ok: false; name?: string; reason: string };

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const PERCENT = 0x25;
const PLUS = 0x2b;

export function parseParams(raw: string | Uint8Array, maxCount = 20): Params {
	const bytes = typeof raw === 'string' ? latin1Bytes(raw) : raw;
	if (!bytes) return { ok: false, reason: 'the query holds characters that are not percent-encoded' };
	const values = new Map<string, string>();
	let start = 0;
	while (start <= bytes.length) {
		let end = bytes.indexOf(AMPERSAND, start);
		if (end === -1) end = bytes.length;
		const segment = bytes.subarray(start, end);
		start = end + 1;
		if (segment.length === 0) continue;
		const equals = segment.indexOf(EQUALS);
		const name = Buffer.from(equals === -1 ? segment : segment.subarray(0, equals)).toString('latin1');
		if (!NAME.test(name)) return { ok: false, reason: 'a parameter name is encoded or holds characters other than letters, digits, _ . -' };
		if (values.has(name)) return { ok: false, name, reason: 'is given more than once' };
		if (values.size === maxCount) return { ok: false, reason: `more than ${maxCount} parameters` };
		const value = equals === -1 ? '' : percentDecode(segment.subarray(equals + 1));
		if (value === undefined) return { ok: false, name, reason: 'is not valid percent-encoded UTF-8' };
		values.set(name, value);
	}
	return { ok: true, values };
}

/** Node hands over a URL's bytes as latin1 characters; anything wider did not come off the wire. */
function latin1Bytes(text: string): Uint8Array | undefined {
	for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return undefined;
	return Buffer.from(text, 'latin1');
}

function hex(byte: number): number {
	if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
	const lower = byte | 0x20;
	return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

function percentDecode(encoded: Uint8Array): string | undefined {
	const out = Buffer.alloc(encoded.length);
	let length = 0;
	for (let i = 0; i < encoded.length; i++) {
		const byte = encoded[i];
		if (byte === PLUS) out[length++] = 0x20;
		else if (byte !== PERCENT) out[length++] = byte;
		else {
			const high = hex(encoded[i + 1] ?? 0);
			const low = hex(encoded[i + 2] ?? 0);
			if (high < 0 || low < 0) return undefined;
			out[length++] = high * 16 + low;
			i += 2;
		}
	}
	return decodeUtf8(out.subarray(0, length));
}

/** A parameter name as any lenient reader would take it: percent-decoded until it stops changing. */
export function looseName(encoded: string): string {
	let name = encoded.replace(/\+/g, ' ');
	for (let i = 0; i < 3; i++) {
		let decoded: string;
		try {
			decoded = decodeURIComponent(name);
		} catch {
			decoded = name.replace(/%([0-9a-f]{2})/gi, (_, code: string) => String.fromCharCode(parseInt(code, 16)));
		}
		if (decoded === name) break;
		name = decoded;
	}
	return name.trim().toLowerCase();
}
