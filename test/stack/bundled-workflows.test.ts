import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../core/paths';

// n8n 2.x refuses `$env` in expressions unless N8N_BLOCK_ENV_ACCESS_IN_NODE=false. A bundled
// workflow that read it would fail at run time in a default n8n, or push people to weaken it.

const dir = path.join(packageRoot(), 'workflows');
const files = [
	...readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'credentials.template.json'),
	...readdirSync(path.join(dir, 'examples')).map((f) => path.join('examples', f)),
];

test.each(files)('%s reads nothing from n8n’s environment ($env)', (file) => {
	const text = readFileSync(path.join(dir, file), 'utf8');
	expect(text.match(/\$env\b[^"]{0,40}/g) ?? []).toEqual([]);
});
