import type { IncomingHttpHeaders } from 'node:http';
import { verifyWebhook, type SignatureScheme, type VerifyWebhookInput } from '../signatures';
import { stringsEqual } from '../signatures/hmac';
import { secretKeys } from '../signatures/secret-list';
import type { CustomOptions } from '../signatures/types';

/**
 * How the booking receiver knows a delivery came from the platform it names. Platforms differ:
 * some sign (HMAC), Mews puts a shared token in the URL, Hostaway sends HTTP Basic credentials,
 * Beds24 and Channex send a header the operator chose, and a platform that can do none of these
 * is let in by its addresses alone — only when the operator says so (docs/resort.md).
 */
export const AUTH_MODES = ['signature', 'token', 'basic', 'header', 'allowlist-only'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export type SignatureSettings = { scheme: 'standard-webhooks' } | { scheme: 'custom'; custom: CustomOptions };

export interface PlatformAuth {
	mode: AuthMode;
	/** Raw secret text (several during a rotation): the HMAC key(s), the token, the password or the header's value. */
	secrets: string[];
	/** signature: how the platform signs. */
	signature?: SignatureSettings;
	toleranceSeconds: number;
	/** basic: the user name the platform sends. */
	username?: string;
	/** header: the header's name, lower case. */
	header?: string;
	/** Addresses or CIDR ranges the platform sends from; empty: any (the receiver-wide list still applies). */
	ipAllowlist: string[];
}

export interface AuthRequest {
	headers: IncomingHttpHeaders;
	rawBody: Buffer;
	/** token: the secret as the last segment of the path (/api/bookings/webhook/<platform>/<token>). */
	pathToken?: string;
	/** token: the secret as ?token=… */
	queryToken?: unknown;
}

export type AuthResult = { ok: true; deliveryId?: string } | { ok: false; reason: string; message: string };

const refused = (reason: string, message: string): AuthResult => ({ ok: false, reason, message });

/** True when `given` equals any of `secrets`; every secret is compared, in constant time. */
function matchesAny(given: string, secrets: readonly string[]): boolean {
	let match = false;
	for (const secret of secrets) match = stringsEqual(given, secret) || match;
	return match;
}

function singleHeader(headers: IncomingHttpHeaders, name: string): string | undefined | null {
	const value = headers[name];
	if (Array.isArray(value)) return value.length === 1 ? value[0] : null;
	return value;
}

function basicCredentials(authorization: string | undefined | null): { user: string; password: string } | undefined {
	const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(authorization?.trim() ?? '');
	if (!match) return undefined;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	return colon === -1 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Checks one delivery against its platform's mode. Never throws; the reason goes to the log and
 * the metrics, the message to the sender (it names what was missing, never a secret).
 */
export function authenticateDelivery(auth: PlatformAuth, request: AuthRequest): AuthResult {
	switch (auth.mode) {
		case 'allowlist-only':
			// The address was checked before anything was read; there is nothing else to check.
			return { ok: true };
		case 'signature': {
			const settings = auth.signature ?? { scheme: 'standard-webhooks' };
			const result = verifyWebhook(settings.scheme, {
				headers: request.headers,
				rawBody: request.rawBody,
				secrets: auth.secrets.flatMap((s) => secretKeys(s)),
				toleranceSeconds: auth.toleranceSeconds,
				...(settings.scheme === 'custom' ? settings.custom : {}),
			} as VerifyWebhookInput<SignatureScheme>);
			return result.ok ? { ok: true, deliveryId: result.deliveryId } : refused(result.reason, result.message);
		}
		case 'token': {
			const query = typeof request.queryToken === 'string' ? request.queryToken : undefined;
			if (request.queryToken !== undefined && query === undefined) return refused('ambiguous_token', 'give the token once');
			const given = request.pathToken ?? query;
			if (!given) return refused('missing_token', 'the URL carries no token (…/webhook/<platform>/<token> or ?token=…)');
			return matchesAny(given, auth.secrets) ? { ok: true } : refused('invalid_token', 'the token does not match');
		}
		case 'basic': {
			const authorization = singleHeader(request.headers, 'authorization');
			if (authorization === null) return refused('ambiguous_header', 'Authorization was sent more than once');
			const credentials = basicCredentials(authorization);
			if (!credentials) return refused('missing_credentials', 'HTTP Basic credentials (Authorization: Basic …) are required');
			// Both compared whatever the first gave, so the time taken says nothing about which was wrong.
			const user = stringsEqual(credentials.user, auth.username ?? '');
			const password = matchesAny(credentials.password, auth.secrets);
			return user && password ? { ok: true } : refused('invalid_credentials', 'the user name or password does not match');
		}
		case 'header': {
			const name = auth.header ?? '';
			const value = singleHeader(request.headers, name);
			if (value === null) return refused('ambiguous_header', `${name} was sent more than once`);
			if (!value) return refused('missing_header', `the ${name} header is required`);
			return matchesAny(value, auth.secrets) ? { ok: true } : refused('invalid_header', `the ${name} header does not match`);
		}
		default:
			return refused('invalid_options', 'unknown authentication mode');
	}
}
