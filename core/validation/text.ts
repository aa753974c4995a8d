import { z } from 'zod/v4';

/**
 * What PostgreSQL can store as text, and what a person can have meant. PostgreSQL refuses NUL in
 * text and jsonb (a 500 when it reaches a query), and the driver turns a lone UTF-16 surrogate into
 * U+FFFD on the way (the stored text is not what was sent). Other C0 and C1 control characters are
 * stored, but no field expects them: they hide text in logs and pages. In free text a line break
 * and a tab mean something, so they stay; everywhere else they are refused too.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const NO_CONTROL = 'must not contain control characters';
export const NO_CONTROL_BUT_LINES = 'must not contain control characters other than line breaks and tabs';
export const NOT_UNICODE = 'must be valid Unicode text';

export function hasControl(value: string, allowLayout = false): boolean {
	for (let i = 0; i < value.length; i++) {
		const code = value.charCodeAt(i);
		if (code <= 0x1f ? !(allowLayout && (code === 0x09 || code === 0x0a || code === 0x0d)) : code >= 0x7f && code <= 0x9f) return true;
	}
	return false;
}

/** Neither NUL nor a lone surrogate: what any text or jsonb column takes as it is. */
export function isStorableText(value: string): boolean {
	return isWellFormed(value) && !value.includes('\u0000');
}

/** String.prototype.isWellFormed, for the n8n hosts whose TypeScript library predates it. */
export function isWellFormed(value: string): boolean {
	return !LONE_SURROGATE.test(value);
}

export interface TextRules {
	max: number;
	min?: number;
	/** Free text typed by a person: line breaks and tabs allowed. */
	multiline?: boolean;
	/** What the field says when it is missing or not a string. */
	error?: z.core.$ZodErrorMap;
}

/** A trimmed string a text column stores exactly as received (after the trim). */
export function text(rules: TextRules) {
	const { max, min = 0, multiline = false } = rules;
	let schema = z
		.string(rules.error ? { error: rules.error } : undefined)
		.refine(isWellFormed, NOT_UNICODE)
		.refine((value) => !hasControl(value, multiline), multiline ? NO_CONTROL_BUT_LINES : NO_CONTROL)
		.trim()
		.max(max, `must be at most ${max} characters`);
	if (min > 0) schema = schema.min(min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
	return schema;
}
