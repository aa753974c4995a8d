import { stringsEqual } from './hmac';

/**
 * Meta's subscription check: a GET with `hub.mode=subscribe`, `hub.verify_token` and
 * `hub.challenge`; the endpoint answers 200 with the challenge when the token is the one
 * configured in the app dashboard.
 */
export type MetaHandshakeFailureReason =
	| 'no_verify_token'
	| 'missing_parameter'
	| 'ambiguous_parameter'
	| 'not_subscribe'
	| 'token_mismatch'
	| 'invalid_challenge';

export type MetaHandshakeResult =
	| { ok: true; challenge: string }
	| { ok: false; reason: MetaHandshakeFailureReason; message: string };

/**
 * The challenge is echoed back in the response body, so only the characters Meta sends (digits,
 * in practice) plus a safe token alphabet are accepted: nothing a browser could read as markup.
 */
const CHALLENGE = /^[A-Za-z0-9._~-]{1,512}$/;

type Parameter = { value: string } | { reason: 'missing_parameter' | 'ambiguous_parameter' };

function single(values: readonly unknown[]): Parameter {
	const present = values.filter((value) => value !== undefined);
	if (present.length === 0) return { reason: 'missing_parameter' };
	if (present.length > 1 || typeof present[0] !== 'string') return { reason: 'ambiguous_parameter' };
	return { value: present[0] };
}

function valuesOf(value: unknown): unknown[] {
	if (value === undefined) return [];
	return Array.isArray(value) ? (value as unknown[]) : [value];
}

/**
 * Reads `hub.<name>` from Express's flat `req.query`, from qs's nested `{ hub: { ... } }` form,
 * or from URLSearchParams. A parameter given twice is ambiguous and refused, like repeated headers.
 */
function readParameter(query: unknown, name: string): Parameter {
	if (query instanceof URLSearchParams) return single(query.getAll(`hub.${name}`));
	if (typeof query !== 'object' || query === null) return { reason: 'missing_parameter' };
	const record = query as Record<string, unknown>;
	const flat = Object.hasOwn(record, `hub.${name}`) ? valuesOf(record[`hub.${name}`]) : [];
	const hub = Object.hasOwn(record, 'hub') ? record.hub : undefined;
	const nested =
		typeof hub === 'object' && hub !== null && !Array.isArray(hub) && Object.hasOwn(hub, name)
			? valuesOf((hub as Record<string, unknown>)[name])
			: [];
	return single([...flat, ...nested]);
}

function failure(reason: MetaHandshakeFailureReason, message: string): MetaHandshakeResult {
	return { ok: false, reason, message };
}

function parameterFailure(
	name: string,
	parameter: { reason: 'missing_parameter' | 'ambiguous_parameter' },
): MetaHandshakeResult {
	const problem = parameter.reason === 'missing_parameter' ? 'is missing' : 'is repeated or not text';
	return failure(parameter.reason, `hub.${name} ${problem}`);
}

export function verifyMetaHandshake(query: unknown, expectedVerifyToken: string): MetaHandshakeResult {
	if (typeof expectedVerifyToken !== 'string' || expectedVerifyToken.length === 0) {
		return failure('no_verify_token', 'no verify token is configured');
	}
	const mode = readParameter(query, 'mode');
	if ('reason' in mode) return parameterFailure('mode', mode);
	const token = readParameter(query, 'verify_token');
	if ('reason' in token) return parameterFailure('verify_token', token);
	const challenge = readParameter(query, 'challenge');
	if ('reason' in challenge) return parameterFailure('challenge', challenge);

	if (mode.value !== 'subscribe') return failure('not_subscribe', "hub.mode is not 'subscribe'");
	if (!stringsEqual(token.value, expectedVerifyToken)) {
		return failure('token_mismatch', 'hub.verify_token does not match');
	}
	if (!CHALLENGE.test(challenge.value)) return failure('invalid_challenge', 'hub.challenge has unexpected characters');
	return { ok: true, challenge: challenge.value };
}
