import type { VerifyContext } from './context';
import { decodeHex, encodeDigest } from './encoding';
import { requireHeader } from './headers';
import { DIGEST_LENGTH, findMatchingKey, hmac } from './hmac';
import { fail } from './result';
import { utf8Key, utf8Keys } from './secrets';
import type { PreparedSign } from './sign-input';
import type { SignedHeaders, VerificationResult } from './types';

/** Barnum's original scheme from the seed document: lowercase hex HMAC-SHA256 of the raw body. */
export const BARNUM_LEGACY_HEADER = 'X-Webhook-Signature';

/**
 * The legacy scheme signs no timestamp or id, so a captured request verifies forever: anyone who
 * saw one delivery can replay it. It stays only for receivers that cannot move yet; new receivers
 * should verify Standard Webhooks, which the dispatcher sends alongside it.
 */
export const BARNUM_LEGACY_REPLAYABLE = true;

export function verifyBarnumLegacy(ctx: VerifyContext): VerificationResult {
	const header = requireHeader(ctx.headers, BARNUM_LEGACY_HEADER);
	if (typeof header !== 'string') return header;
	const signature = decodeHex(header, DIGEST_LENGTH.sha256);
	if (!signature) return fail('malformed_header', `${BARNUM_LEGACY_HEADER} must be 64 lowercase hex digits`);
	const secretIndex = findMatchingKey('sha256', utf8Keys(ctx.secrets), [ctx.body], [signature]);
	if (secretIndex === undefined) return fail('signature_mismatch', 'the signature matches no configured secret');
	return { ok: true, scheme: 'barnum-legacy', secretIndex };
}

export function signBarnumLegacy(input: PreparedSign): SignedHeaders {
	return { [BARNUM_LEGACY_HEADER]: encodeDigest(hmac('sha256', utf8Key(input.secret), input.body), 'hex') };
}
