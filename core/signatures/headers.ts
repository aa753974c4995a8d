import { fail } from './result';
import type { VerificationFailure } from './types';

/** RFC 9110 token characters: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function isHeaderName(name: unknown): name is string {
	return typeof name === 'string' && HEADER_NAME.test(name);
}

/** ASCII-only, so that e.g. the Kelvin sign (U+212A) cannot stand in for a `k`. */
function asciiLower(text: string): string {
	return text.replace(/[A-Z]/g, (letter) => String.fromCharCode(letter.charCodeAt(0) + 32));
}

/**
 * The single value of header `name`, looked up case-insensitively.
 *
 * Repeated headers are refused as ambiguous rather than tried one by one: no sender we support
 * repeats a signature header, so a second copy means a proxy or an attacker added one, and
 * picking either would make the outcome depend on header order. That covers an array with more
 * than one element and a plain object holding the same name under two spellings. A one-element
 * array (Node's `headersDistinct`) is the plain value. Node joins repeated custom headers into one
 * string with ", "; the scheme parsers then reject that string as malformed.
 */
export function readHeader(headers: unknown, name: string): string | VerificationFailure | undefined {
	if (typeof headers !== 'object' || headers === null) return undefined;
	const wanted = asciiLower(name);
	const values: unknown[] = [];
	for (const key of Object.keys(headers)) {
		if (asciiLower(key) !== wanted) continue;
		const value: unknown = (headers as Record<string, unknown>)[key];
		if (value === undefined) continue;
		if (Array.isArray(value)) values.push(...(value as unknown[]));
		else values.push(value);
	}
	if (values.length === 0) return undefined;
	if (values.length > 1) return fail('ambiguous_header', `header ${name} appears more than once`);
	const [value] = values;
	if (typeof value !== 'string') return fail('malformed_header', `header ${name} is not text`);
	return value;
}

/** Like readHeader, but absence is a failure too. */
export function requireHeader(headers: unknown, name: string): string | VerificationFailure {
	return readHeader(headers, name) ?? fail('missing_header', `header ${name} is missing`);
}

/** Delivery ids end up in logs and de-duplication keys: visible ASCII, bounded length. */
const DELIVERY_ID = /^[\x21-\x7e]{1,256}$/;

export function isDeliveryId(value: string): boolean {
	return DELIVERY_ID.test(value);
}

/**
 * An optional delivery-id header: absent is fine, but a repeated or malformed one is refused so a
 * consumer never de-duplicates on a value the sender did not send.
 */
export function readDeliveryId(headers: unknown, name: string): string | VerificationFailure | undefined {
	const value = readHeader(headers, name);
	if (value === undefined || typeof value !== 'string') return value;
	if (!isDeliveryId(value)) return fail('malformed_header', `header ${name} is not a valid delivery id`);
	return value;
}
