import { signBarnumLegacy, verifyBarnumLegacy } from './barnum-legacy';
import { buildContext } from './context';
import { signCustom, verifyCustom } from './custom';
import { SignatureError } from './errors';
import { signGithub, verifyGithub } from './github';
import { signMeta, verifyMeta } from './meta';
import { fail } from './result';
import { prepareSign } from './sign-input';
import { signStandardWebhooks, verifyStandardWebhooks } from './standard-webhooks';
import { signStripe, verifyStripe } from './stripe';
import type {
	CustomOptions,
	SchemeOptionsMap,
	SignatureScheme,
	SignedHeaders,
	SignInput,
	StandardWebhooksOptions,
	StripeOptions,
	VerificationResult,
	VerifyWebhookInput,
} from './types';

export type * from './types';
export { SIGNATURE_SCHEMES } from './types';
export { SignatureError } from './errors';
export { BARNUM_LEGACY_HEADER, BARNUM_LEGACY_REPLAYABLE } from './barnum-legacy';
export { GITHUB_DELIVERY_HEADER } from './github';
export { HUB_SIGNATURE_HEADER } from './hub-signature';
export { STANDARD_WEBHOOKS_HEADERS } from './standard-webhooks';
export { STRIPE_SIGNATURE_HEADER } from './stripe';
export { DEFAULT_TOLERANCE_SECONDS } from './timestamp';
export { verifyMetaHandshake, type MetaHandshakeFailureReason, type MetaHandshakeResult } from './meta-handshake';

function dispatchVerify(scheme: unknown, input: unknown): VerificationResult {
	const ctx = buildContext(input);
	if ('ok' in ctx) return ctx;
	const options = input as Record<string, unknown>;
	switch (scheme) {
		case 'standard-webhooks':
			return verifyStandardWebhooks(ctx, options as StandardWebhooksOptions);
		case 'barnum-legacy':
			return verifyBarnumLegacy(ctx);
		case 'meta':
			return verifyMeta(ctx);
		case 'stripe':
			return verifyStripe(ctx, options as StripeOptions);
		case 'github':
			return verifyGithub(ctx);
		case 'custom':
			return verifyCustom(ctx, options as unknown as CustomOptions);
		default:
			return fail('unsupported_scheme', `unknown signature scheme ${JSON.stringify(String(scheme))}`);
	}
}

/**
 * Verifies a webhook over its raw bytes against every active secret. Never throws: hostile input
 * yields `{ ok: false, reason, message }`.
 */
export function verifyWebhook<S extends SignatureScheme>(scheme: S, input: VerifyWebhookInput<S>): VerificationResult {
	try {
		return dispatchVerify(scheme, input);
	} catch {
		// No known path throws; this keeps the no-throw promise if a caller hands in an exotic
		// headers object (a Proxy, a getter) whose property access throws.
		return fail('internal_error', 'verification could not read its input');
	}
}

/**
 * The headers to send with `body` under `scheme`. Send exactly the bytes signed: a string body is
 * signed as UTF-8. Throws SignatureError on a bad secret, id, timestamp or options, which are
 * sender configuration rather than remote input.
 */
export function sign<S extends SignatureScheme>(
	scheme: S,
	options: SchemeOptionsMap[S],
	body: string | Uint8Array,
	input: SignInput,
): SignedHeaders {
	const prepared = prepareSign(body, input);
	switch (scheme as SignatureScheme) {
		case 'standard-webhooks':
			return signStandardWebhooks(options as StandardWebhooksOptions, prepared);
		case 'barnum-legacy':
			return signBarnumLegacy(prepared);
		case 'meta':
			return signMeta(prepared);
		case 'stripe':
			return signStripe(options as StripeOptions, prepared);
		case 'github':
			return signGithub(prepared);
		case 'custom':
			return signCustom(options as CustomOptions, prepared);
		default:
			throw new SignatureError(`unknown signature scheme ${JSON.stringify(String(scheme))}`);
	}
}
