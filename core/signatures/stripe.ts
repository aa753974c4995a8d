import type { VerifyContext } from './context';
import { decodeHex, encodeDigest } from './encoding';
import { SignatureError } from './errors';
import { isHeaderName, requireHeader } from './headers';
import { DIGEST_LENGTH, findMatchingKey, hmac } from './hmac';
import { fail } from './result';
import { utf8Key, utf8Keys } from './secrets';
import type { PreparedSign } from './sign-input';
import { checkTolerance, parseTimestamp } from './timestamp';
import type { SignedHeaders, StripeOptions, VerificationFailure, VerificationResult } from './types';

/** Stripe's format: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "${t}.${body}">[,v1=...]`. */
export const STRIPE_SIGNATURE_HEADER = 'Stripe-Signature';

interface StripeHeader {
	timestampText: string;
	timestamp: number;
	signatures: Buffer[];
}

/**
 * Stricter than Stripe's own library: every element must be `key=value` with both sides
 * non-empty, `t` must appear exactly once as plain digits, and every `v1` must be a well-formed
 * digest. Unknown keys (`v0`, future schemes) are skipped. Nothing is trimmed, since a sender never
 * pads this header.
 */
function parseStripeHeader(header: string, name: string): StripeHeader | VerificationFailure {
	let timestampText: string | undefined;
	const signatures: Buffer[] = [];
	for (const element of header.split(',')) {
		const equals = element.indexOf('=');
		if (equals <= 0 || equals === element.length - 1) {
			return fail('malformed_header', `${name} has an element that is not key=value`);
		}
		const key = element.slice(0, equals);
		const value = element.slice(equals + 1);
		if (key === 't') {
			if (timestampText !== undefined) return fail('malformed_header', `${name} repeats t=`);
			timestampText = value;
		} else if (key === 'v1') {
			const digest = decodeHex(value, DIGEST_LENGTH.sha256);
			if (!digest) return fail('malformed_header', `${name} has a v1 that is not 64 lowercase hex digits`);
			signatures.push(digest);
		}
	}
	if (timestampText === undefined) return fail('malformed_header', `${name} has no t=`);
	const timestamp = parseTimestamp(timestampText);
	if (timestamp === undefined) return fail('malformed_timestamp', `${name} t= must be unix seconds as 1 to 12 digits`);
	if (signatures.length === 0) return fail('malformed_header', `${name} has no v1=`);
	return { timestampText, timestamp, signatures };
}

function signedContent(timestamp: string, body: Buffer): Buffer[] {
	return [Buffer.from(`${timestamp}.`, 'utf8'), body];
}

function headerName(options: StripeOptions): string | undefined {
	const name = options.signatureHeader ?? STRIPE_SIGNATURE_HEADER;
	return isHeaderName(name) ? name : undefined;
}

export function verifyStripe(ctx: VerifyContext, options: StripeOptions): VerificationResult {
	const name = headerName(options);
	if (!name) return fail('invalid_options', 'signatureHeader must be a valid header name');
	const header = requireHeader(ctx.headers, name);
	if (typeof header !== 'string') return header;
	const parsed = parseStripeHeader(header, name);
	if ('ok' in parsed) return parsed;
	const late = checkTolerance(parsed.timestamp, ctx.now, ctx.tolerance);
	if (late) return late;
	const content = signedContent(parsed.timestampText, ctx.body);
	const secretIndex = findMatchingKey('sha256', utf8Keys(ctx.secrets), content, parsed.signatures);
	if (secretIndex === undefined) return fail('signature_mismatch', 'no v1 signature matches any configured secret');
	return { ok: true, scheme: 'stripe', timestamp: parsed.timestamp, secretIndex };
}

export function signStripe(options: StripeOptions, input: PreparedSign): SignedHeaders {
	const name = headerName(options);
	if (!name) throw new SignatureError('signatureHeader must be a valid header name');
	const timestamp = String(input.timestamp());
	const digest = hmac('sha256', utf8Key(input.secret), ...signedContent(timestamp, input.body));
	return { [name]: `t=${timestamp},v1=${encodeDigest(digest, 'hex')}` };
}
