import { fail } from './result';
import type { VerificationFailure } from './types';

export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Unix seconds as plain decimal digits, at most 12 (year 33658), without a leading zero. Number()
 * and parseInt() would accept `1e9`, ` 12`, `12abc`, `0x10` or `Infinity`; a leading zero is
 * refused so the header text and the number it denotes are interchangeable in the signed content.
 */
const TIMESTAMP = /^(?:0|[1-9]\d{0,11})$/;

export function parseTimestamp(text: string): number | undefined {
	return TIMESTAMP.test(text) ? Number(text) : undefined;
}

export function isTimestamp(value: unknown): value is number {
	return typeof value === 'number' && Number.isInteger(value) && TIMESTAMP.test(String(value));
}

export function isTolerance(value: unknown): value is number {
	return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function unixSeconds(date: Date): number {
	return Math.floor(date.getTime() / 1000);
}

/**
 * Two-sided: a stale timestamp allows replay, a future one lets a captured request be replayed
 * later. A timestamp exactly `tolerance` seconds away is still accepted.
 */
export function checkTolerance(timestamp: number, now: number, tolerance: number): VerificationFailure | undefined {
	if (now - timestamp > tolerance) {
		return fail('timestamp_too_old', `timestamp is ${now - timestamp} s old; at most ${tolerance} s is accepted`);
	}
	if (timestamp - now > tolerance) {
		return fail(
			'timestamp_in_future',
			`timestamp is ${timestamp - now} s in the future; at most ${tolerance} s is accepted`,
		);
	}
	return undefined;
}

/** Parses the header text and applies the window; the number comes back when both pass. */
export function readTimestamp(
	text: string,
	now: number,
	tolerance: number,
	headerName: string,
): number | VerificationFailure {
	const timestamp = parseTimestamp(text);
	if (timestamp === undefined) {
		return fail('malformed_timestamp', `${headerName} must be unix seconds as 1 to 12 digits`);
	}
	return checkTolerance(timestamp, now, tolerance) ?? timestamp;
}
