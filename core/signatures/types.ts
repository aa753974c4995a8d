import type { IncomingHttpHeaders } from 'node:http';

export type SignatureScheme = 'standard-webhooks' | 'barnum-legacy' | 'meta' | 'stripe' | 'github' | 'calcom' | 'custom';

export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = [
	'standard-webhooks',
	'barnum-legacy',
	'meta',
	'stripe',
	'github',
	'calcom',
	'custom',
];

/** A string secret is used as its UTF-8 bytes (Standard Webhooks decodes it, see its module); bytes are used as-is. */
export type SecretInput = string | Uint8Array;

/** Node's `req.headers` (or `req.headersDistinct`), or any plain record shaped like it. */
export type HeaderBag = IncomingHttpHeaders | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Machine-readable failure codes; the `message` beside them is for humans and logs. */
export type VerificationFailureReason =
	| 'unsupported_scheme'
	| 'invalid_options'
	| 'invalid_body'
	| 'no_secret'
	| 'invalid_secret'
	| 'missing_header'
	| 'ambiguous_header'
	| 'malformed_header'
	| 'malformed_timestamp'
	| 'timestamp_too_old'
	| 'timestamp_in_future'
	| 'signature_mismatch'
	| 'internal_error';

export interface VerificationSuccess {
	ok: true;
	scheme: SignatureScheme;
	/** Sender's delivery/message id when the scheme carries one; it is what a receiver de-duplicates on. */
	deliveryId?: string;
	/** Signed unix time in seconds, for the schemes that sign one. */
	timestamp?: number;
	/** Index into the `secrets` given, so callers can tell when senders still use an old secret. */
	secretIndex: number;
}

export interface VerificationFailure {
	ok: false;
	reason: VerificationFailureReason;
	message: string;
}

export type VerificationResult = VerificationSuccess | VerificationFailure;

export interface StandardWebhooksOptions {
	/**
	 * 'base64' (default): a string secret is `whsec_<base64>` or bare base64, and the HMAC key is the
	 * decoded bytes, as in the reference library. 'raw': a string secret's UTF-8 bytes are the key.
	 */
	secretFormat?: 'base64' | 'raw';
}

export interface StripeOptions {
	/** Defaults to `Stripe-Signature`; other senders reuse the format under their own header. */
	signatureHeader?: string;
}

export type HmacAlgorithm = 'sha256' | 'sha512';
export type DigestEncoding = 'hex' | 'base64';

export interface CustomOptions {
	signatureHeader: string;
	algorithm: HmacAlgorithm;
	encoding: DigestEncoding;
	/** Literal text before the digest, such as `sha256=`; matched case-sensitively. */
	prefix?: string;
	/** When set, the signed content is `${timestamp}.${body}` and the tolerance window applies. */
	timestampHeader?: string;
	deliveryIdHeader?: string;
}

export type NoSchemeOptions = Record<never, never>;

export interface SchemeOptionsMap {
	'standard-webhooks': StandardWebhooksOptions;
	'barnum-legacy': NoSchemeOptions;
	meta: NoSchemeOptions;
	stripe: StripeOptions;
	github: NoSchemeOptions;
	calcom: NoSchemeOptions;
	custom: CustomOptions;
}

export interface VerifyCommonInput {
	headers: HeaderBag;
	/** The exact bytes received; a re-serialised JSON body would not match what the sender signed. */
	rawBody: Uint8Array;
	/** Every active secret during a rotation; empty strings are treated as unused slots. */
	secrets: SecretInput | readonly SecretInput[];
	now?: Date;
	toleranceSeconds?: number;
}

export type VerifyWebhookInput<S extends SignatureScheme> = VerifyCommonInput & SchemeOptionsMap[S];

export interface SignInput {
	/** With several secrets, the first one signs. */
	secret: SecretInput | readonly SecretInput[];
	/** Unix seconds; defaults to now for the schemes that sign a timestamp. */
	timestamp?: number;
	/** Delivery/message id; Standard Webhooks generates one when absent. */
	id?: string;
}

export type SignedHeaders = Record<string, string>;
