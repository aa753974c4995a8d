import { bodyHex, matchBodyHex } from './body-hex';
import type { VerifyContext } from './context';
import type { PreparedSign } from './sign-input';
import type { SignedHeaders, VerificationResult } from './types';

/**
 * Cal.com's webhooks: `X-Cal-Signature-256`, the hex HMAC-SHA256 of the body with the webhook's
 * secret (createWebhookSignature in Cal.com's packages/features/webhooks/lib/sendPayload.ts).
 * Cal.com signs no timestamp or delivery id, so a captured request verifies again; the upserts it
 * feeds are idempotent, which makes a replay change nothing. Without a secret Cal.com sends the
 * text `no-secret-provided`, which is refused as malformed.
 */
export const CALCOM_SIGNATURE_HEADER = 'X-Cal-Signature-256';

export function verifyCalcom(ctx: VerifyContext): VerificationResult {
	const secretIndex = matchBodyHex(ctx, CALCOM_SIGNATURE_HEADER);
	if (typeof secretIndex !== 'number') return secretIndex;
	return { ok: true, scheme: 'calcom', secretIndex };
}

export function signCalcom(input: PreparedSign): SignedHeaders {
	return { [CALCOM_SIGNATURE_HEADER]: bodyHex(input.secret, input.body) };
}
