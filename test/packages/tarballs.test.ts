import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { packageRoot } from '../../core/paths';
import { expectedSchemaVersion } from '../../core/db/schema-version';
import { emptyDatabase } from '../helpers/database';

// The two packages as npm publishes them (scripts/pack-packages.mjs): what each tarball holds,
// and the server's installed from its tarball alone, the way an operator installs it.

const root = packageRoot();
const scratch = mkdtempSync(path.join(os.tmpdir(), 'barnum-packages-'));
let nodes = '';
let server = '';

beforeAll(() => {
	const out = execFileSync(process.execPath, [path.join(root, 'scripts', 'pack-packages.mjs'), '--out', scratch], { cwd: root, encoding: 'utf8' });
	[nodes, server] = out.trim().split('\n').map((line) => line.split('\t')[0]);
}, 180_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function files(tarball: string): string[] {
	return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
}

function read(tarball: string, file: string): string {
	return execFileSync('tar', ['-xzOf', tarball, `package/${file}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

describe('n8n-nodes-barnum', () => {
	test('holds only what n8n loads: the nodes, the credentials and the code they import', () => {
		const list = files(nodes);
		const outside = list.filter((f) => !/^dist\/(nodes|credentials|core)\//.test(f) && !['package.json', 'README.md', 'LICENSE'].includes(f));
		expect(outside).toEqual([]);
		expect(list.filter((f) => /\.(ts|map|tsbuildinfo)$/.test(f))).toEqual([]);
		// The companion server's code stays out, and so does the code only it runs.
		expect(list.filter((f) => /(^|\/)(server|sandbox|stack)\//.test(f) || /db\/(migrate|contract)\.js$/.test(f))).toEqual([]);
		const manifest = JSON.parse(read(nodes, 'package.json'));
		for (const entry of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) expect(list).toContain(entry);
	});

	test('needs only pg and zod at run time', () => {
		const manifest = JSON.parse(read(nodes, 'package.json'));
		expect(Object.keys(manifest.dependencies).sort()).toEqual(['pg', 'zod']);
		expect(manifest.bin).toBeUndefined();
	});

	test('reads no file, environment variable or child process at run time (SQL is compiled in)', () => {
		const offending: string[] = [];
		for (const file of files(nodes).filter((f) => f.endsWith('.js'))) {
			const text = read(nodes, file);
			if (/require\("(node:)?(fs|child_process)"\)|process\.env|__dirname/.test(text)) offending.push(file);
		}
		expect(offending).toEqual([]);
		expect(read(nodes, 'dist/core/db/queries.generated.js')).toContain('barnum.barnum_ack_events');
	});
});

describe('barnum-server', () => {
	test('carries the CLI, the migrations and the contracts', () => {
		const list = files(server);
		const manifest = JSON.parse(read(server, 'package.json'));
		expect(list).toContain(manifest.bin.barnum);
		// The Vercel Function's handler, which deploy/vercel/api/barnum.js requires.
		expect(list).toContain('dist/server/vercel/handler.js');
		expect(list.filter((f) => f.startsWith('sql/migrations/')).sort()).toEqual(readdirSync(path.join(root, 'sql', 'migrations')).map((f) => `sql/migrations/${f}`).sort());
		expect(list).toEqual(expect.arrayContaining(['sql/contracts/builtin.sql', 'sql/contracts/seed.sql']));
		expect(list.filter((f) => /(^|\/)(nodes|credentials|sandbox|stack)\//.test(f))).toEqual([]);
		expect(manifest.version).toBe(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version);
	});

	test('installed from its tarball alone, `barnum migrate` brings a database to the current schema', async () => {
		const prefix = path.join(scratch, 'install');
		execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', '--omit=optional', server], {
			encoding: 'utf8',
			stdio: 'pipe',
		});
		const db = await emptyDatabase();
		try {
			const run = spawnSync(path.join(prefix, 'node_modules', '.bin', 'barnum'), ['migrate'], {
				encoding: 'utf8',
				env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, LOG_LEVEL: 'warn' },
				timeout: 60_000,
			});
			expect(run.stderr).toBe('');
			expect(run.status).toBe(0);
			const client = new pg.Client({ connectionString: db.url });
			await client.connect();
			try {
				const { rows } = await client.query<{ version: string }>('SELECT max(version)::text AS version FROM barnum.schema_version');
				expect(Number(rows[0].version)).toBe(expectedSchemaVersion());
			} finally {
				await client.end();
			}
		} finally {
			await db.drop();
		}
	}, 180_000);
});
