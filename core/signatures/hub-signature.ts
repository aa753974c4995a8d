import type { VerifyContext } from './context';
import { decodeHex, encodeDigest } from './encoding';
import { requireHeader } from './headers';
import { DIGEST_LENGTH, findMatchingKey, hmac } from './hmac';
import { fail } from './result';
import { utf8Key, utf8Keys } from './secrets';
import type { SecretInput, VerificationFailure } from './types';

/** `X-Hub-Signature-256: sha256=<hex>`, the format Meta and GitHub share. */
export const HUB_SIGNATURE_HEADER = 'X-Hub-Signature-256';
const PREFIX = 'sha256=';

/** The index of the matching secret, or why there is none. */
export function matchHubSignature(ctx: VerifyContext): number | VerificationFailure {
	const header = requireHeader(ctx.headers, HUB_SIGNATURE_HEADER);
	if (typeof header !== 'string') return header;
	const signature = header.startsWith(PREFIX)
		? decodeHex(header.slice(PREFIX.length), DIGEST_LENGTH.sha256)
		: undefined;
	if (!signature) {
		return fail('malformed_header', `${HUB_SIGNATURE_HEADER} must be ${PREFIX} and 64 lowercase hex digits`);
	}
	const secretIndex = findMatchingKey('sha256', utf8Keys(ctx.secrets), [ctx.body], [signature]);
	return secretIndex ?? fail('signature_mismatch', 'the signature matches no configured secret');
}

export function hubSignature(secret: SecretInput, body: Buffer): string {
	return `${PREFIX}${encodeDigest(hmac('sha256', utf8Key(secret), body), 'hex')}`;
}
