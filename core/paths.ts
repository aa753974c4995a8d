import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let cachedRoot: string | undefined;

/**
 * The folder that holds `sql/migrations/` beside `package.json`, found by walking up from this
 * file: this repository (source in `core/`, compiled code in `build/core/`) or an installed
 * barnum-server package. The n8n nodes never call it: their SQL is compiled in.
 */
export function packageRoot(): string {
	if (cachedRoot) return cachedRoot;
	let dir = __dirname;
	for (;;) {
		const candidate = path.join(dir, 'package.json');
		if (existsSync(candidate) && existsSync(path.join(dir, 'sql', 'migrations'))) {
			const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
			if (pkg.name === 'n8n-nodes-barnum' || pkg.name === 'barnum-server') {
				cachedRoot = dir;
				return dir;
			}
		}
		const parent = path.dirname(dir);
		if (parent === dir) throw new Error(`barnum: no package.json with sql/migrations beside it above ${__dirname}`);
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
