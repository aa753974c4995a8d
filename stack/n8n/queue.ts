import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { freePort } from '../../server/db/embedded-postgres';
import type { RunningRedis } from '../redis';
import { StackError } from '../run';
import { prepareN8n, type N8n, type N8nOptions } from './process';

/** n8n's own database (workflows, credentials, executions): PostgreSQL in queue mode. */
export interface N8nOwnDatabase {
	host: string;
	port: number;
	database: string;
	user: string;
	password: string;
}

export const N8N_OWN_DATABASE = 'n8n';
export const N8N_OWN_LOGIN = 'n8n_own';

/**
 * In the embedded cluster: a database of n8n's own, owned by a login of its own, apart from the
 * business's data (n8n creates its tables in its `public` schema). Idempotent: every start.
 */
export async function ensureEmbeddedN8nDatabase(admin: pg.Pool, port: number, password: string): Promise<N8nOwnDatabase> {
	const client = await admin.connect();
	try {
		const role = client.escapeIdentifier(N8N_OWN_LOGIN);
		const secret = client.escapeLiteral(password);
		const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [N8N_OWN_LOGIN]);
		await client.query(exists.rowCount === 0 ? `CREATE ROLE ${role} LOGIN PASSWORD ${secret}` : `ALTER ROLE ${role} LOGIN PASSWORD ${secret}`);
		const database = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [N8N_OWN_DATABASE]);
		if (database.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(N8N_OWN_DATABASE)} OWNER ${role}`);
	} finally {
		client.release();
	}
	return { host: '127.0.0.1', port, database: N8N_OWN_DATABASE, user: N8N_OWN_LOGIN, password };
}

/** BARNUM_N8N_OWN_DATABASE_URL (postgres://user:password@host:port/database) as n8n's settings. */
export function parseN8nOwnDatabase(url: string): N8nOwnDatabase {
	const parsed = new URL(url);
	const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
	if (!database) throw new StackError('BARNUM_N8N_OWN_DATABASE_URL: name the database, as in postgres://user:password@host:5432/n8n');
	return {
		host: parsed.hostname,
		port: Number(parsed.port || 5432),
		database,
		user: decodeURIComponent(parsed.username),
		password: decodeURIComponent(parsed.password),
	};
}

/** What puts an n8n process (main or worker) in queue mode on this Redis and database. */
export function queueModeEnv(redis: Pick<RunningRedis, 'host' | 'port'>, db: N8nOwnDatabase): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		// The editor's test runs go to the workers too, as n8n recommends for queue mode.
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: db.host,
		DB_POSTGRESDB_PORT: String(db.port),
		DB_POSTGRESDB_DATABASE: db.database,
		DB_POSTGRESDB_USER: db.user,
		DB_POSTGRESDB_PASSWORD: db.password,
	};
}

export interface WorkerOptions {
	/** The main instance's options: the same package, key, database and queue. */
	main: N8nOptions;
	mainUrl: string;
	/** Folder for the workers' user folders (n8n-workers/1, 2, …). */
	root: string;
	count: number;
	/** Jobs a worker runs at once (n8n's --concurrency; its default is 10). */
	concurrency?: number;
	logDir?: string;
	onUnexpectedExit?(worker: number, code: number | string | null): void;
}

/**
 * `n8n worker` processes. Each has a user folder of its own — n8n keeps a crash journal there,
 * and one left by another process makes a start wait 10 s — whose community-nodes folder is the
 * main instance's, so every process runs the same Barnum package. Ready when the worker's
 * health server (loopback, a free port) answers /healthz/readiness: database and Redis reached.
 */
export async function prepareWorkers(options: WorkerOptions): Promise<N8n[]> {
	const workers: N8n[] = [];
	const nodes = path.join(options.main.userFolder, '.n8n', 'nodes');
	for (let i = 1; i <= options.count; i++) {
		const userFolder = path.join(options.root, String(i));
		await fs.mkdir(path.join(userFolder, '.n8n'), { recursive: true, mode: 0o700 });
		const link = path.join(userFolder, '.n8n', 'nodes');
		if (!existsSync(link)) await fs.symlink(nodes, link, 'dir');
		const healthPort = await freePort();
		workers.push(
			await prepareN8n({
				...options.main,
				userFolder,
				port: healthPort,
				command: ['worker', `--concurrency=${options.concurrency ?? 10}`],
				readyUrl: `http://127.0.0.1:${healthPort}/healthz/readiness`,
				logFile: options.logDir ? path.join(options.logDir, `n8n-worker-${i}.log`) : undefined,
				onUnexpectedExit: (code) => options.onUnexpectedExit?.(i, code),
				env: {
					...options.main.env,
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(healthPort),
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					// Links a worker builds (resume URLs) point at the main instance.
					WEBHOOK_URL: `${options.mainUrl}/`,
					N8N_EDITOR_BASE_URL: `${options.mainUrl}/`,
				},
			}),
		);
	}
	return workers;
}
