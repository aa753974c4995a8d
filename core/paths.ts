import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let cachedRoot: string | undefined;

/**
 * The package's root folder, found by walking up from this file. Source runs from `core/`,
 * compiled code from `dist/core/`, and an installed package from `node_modules/n8n-nodes-barnum/`;
 * all three ship `sql/` beside `package.json`.
 */
export function packageRoot(): string {
	if (cachedRoot) return cachedRoot;
	let dir = __dirname;
	for (;;) {
		const candidate = path.join(dir, 'package.json');
		// tsc copies package.json into dist/ as well; the real root is the one that ships sql/.
		if (existsSync(candidate) && existsSync(path.join(dir, 'sql', 'migrations'))) {
			const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
			if (pkg.name === 'n8n-nodes-barnum') {
				cachedRoot = dir;
				return dir;
			}
		}
		const parent = path.dirname(dir);
		if (parent === dir) throw new Error(`n8n-nodes-barnum: package.json not found above ${__dirname}`);
		dir = parent;
	}
}

export function migrationsDir(): string {
	return path.join(packageRoot(), 'sql', 'migrations');
}

/** The contracts Barnum ships (sql/contracts/<name>.sql): builtin, seed. */
export function contractsDir(): string {
	return path.join(packageRoot(), 'sql', 'contracts');
}
