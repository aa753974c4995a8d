import { BarnumError } from '../errors';
import type { AppointmentStatus } from './transitions';

/**
 * What the upserts of the built-in clinic tables accept, checked and normalised before anything is
 * written: a bad item fails with the reason and writes nothing. Inputs come from n8n expressions
 * over other systems' payloads, so empty strings mean "not given".
 */

export type SupportedLocale = 'pt-PT' | 'en' | 'pt-BR' | 'es';
export const FEED_STATUSES: readonly AppointmentStatus[] = ['scheduled', 'confirmed', 'cancelled', 'no_show', 'completed'];

const E164 = /^\+[1-9][0-9]{6,14}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const WALL_CLOCK = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(\.\d{1,9})?)?$/;
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

export function invalid(field: string, message: string): BarnumError {
	return new BarnumError('invalid_input', message, { field });
}

/** Trimmed text, or undefined for nothing, an empty string, null or undefined. */
export function optionalText(value: unknown, field: string, max = 500): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string' && typeof value !== 'number') throw invalid(field, `${field} must be text, got ${JSON.stringify(value)}`);
	const text = String(value).trim();
	if (text.length > max) throw invalid(field, `${field} is longer than ${max} characters`);
	return text === '' ? undefined : text;
}

export function requiredText(value: unknown, field: string, what: string, max = 500): string {
	const text = optionalText(value, field, max);
	if (text === undefined) throw invalid(field, `${field} is missing: ${what}`);
	return text;
}

/**
 * A phone in E.164. Spaces, dots, dashes and brackets are dropped and a leading 00 becomes +; a
 * number without a country code is refused rather than given one on a guess.
 */
export function e164Phone(value: unknown, field: string): string | undefined {
	const text = optionalText(value, field, 40);
	if (text === undefined) return undefined;
	const compact = text.replace(/[\s.()-]/g, '').replace(/^00/, '+');
	if (!E164.test(compact)) {
		throw invalid(field, `${field} "${text}" is not an international number: write it with + and the country code (+351912345678)`);
	}
	return compact;
}

/** One of the four languages Barnum speaks, from a tag such as en-GB, pt or pt-br; others: the location's. */
export function supportedLocale(value: unknown, field: string): SupportedLocale | undefined {
	const text = optionalText(value, field, 35)?.replace('_', '-').toLowerCase();
	if (text === undefined) return undefined;
	if (text === 'pt-br') return 'pt-BR';
	const language = text.split('-')[0];
	if (language === 'pt') return 'pt-PT';
	if (language === 'en' || language === 'es') return language;
	return undefined;
}

export function feedStatus(value: unknown): AppointmentStatus {
	const text = optionalText(value, 'status', 40) ?? 'scheduled';
	const status = text.toLowerCase().replace('-', '_') as AppointmentStatus;
	if (!FEED_STATUSES.includes(status)) {
		throw invalid('status', `status must be one of ${FEED_STATUSES.join(', ')}, got "${text}"`);
	}
	return status;
}

export type Start = { instant: string } | { date: string; time: string };

/**
 * The start: an ISO 8601 instant with its offset (2026-05-25T09:30:00Z), placed on the location's
 * wall clock; or a wall-clock date and time without one (2026-05-25 09:30), at the location.
 */
export function appointmentStart(value: unknown): Start {
	const text = optionalText(value, 'startsAt', 40);
	if (text === undefined) throw invalid('startsAt', 'startsAt is missing: an appointment needs its start time');
	if (INSTANT.test(text) && !Number.isNaN(Date.parse(text))) return { instant: new Date(text).toISOString() };
	const wall = WALL_CLOCK.exec(text);
	if (wall && !Number.isNaN(Date.parse(`${wall[1]}T00:00:00Z`)) && CLOCK.test(wall[2])) {
		return { date: wall[1], time: `${wall[2]}${wall[3] ?? ''}` };
	}
	throw invalid(
		'startsAt',
		`startsAt "${text}" is not a date and time: give an ISO 8601 instant (2026-05-25T09:30:00Z) or the clinic's wall clock (2026-05-25 09:30)`,
	);
}

export function durationMinutes(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const minutes = Number(value);
	if (!Number.isInteger(minutes) || minutes <= 0 || minutes > 24 * 60) {
		throw invalid('durationMinutes', `durationMinutes must be a whole number of minutes from 1 to 1440, got ${JSON.stringify(value)}`);
	}
	return minutes;
}

export function clockTime(value: unknown, field: string): string | undefined {
	const text = optionalText(value, field, 8);
	if (text === undefined) return undefined;
	if (!CLOCK.test(text)) throw invalid(field, `${field} must be a time as HH:MM (24 h), got "${text}"`);
	return text;
}
