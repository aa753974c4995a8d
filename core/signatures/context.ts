import { fail } from './result';
import { collectSecrets, type IndexedSecret } from './secrets';
import { DEFAULT_TOLERANCE_SECONDS, isTolerance, unixSeconds } from './timestamp';
import type { VerificationFailure } from './types';

/** What every scheme's verifier receives once the caller's common input has been checked. */
export interface VerifyContext {
	headers: unknown;
	body: Buffer;
	secrets: readonly IndexedSecret[];
	now: number;
	tolerance: number;
}

function bodyBytes(rawBody: unknown): Buffer | undefined {
	if (!(rawBody instanceof Uint8Array)) return undefined;
	return Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
}

/** Input arrives from JavaScript callers too, so nothing here trusts the declared types. */
export function buildContext(input: unknown): VerifyContext | VerificationFailure {
	if (typeof input !== 'object' || input === null) {
		return fail('invalid_options', 'verification input must be an object');
	}
	const { headers, rawBody, secrets, now, toleranceSeconds } = input as Record<string, unknown>;
	const body = bodyBytes(rawBody);
	if (!body) {
		return fail('invalid_body', 'rawBody must be the raw request bytes (a Buffer), not a string or parsed object');
	}
	const tolerance = toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	if (!isTolerance(tolerance)) return fail('invalid_options', 'toleranceSeconds must be a non-negative integer');
	const clock = now ?? new Date();
	if (!(clock instanceof Date) || Number.isNaN(clock.getTime())) {
		return fail('invalid_options', 'now must be a valid Date');
	}
	const collected = collectSecrets(secrets);
	if (!Array.isArray(collected)) return collected;
	return { headers, body, secrets: collected, now: unixSeconds(clock), tolerance };
}
