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
/** A value with nothing to decode: printable ASCII without %, + or &. */
const PLAIN = /^[\x21-\x24\x27-\x2A\x2C-\x7E]*$/;
const PERCENT = 0x25;
const PLUS = 0x2b;

export function parseParams(raw: string | Uint8Array, maxCount = 20): Params {
	// Node hands over a URL's bytes as latin1 characters; a body is read the same way.
	const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('latin1');
	const values = new Map<string, string>();
	for (const segment of text.split('&')) {
		if (segment.length === 0) continue;
		const equals = segment.indexOf('=');
		const name = equals === -1 ? segment : segment.slice(0, equals);
		if (!NAME.test(name)) return { ok: false, reason: 'a parameter name is encoded or holds characters other than letters, digits, _ . -' };
		if (values.has(name)) return { ok: false, name, reason: 'is given more than once' };
		if (values.size === maxCount) return { ok: false, reason: `more than ${maxCount} parameters` };
		const encoded = equals === -1 ? '' : segment.slice(equals + 1);
		const value = PLAIN.test(encoded) ? encoded : percentDecode(encoded);
		if (value === undefined) return { ok: false, name, reason: 'is not valid percent-encoded UTF-8' };
		values.set(name, value);
	}
	return { ok: true, values };
}

function hex(byte: number): number {
	if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
	const lower = byte | 0x20;
	return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** The value's bytes (latin1 characters, %XX escapes, + for a space) read as UTF-8, or undefined. */
function percentDecode(encoded: string): string | undefined {
	const out = Buffer.alloc(encoded.length);
	let length = 0;
	for (let i = 0; i < encoded.length; i++) {
		const code = encoded.charCodeAt(i);
		if (code > 0xff) return undefined;
		if (code === PLUS) out[length++] = 0x20;
		else if (code !== PERCENT) out[length++] = code;
		else {
			const high = hex(encoded.charCodeAt(i + 1));
			const low = hex(encoded.charCodeAt(i + 2));
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
