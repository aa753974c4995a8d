import type { VerificationFailure, VerificationFailureReason } from './types';

export function fail(reason: VerificationFailureReason, message: string): VerificationFailure {
	return { ok: false, reason, message };
}

export function isFailure(value: unknown): value is VerificationFailure {
	return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}
