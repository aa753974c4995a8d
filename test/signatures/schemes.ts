import fc from 'fast-check';
import type { SignatureScheme } from '../../core/signatures';

/** What the property tests need to know about each scheme to sign and then tamper with requests. */
export interface SchemeCase {
	name: string;
	scheme: SignatureScheme;
	options: Record<string, unknown>;
	/** Secrets the scheme accepts. */
	secret: fc.Arbitrary<string>;
	/** The header carrying the digest, as `sign` names it. */
	signatureHeader: string;
	/** Headers whose every character is covered by the signature (the digest header included). */
	signedHeaders: readonly string[];
	timestampHeader?: string;
	/** How the signature header's timestamp is written, for schemes that put it there. */
	embedsTimestamp?: boolean;
	encoding: 'hex' | 'base64';
}

const utf8Secret = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
const whsecSecret = fc
	.uint8Array({ minLength: 1, maxLength: 64 })
	.map((bytes) => `whsec_${Buffer.from(bytes).toString('base64')}`);

export const CUSTOM_FULL = {
	signatureHeader: 'X-Shop-Hmac',
	algorithm: 'sha512',
	encoding: 'base64',
	prefix: 'sha512=',
	timestampHeader: 'X-Shop-Timestamp',
	deliveryIdHeader: 'X-Shop-Delivery',
} as const;

export const CUSTOM_HEX = { signatureHeader: 'X-Signature', algorithm: 'sha256', encoding: 'hex' } as const;

export const SCHEME_CASES: readonly SchemeCase[] = [
	{
		name: 'standard-webhooks',
		scheme: 'standard-webhooks',
		options: {},
		secret: whsecSecret,
		signatureHeader: 'webhook-signature',
		signedHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
		timestampHeader: 'webhook-timestamp',
		encoding: 'base64',
	},
	{
		name: 'barnum-legacy',
		scheme: 'barnum-legacy',
		options: {},
		secret: utf8Secret,
		signatureHeader: 'X-Webhook-Signature',
		signedHeaders: ['X-Webhook-Signature'],
		encoding: 'hex',
	},
	{
		name: 'meta',
		scheme: 'meta',
		options: {},
		secret: utf8Secret,
		signatureHeader: 'X-Hub-Signature-256',
		signedHeaders: ['X-Hub-Signature-256'],
		encoding: 'hex',
	},
	{
		name: 'github',
		scheme: 'github',
		options: {},
		secret: utf8Secret,
		signatureHeader: 'X-Hub-Signature-256',
		signedHeaders: ['X-Hub-Signature-256'],
		encoding: 'hex',
	},
	{
		name: 'calcom',
		scheme: 'calcom',
		options: {},
		secret: utf8Secret,
		signatureHeader: 'X-Cal-Signature-256',
		signedHeaders: ['X-Cal-Signature-256'],
		encoding: 'hex',
	},
	{
		name: 'stripe',
		scheme: 'stripe',
		options: {},
		secret: utf8Secret,
		signatureHeader: 'Stripe-Signature',
		signedHeaders: ['Stripe-Signature'],
		embedsTimestamp: true,
		encoding: 'hex',
	},
	{
		name: 'custom sha256/hex',
		scheme: 'custom',
		options: CUSTOM_HEX,
		secret: utf8Secret,
		signatureHeader: 'X-Signature',
		signedHeaders: ['X-Signature'],
		encoding: 'hex',
	},
	{
		name: 'custom sha512/base64 with prefix, timestamp and delivery id',
		scheme: 'custom',
		options: CUSTOM_FULL,
		secret: utf8Secret,
		signatureHeader: 'X-Shop-Hmac',
		signedHeaders: ['X-Shop-Hmac', 'X-Shop-Timestamp'],
		timestampHeader: 'X-Shop-Timestamp',
		encoding: 'base64',
	},
];

export const NOW_SECONDS = 1_760_000_000;
export const NOW = new Date(NOW_SECONDS * 1000);
