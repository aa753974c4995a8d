import { z } from 'zod/v4';

/**
 * Dates and times as a calendar has them. JavaScript's Date rolls 30 February over to 2 March and
 * PostgreSQL refuses year 0 and hour 25 in the query: both are checked here, before either sees
 * the value, so an impossible date is a 400 naming the field rather than another day stored or a 500.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?$/i;

/** Whether year-month-day names a day that exists (years 1 to 9999: PostgreSQL has no year 0). */
export function isCalendarDate(value: string): boolean {
	const match = DATE.exec(value);
	if (!match) return false;
	const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
	if (year < 1 || month < 1 || month > 12 || day < 1) return false;
	const days = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
	return day <= days;
}

function isLeap(year: number): boolean {
	return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function isClockTime(value: string): boolean {
	return TIME.test(value);
}

/** An ISO 8601 date-time, every field in range (no 30 February, no 24:00); `zoned`: with its timezone. */
export function isInstant(value: string, zoned = true): boolean {
	const match = INSTANT.exec(value);
	if (match === null || !isCalendarDate(match[1]) || (zoned && match[6] === undefined)) return false;
	return !Number.isNaN(Date.parse(match[6] === undefined ? `${value}Z` : value));
}

const string = () => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });

export const calendarDate = () => string().refine(isCalendarDate, 'must be a real calendar date as YYYY-MM-DD');

export const clockTime = () => string().refine(isClockTime, 'must be a time as HH:MM (24 h)');

const INSTANT_ERROR = 'must be a real ISO 8601 date-time with a timezone, e.g. 2026-03-01T10:00:00Z';

export const instant = () =>
	string()
		.max(40, INSTANT_ERROR)
		.refine((value) => isInstant(value, false), { message: INSTANT_ERROR, abort: true })
		.refine((value) => isInstant(value), 'must say its timezone (Z or +01:00)');
