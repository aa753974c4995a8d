import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths';

const cache = new Map<string, string>();

/**
 * The text of sql/queries/<name>.sql. Every statement Barnum runs lives in one of those files,
 * parameterised ($1, $2 …), so no SQL is ever assembled from input.
 */
export function sql(name: string): string {
	let text = cache.get(name);
	if (text === undefined) {
		text = readFileSync(path.join(packageRoot(), 'sql', 'queries', `${name}.sql`), 'utf8');
		cache.set(name, text);
	}
	return text;
}
