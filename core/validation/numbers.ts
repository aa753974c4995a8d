import { z } from 'zod/v4';

/** PostgreSQL's integer (int4): a larger value fails in the query, after validation said yes. */
export const INT4_MIN = -2_147_483_648;
export const INT4_MAX = 2_147_483_647;
/** smallint (int2). */
export const INT2_MAX = 32_767;

/** A whole number that fits the integer column it is stored in, within [min, max]. */
export function int4(min = INT4_MIN, max = INT4_MAX) {
	const rangeError = min === INT4_MIN ? `must be at most ${max}` : `must be from ${min} to ${max}`;
	return z
		.number({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a number') })
		.int('must be a whole number')
		.min(Math.max(min, INT4_MIN), min === 1 && max === INT4_MAX ? 'must be 1 or more' : rangeError)
		.max(Math.min(max, INT4_MAX), rangeError);
}
