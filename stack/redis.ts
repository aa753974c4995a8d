import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { freePort } from '../server/db/embedded-postgres';
import { delay, StackError, until } from './run';

export interface RunningRedis {
	host: string;
	port: number;
	pid: number;
	/** SIGTERM, then SIGKILL after 10 s: nothing in it outlives the stack (queue jobs only). */
	stop(): Promise<void>;
}

const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];

/** Debian's redis-server (apt-get install redis-server), or REDIS_SERVER; undefined when missing. */
export function redisServerBin(): string | undefined {
	if (process.env.REDIS_SERVER) return process.env.REDIS_SERVER;
	const found = CANDIDATES.find((candidate) => existsSync(candidate));
	if (found) return found;
	const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
	return which.status === 0 ? which.stdout.trim() || undefined : undefined;
}

/**
 * A Redis for n8n's queue on loopback, in its own process group (a Ctrl-C reaches only Barnum,
 * which stops it last). Nothing is saved to disk: n8n's queue holds only jobs in flight, and
 * n8n records every execution in its own database.
 */
export async function startRedis(options: { port?: number } = {}): Promise<RunningRedis> {
	const bin = redisServerBin();
	if (!bin) {
		throw new StackError('n8n queue mode needs Redis: install it (Debian/Ubuntu: sudo apt-get install redis-server) or set REDIS_SERVER to a redis-server binary');
	}
	const port = options.port || (await freePort());
	const child: ChildProcess = spawn(
		bin,
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning', '--dir', '/tmp'],
		{ stdio: ['ignore', 'pipe', 'pipe'], detached: true },
	);
	let output = '';
	const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const alive = () => child.exitCode === null && child.signalCode === null;
	await until(
		async () => {
			if (!alive()) throw new StackError(`redis-server exited (${child.exitCode ?? child.signalCode}):\n${output}`);
			return await answersPing(port);
		},
		`Redis on 127.0.0.1:${port}`,
		15_000,
		50,
	).catch(async (error) => {
		if (alive()) child.kill('SIGKILL');
		throw error;
	});
	return {
		host: '127.0.0.1',
		port,
		pid: child.pid!,
		async stop() {
			if (!alive()) return;
			child.kill('SIGTERM');
			await Promise.race([exited, delay(10_000)]);
			if (alive()) {
				child.kill('SIGKILL');
				await exited;
			}
		},
	};
}

function answersPing(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.setTimeout(1000);
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.once('data', (data) => {
			socket.destroy();
			resolve(data.toString().startsWith('+PONG'));
		});
		socket.once('timeout', () => {
			socket.destroy();
			resolve(false);
		});
		socket.once('error', () => resolve(false));
	});
}
