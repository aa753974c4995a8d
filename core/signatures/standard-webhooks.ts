import { randomUUID } from 'node:crypto';
import type { VerifyContext } from './context';
import { decodeBase64, encodeDigest } from './encoding';
import { SignatureError } from './errors';
import { isDeliveryId, requireHeader } from './headers';
import { DIGEST_LENGTH, findMatchingKey, hmac, type HmacKey } from './hmac';
import { fail } from './result';
import type { PreparedSign } from './sign-input';
import { readTimestamp } from './timestamp';
import type { SecretInput, SignedHeaders, StandardWebhooksOptions, VerificationResult } from './types';

/**
 * Standard Webhooks (https://www.standardwebhooks.com): HMAC-SHA256 over `${id}.${timestamp}.${body}`,
 * sent as `v1,<base64>` entries separated by spaces.
 */
export const STANDARD_WEBHOOKS_HEADERS = {
	id: 'webhook-id',
	timestamp: 'webhook-timestamp',
	signature: 'webhook-signature',
} as const;

const SECRET_PREFIX = 'whsec_';
const BASE64_SECRET = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The HMAC key for a secret. As in the reference library, a string is base64 whether or not it
 * carries the `whsec_` prefix, and only an explicit `secretFormat: 'raw'` makes its UTF-8 bytes the
 * key; a string that is not base64 is refused rather than silently used raw, since guessing would
 * verify against a different key than the sender's. Byte arrays are always the key itself.
 * Padding may be omitted, because some providers print secrets without it.
 */
export function standardWebhooksKey(
	secret: SecretInput,
	format: StandardWebhooksOptions['secretFormat'],
): Uint8Array | undefined {
	if (typeof secret !== 'string') return secret;
	if (format === 'raw') return Buffer.from(secret, 'utf8');
	const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
	if (!BASE64_SECRET.test(encoded) || encoded.length % 4 === 1) return undefined;
	if (encoded.endsWith('=') && encoded.length % 4 !== 0) return undefined;
	const key = Buffer.from(encoded, 'base64');
	return key.length > 0 ? key : undefined;
}

function signedContent(id: string, timestamp: string, body: Buffer): Buffer[] {
	return [Buffer.from(`${id}.${timestamp}.`, 'utf8'), body];
}

/** `v1` entries that decode to a SHA-256 digest; other versions (`v1a`, future ones) are skipped per the spec. */
function v1Signatures(header: string): Buffer[] {
	const signatures: Buffer[] = [];
	for (const entry of header.split(' ')) {
		const comma = entry.indexOf(',');
		if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
		const digest = decodeBase64(entry.slice(comma + 1), DIGEST_LENGTH.sha256);
		if (digest) signatures.push(digest);
	}
	return signatures;
}

export function verifyStandardWebhooks(ctx: VerifyContext, options: StandardWebhooksOptions): VerificationResult {
	if (options.secretFormat !== undefined && options.secretFormat !== 'base64' && options.secretFormat !== 'raw') {
		return fail('invalid_options', "secretFormat must be 'base64' or 'raw'");
	}
	const keys: HmacKey[] = [];
	for (const { index, secret } of ctx.secrets) {
		const key = standardWebhooksKey(secret, options.secretFormat);
		if (!key) {
			return fail(
				'invalid_secret',
				`secret #${index} is not whsec_<base64> (use secretFormat 'raw' for a plain secret)`,
			);
		}
		keys.push({ index, key });
	}
	const id = requireHeader(ctx.headers, STANDARD_WEBHOOKS_HEADERS.id);
	if (typeof id !== 'string') return id;
	const timestampText = requireHeader(ctx.headers, STANDARD_WEBHOOKS_HEADERS.timestamp);
	if (typeof timestampText !== 'string') return timestampText;
	const header = requireHeader(ctx.headers, STANDARD_WEBHOOKS_HEADERS.signature);
	if (typeof header !== 'string') return header;

	// The id is signed as UTF-8 text, but Node decodes header bytes as latin1: only ASCII survives both.
	if (!isDeliveryId(id)) {
		return fail('malformed_header', `${STANDARD_WEBHOOKS_HEADERS.id} must be 1 to 256 visible ASCII characters`);
	}
	const timestamp = readTimestamp(timestampText, ctx.now, ctx.tolerance, STANDARD_WEBHOOKS_HEADERS.timestamp);
	if (typeof timestamp !== 'number') return timestamp;
	const signatures = v1Signatures(header);
	if (signatures.length === 0) {
		return fail('malformed_header', `${STANDARD_WEBHOOKS_HEADERS.signature} holds no v1,<base64 SHA-256> entry`);
	}
	const secretIndex = findMatchingKey('sha256', keys, signedContent(id, timestampText, ctx.body), signatures);
	if (secretIndex === undefined) return fail('signature_mismatch', 'no v1 signature matches any configured secret');
	return { ok: true, scheme: 'standard-webhooks', deliveryId: id, timestamp, secretIndex };
}

export function signStandardWebhooks(options: StandardWebhooksOptions, input: PreparedSign): SignedHeaders {
	const key = standardWebhooksKey(input.secret, options.secretFormat);
	if (!key) throw new SignatureError('the signing secret is not whsec_<base64>');
	const id = input.id ?? `msg_${randomUUID().replaceAll('-', '')}`;
	const timestamp = String(input.timestamp());
	const digest = hmac('sha256', key, ...signedContent(id, timestamp, input.body));
	return {
		[STANDARD_WEBHOOKS_HEADERS.id]: id,
		[STANDARD_WEBHOOKS_HEADERS.timestamp]: timestamp,
		[STANDARD_WEBHOOKS_HEADERS.signature]: `v1,${encodeDigest(digest, 'base64')}`,
	};
}
