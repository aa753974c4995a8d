import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../core/paths';
import { freshDatabase, type TestDatabase } from '../helpers/database';

// `barnum serve` as an operator runs it: the compiled CLI in a process of its own. What counts is
// the command line the kernel reports for that very process (the pid we started), i.e. what V8
// was started with, and the heap limit V8 itself reports.

const root = packageRoot();
const cli = path.join(root, 'build', 'server', 'cli.js');
const DEFAULTS = ['--max-semi-space-size=8', '--max-old-space-size=256'];
let db: TestDatabase;

beforeAll(() => {
	// The same incremental compile `npm run serve` does (scripts/barnum.sh). tsc emits even when
	// someone else's work in progress has a type error, so only the output is checked.
	spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.dev.json'], { cwd: root, stdio: 'ignore' });
	expect(readFileSync(path.join(root, 'build', 'server', 'heap-flags.js'), 'utf8')).toContain('BARNUM_HEAP_FLAGS_APPLIED');
}, 120_000);
beforeAll(async () => {
	db = await freshDatabase();
});
afterAll(async () => {
	await db.drop();
});

interface Served {
	/** The process's command line as the kernel has it (/proc/<pid>/cmdline), without node's path. */
	cmdline: string[];
	/** The start's "V8 heap" log line. */
	heap: { source: string; flags: string[]; heapLimitMb: number };
	stderr: string;
}

/** Starts `node [nodeArgs] build/server/cli.js serve`, waits until it answers, reads what it runs with, stops it. */
async function serve(env: Record<string, string>, nodeArgs: string[] = []): Promise<Served> {
	const child = spawn(process.execPath, [...nodeArgs, cli, 'serve'], {
		cwd: root,
		env: {
			PATH: process.env.PATH,
			HOME: process.env.HOME,
			DATABASE_URL: db.appUrl,
			HOST: '127.0.0.1',
			PORT: '0',
			LOG_LEVEL: 'info',
			PUSH_DISPATCHER: 'off',
			PURGE_INTERVAL_MINUTES: '0',
			...env,
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	try {
		const lines = () => stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
		const deadline = Date.now() + 30_000;
		let url: string | undefined;
		while (!(url = lines().find((line) => line.msg === 'companion server listening')?.url as string | undefined)) {
			if (child.exitCode !== null) throw new Error(`barnum serve exited ${child.exitCode}:\n${stdout}${stderr}`);
			if (Date.now() > deadline) throw new Error(`barnum serve did not listen within 30 s:\n${stdout}${stderr}`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		expect((await fetch(`${url}/healthz`)).status).toBe(200);
		const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1);
		const heap = lines().find((line) => line.msg === 'V8 heap') as unknown as Served['heap'];
		return { cmdline, heap, stderr };
	} finally {
		child.kill('SIGTERM');
		await exited;
	}
}

test('by default the server process itself runs with the bounded heap (same pid, no parent left behind)', async () => {
	const served = await serve({});
	expect(served.cmdline).toEqual([...DEFAULTS, cli, 'serve']);
	expect(served.heap.source).toBe('barnum');
	// Node's own default limit on this machine is several GB.
	expect(served.heap.heapLimitMb).toBeLessThanOrEqual(300);
	expect(served.stderr).not.toMatch(/warning/i);
});

test('BARNUM_HEAP_FLAGS=off leaves Node\'s defaults', async () => {
	const served = await serve({ BARNUM_HEAP_FLAGS: 'off' });
	expect(served.cmdline).toEqual([cli, 'serve']);
	expect(served.heap.source).toBe('off');
	expect(served.heap.heapLimitMb).toBeGreaterThan(1000);
});

test('a heap size the user gives wins: on node\'s command line, or in NODE_OPTIONS', async () => {
	const onCommandLine = await serve({}, ['--max-old-space-size=512']);
	expect(onCommandLine.cmdline).toEqual(['--max-old-space-size=512', cli, 'serve']);
	expect(onCommandLine.heap).toMatchObject({ source: 'yours', flags: ['--max-old-space-size=512'] });

	const inNodeOptions = await serve({ NODE_OPTIONS: '--max-semi-space-size=16' });
	expect(inNodeOptions.cmdline).toEqual([cli, 'serve']);
	expect(inNodeOptions.heap).toMatchObject({ source: 'yours', flags: ['--max-semi-space-size=16'] });
	expect(inNodeOptions.heap.heapLimitMb).toBeGreaterThan(1000);
});

test('a malformed BARNUM_HEAP_FLAGS stops the start with a clear message', async () => {
	const child = spawnSync(process.execPath, [cli, 'serve'], {
		cwd: root,
		env: { PATH: process.env.PATH, DATABASE_URL: db.appUrl, BARNUM_HEAP_FLAGS: 'maybe' },
		encoding: 'utf8',
	});
	expect(child.status).toBe(1);
	expect(child.stderr).toContain('BARNUM_HEAP_FLAGS: must be on or off');
});
