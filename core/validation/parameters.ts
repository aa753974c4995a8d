import { findUnstorable, pathName } from './json';
import { INT4_MAX, INT4_MIN } from './numbers';
import { hasControl, isWellFormed, NO_CONTROL_BUT_LINES, NOT_UNICODE } from './text';

/**
 * The Barnum node's parameters that are stored in integer columns or passed to SQL as integers
 * (attempts, ratings, day counts, codes, retries): a fraction would be rounded by PostgreSQL and a
 * larger value would fail the query.
 */
const INTEGER_PARAMETERS = new Set([
	'attempt',
	'rating',
	'expiresInDays',
	'whatsappCode',
	'httpStatus',
	'retryAfterSeconds',
	'inactiveDays',
	'periodDays',
	'sinceMinutes',
	'errorCode',
	'maxRetries',
	'adults',
	'children',
	'index',
	'batchSize',
	'leaseSeconds',
	'parallelBatches',
]);

/**
 * What is wrong with a node parameter's value for the database, or undefined. Text parameters are
 * typed or mapped from a message, so line breaks and tabs are theirs; JSON parameters are checked
 * only for what no text or jsonb column stores (NUL, lone surrogates), since their content is
 * the sender's and validated where it is read.
 */
export function parameterProblem(name: string, value: unknown): string | undefined {
	if (typeof value === 'string') {
		if (!isWellFormed(value)) return NOT_UNICODE;
		if (value.includes('\u0000')) return 'must not contain NUL characters';
		if (hasControl(value, true)) return NO_CONTROL_BUT_LINES;
		return undefined;
	}
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return 'must be a finite number';
		if (INTEGER_PARAMETERS.has(name) && (!Number.isInteger(value) || value < INT4_MIN || value > INT4_MAX)) {
			return `must be a whole number from ${INT4_MIN} to ${INT4_MAX}, got ${value}`;
		}
		return undefined;
	}
	if (typeof value === 'object' && value !== null) {
		const unstorable = findUnstorable(value);
		if (unstorable) return `${pathName(unstorable.path)}: ${unstorable.message}`;
	}
	return undefined;
}
