/**
 * Webhook signatures: sign outgoing deliveries and verify incoming ones, always over the raw body
 * bytes, against every active secret (rotation), with constant-time digest comparison.
 *
 * Choices that apply to every scheme, and why:
 * - Verification never throws; hostile input yields `{ ok: false, reason, message }`.
 * - A signed header that appears more than once (an array of 2+ values, or two spellings of the
 *   name in a plain object) is refused as `ambiguous_header` rather than each copy being tried:
 *   no supported sender repeats one, and picking a copy would make the outcome depend on order.
 *   Several signatures *inside* one header (Standard Webhooks' space-separated list, Stripe's
 *   repeated `v1=`) are all considered, as those specs say.
 * - Hex digests are lowercase only and base64 digests canonical and padded, so every digest has one
 *   accepted spelling; timestamps are 1 to 12 plain digits with no leading zero.
 * - Standard Webhooks secrets are `whsec_<base64>` or bare base64 (the reference library's rule);
 *   a plain-text secret is used only with `secretFormat: 'raw'`, never guessed.
 * - Empty strings in `secrets` are unused slots (an optional "previous secret" left blank);
 *   `secretIndex` always refers to the caller's list.
 */
import { signBarnumLegacy, verifyBarnumLegacy } from './barnum-legacy';
import { signCalcom, verifyCalcom } from './calcom';
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
export { CALCOM_SIGNATURE_HEADER } from './calcom';
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
		case 'calcom':
			return verifyCalcom(ctx);
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
		case 'calcom':
			return signCalcom(prepared);
		case 'custom':
			return signCustom(options as CustomOptions, prepared);
		default:
			throw new SignatureError(`unknown signature scheme ${JSON.stringify(String(scheme))}`);
	}
}
