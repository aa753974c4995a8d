import { bodyHex, matchBodyHex } from './body-hex';
import type { VerifyContext } from './context';
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
	const secretIndex = matchBodyHex(ctx, BARNUM_LEGACY_HEADER);
	if (typeof secretIndex !== 'number') return secretIndex;
	return { ok: true, scheme: 'barnum-legacy', secretIndex };
}

export function signBarnumLegacy(input: PreparedSign): SignedHeaders {
	return { [BARNUM_LEGACY_HEADER]: bodyHex(input.secret, input.body) };
}
