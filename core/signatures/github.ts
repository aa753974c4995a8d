import type { VerifyContext } from './context';
import { readDeliveryId } from './headers';
import { HUB_SIGNATURE_HEADER, hubSignature, matchHubSignature } from './hub-signature';
import type { PreparedSign } from './sign-input';
import type { SignedHeaders, VerificationResult } from './types';

/** GitHub signs the body only; the delivery GUID travels unsigned beside it. */
export const GITHUB_DELIVERY_HEADER = 'X-GitHub-Delivery';

export function verifyGithub(ctx: VerifyContext): VerificationResult {
	const secretIndex = matchHubSignature(ctx);
	if (typeof secretIndex !== 'number') return secretIndex;
	const deliveryId = readDeliveryId(ctx.headers, GITHUB_DELIVERY_HEADER);
	if (typeof deliveryId === 'object') return deliveryId;
	return deliveryId === undefined
		? { ok: true, scheme: 'github', secretIndex }
		: { ok: true, scheme: 'github', deliveryId, secretIndex };
}

export function signGithub(input: PreparedSign): SignedHeaders {
	const headers: SignedHeaders = { [HUB_SIGNATURE_HEADER]: hubSignature(input.secret, input.body) };
	if (input.id !== undefined) headers[GITHUB_DELIVERY_HEADER] = input.id;
	return headers;
}
