import { isStorableText, NOT_UNICODE } from './text';

type Path = Array<string | number>;

/** Where a value sits in a JSON document, as a 400 names it: `booking.id`, `items.2.name`. */
export function pathName(path: ReadonlyArray<string | number>): string {
	return path.length === 0 ? 'body' : path.join('.');
}

/**
 * Calls `visit` with every string of a parsed JSON document, keys included (a key's path ends in
 * the key), in document order, until it returns true. Walks with its own stack, so a body nested
 * thousands deep is read rather than overflowing the call stack.
 */
export function eachString(document: unknown, visit: (text: string, path: Path) => boolean | void): void {
	const stack: Array<{ value: unknown; path: Path }> = [{ value: document, path: [] }];
	while (stack.length > 0) {
		const { value, path } = stack.pop()!;
		if (typeof value === 'string') {
			if (visit(value, path)) return;
		} else if (Array.isArray(value)) {
			for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
		} else if (typeof value === 'object' && value !== null) {
			const entries = Object.entries(value);
			for (const [key] of entries) if (visit(key, [...path, key])) return;
			for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i][1], path: [...path, entries[i][0]] });
		}
	}
}

export interface Unstorable {
	path: Path;
	message: string;
}

/**
 * The first string (value or key) in a parsed JSON document that no PostgreSQL text or jsonb
 * column stores as sent: NUL, or a lone surrogate.
 */
export function findUnstorable(document: unknown): Unstorable | undefined {
	let found: Unstorable | undefined;
	eachString(document, (text, path) => {
		if (isStorableText(text)) return false;
		found = { path, message: text.includes('\u0000') ? 'must not contain NUL characters' : NOT_UNICODE };
		return true;
	});
	return found;
}
