import type { VerificationFailure, VerificationFailureReason } from './types';

export function fail(reason: VerificationFailureReason, message: string): VerificationFailure {
	return { ok: false, reason, message };
}
