import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { enqueueEvent } from '../../core/outbox/operations';
import { compileToDist } from '../helpers/compiled';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { RestartableProxy, throughProxy } from '../helpers/restartable-proxy';

/**
 * A process that runs nothing but an OutboxConsumer, as a small worker would, with PostgreSQL
 * restarted under it (a TCP proxy in front of the real server drops every connection and refuses
 * new ones for a while). The consumer must keep its process alive through the outage, deliver
 * what is enqueued after it, and let the process end once stopped.
 */

let dist = '';
let db: TestDatabase;

beforeAll(() => {
	dist = compileToDist();
}, 120_000);
beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
});
afterAll(() => db.drop());

const worker = () => `
const { OutboxConsumer } = require(${JSON.stringify(path.join(dist, 'core', 'outbox', 'consumer.js'))});
const { createPool } = require(${JSON.stringify(path.join(dist, 'core', 'db', 'pool.js'))});
const url = process.env.WORKER_DATABASE_URL;
const pool = createPool(url, { applicationName: 'lifetime-worker' });
const consumer = new OutboxConsumer({
	pool,
	listen: { connectionString: url },
	consumerId: 'lifetime-worker',
	eventTypes: ['lifetime.test'],
	batchSize: 10,
	leaseSeconds: 30,
	pollIntervalMs: 300,
	logger: { debug() {}, info() {}, warn() {}, error() {} },
	handle: async (events) => {
		for (const event of events) console.log('handled ' + event.id);
		return { ack: events.map((event) => event.id) };
	},
});
consumer.start().then(() => console.log('started'));
process.on('SIGTERM', () => consumer.stop().then(() => pool.end()).then(() => console.log('stopped')));
`;

function startWorker(databaseUrl: string): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
	const child = spawn(process.execPath, ['-e', worker()], { env: { PATH: process.env.PATH ?? '', WORKER_DATABASE_URL: databaseUrl } });
	let output = '';
	child.stdout.on('data', (chunk) => (output += String(chunk)));
	child.stderr.on('data', (chunk) => (output += String(chunk)));
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	return { child, output: () => output, exited };
}

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
	const deadline = Date.now() + ms;
	while (Date.now() < deadline) {
		if (await check()) return true;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return check();
}

test('a process running only a consumer stays up while PostgreSQL restarts, delivers afterwards, and ends when stopped', async () => {
	const target = new URL(db.appUrl);
	const proxy = new RestartableProxy({ host: target.hostname, port: Number(target.port) });
	await proxy.up();
	const worker = startWorker(throughProxy(db.appUrl, proxy));
	let exitCode: number | null | undefined;
	void worker.exited.then((code) => (exitCode = code));
	try {
		expect(await until(() => worker.output().includes('started'), 10_000)).toBe(true);
		const before = (await enqueueEvent(db.app, { eventType: 'lifetime.test', entityType: 'custom', entityId: '00000000-0000-4000-8000-00000000aa01' }))!;
		expect(await until(() => worker.output().includes(`handled ${before}`), 10_000)).toBe(true);

		// The restart: every connection cut, none accepted for two seconds.
		await proxy.down();
		await new Promise((resolve) => setTimeout(resolve, 2_000));
		expect({ exitCode, output: worker.output() }).toEqual({ exitCode: undefined, output: worker.output() });
		await proxy.up();

		const after = (await enqueueEvent(db.app, { eventType: 'lifetime.test', entityType: 'custom', entityId: '00000000-0000-4000-8000-00000000aa02' }))!;
		expect(await until(() => worker.output().includes(`handled ${after}`), 15_000)).toBe(true);
		// Its ack rides on the claim that follows the delivery.
		const status = async () => (await db.app.query('SELECT status FROM whatsapp_events WHERE id = $1', [after])).rows[0].status;
		expect(await until(async () => (await status()) === 'sent', 10_000)).toBe(true);

		// Stopped, the consumer holds the process no longer.
		worker.child.kill('SIGTERM');
		let timer: NodeJS.Timeout | undefined;
		const stillRunning = new Promise((resolve) => (timer = setTimeout(() => resolve('still running'), 10_000)));
		expect(await Promise.race([worker.exited, stillRunning])).toBe(0);
		clearTimeout(timer);
		expect(worker.output()).toContain('stopped');
	} finally {
		if (exitCode === undefined) worker.child.kill('SIGKILL');
		await proxy.down();
	}
}, 60_000);
