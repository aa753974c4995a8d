import type { VerifyContext } from './context';
import { decodeHex, encodeDigest } from './encoding';
import { requireHeader } from './headers';
import { DIGEST_LENGTH, findMatchingKey, hmac } from './hmac';
import { fail } from './result';
import { utf8Key, utf8Keys } from './secrets';
import type { SecretInput, VerificationFailure } from './types';

/**
 * A bare lowercase hex HMAC-SHA256 of the body in one header, with no prefix, timestamp or id: the
 * seed's X-Webhook-Signature and Cal.com's X-Cal-Signature-256 share it.
 */
export function matchBodyHex(ctx: VerifyContext, headerName: string): number | VerificationFailure {
	const header = requireHeader(ctx.headers, headerName);
	if (typeof header !== 'string') return header;
	const signature = decodeHex(header, DIGEST_LENGTH.sha256);
	if (!signature) return fail('malformed_header', `${headerName} must be 64 lowercase hex digits`);
	const secretIndex = findMatchingKey('sha256', utf8Keys(ctx.secrets), [ctx.body], [signature]);
	return secretIndex ?? fail('signature_mismatch', 'the signature matches no configured secret');
}

export function bodyHex(secret: SecretInput, body: Buffer): string {
	return encodeDigest(hmac('sha256', utf8Key(secret), body), 'hex');
}
