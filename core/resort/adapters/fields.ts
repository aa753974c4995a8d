import { createHash } from 'node:crypto';
import { z } from 'zod/v4';
import { text } from '../../validation/text';
import type { Locale } from '../types';

/**
 * What the platform adapters share: reading ids and texts with messages that name the field, and
 * turning a platform's names for languages, dates and times into the native event's.
 */

export const required = (what: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`) });

/** An id a platform may send as a string or a number. */
export const id = () =>
	z.union(
		[text({ min: 1, max: 200, ...required('a string or a number') }), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)],
		required('a string or a number'),
	);

export const optionalText = (max = 200) => z.union([z.string().max(max), z.null()]).optional();
export const optionalCount = () => z.union([z.number().int().min(0).max(100), z.string().regex(/^\d{1,3}$/), z.null()]).optional();

/** A platform's language code (pt, pt_BR, es-ES, EN …) as one of Barnum's locales, or undefined. */
export function localeOf(code: unknown): Locale | undefined {
	if (typeof code !== 'string' || !code.trim()) return undefined;
	const [language, region] = code.trim().replace('_', '-').toLowerCase().split('-');
	if (language === 'pt') return region === 'br' ? 'pt-BR' : 'pt-PT';
	if (language === 'es') return 'es';
	if (language === 'en') return 'en';
	return undefined;
}

/** The calendar day at the start of a date or date-time text ("2031-07-10", "2031-07-10 15:00:00"). */
export function dayOf(value: unknown): string | undefined {
	return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : undefined;
}

/** An instant from a platform's time text; a time without a zone is read as UTC, the zone these platforms write in. */
export function instantOf(value: unknown): string | undefined {
	if (typeof value !== 'string' || !value.trim()) return undefined;
	const text = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value.trim()) ? `${value.trim().replace(' ', 'T')}Z` : value.trim();
	const at = new Date(text);
	return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

export function count(value: unknown): number | undefined {
	if (value === null || value === undefined || value === '') return undefined;
	const n = Number(value);
	return Number.isInteger(n) ? n : undefined;
}

export function amount(value: unknown): number | undefined {
	if (value === null || value === undefined || value === '') return undefined;
	const n = Number(value);
	return Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function currency(value: unknown): string | undefined {
	return typeof value === 'string' && /^[A-Za-z]{3}$/.test(value) ? value.toUpperCase() : undefined;
}

export function fullName(...parts: unknown[]): string | undefined {
	const name = parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').map((p) => p.trim()).join(' ');
	return name || undefined;
}

/** A platform that sends no event id: an identical redelivery has the same digest, so it is recognised. */
export function bodyDigest(raw: Buffer | undefined, fallback: unknown): string {
	return createHash('sha256')
		.update(raw ?? JSON.stringify(fallback))
		.digest('hex')
		.slice(0, 32);
}

/** Drops keys whose value is undefined, so the schema sees an absent field rather than `undefined`. */
export function defined<T extends Record<string, unknown>>(record: T): Partial<T> {
	return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The record, or undefined when it has no defined field: an empty guest is no guest. */
export function nonEmpty<T extends Record<string, unknown>>(record: T): Partial<T> | undefined {
	const kept = defined(record);
	return Object.keys(kept).length > 0 ? kept : undefined;
}
