import type { VerifyContext } from './context';
import { HUB_SIGNATURE_HEADER, hubSignature, matchHubSignature } from './hub-signature';
import type { PreparedSign } from './sign-input';
import type { SignedHeaders, VerificationResult } from './types';

/**
 * Meta (WhatsApp Cloud API) event notifications, signed with the app secret. Meta sends no
 * timestamp or delivery id, so de-duplicate on the message ids inside the payload.
 */
export function verifyMeta(ctx: VerifyContext): VerificationResult {
	const secretIndex = matchHubSignature(ctx);
	if (typeof secretIndex !== 'number') return secretIndex;
	return { ok: true, scheme: 'meta', secretIndex };
}

export function signMeta(input: PreparedSign): SignedHeaders {
	return { [HUB_SIGNATURE_HEADER]: hubSignature(input.secret, input.body) };
}
