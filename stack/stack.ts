import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type pg from 'pg';
import { loadConfig } from '../server/config';
import { freePort } from '../server/db/embedded-postgres';
import { createLogger } from '../server/logger';
import { startServer, type RunningServer } from '../server/serve';
import { DEFAULTS as SANDBOX_DEFAULTS } from '../sandbox/options';
import { startSandbox, type RunningSandbox } from '../sandbox/start';
import { createDataDir, dataDir, loadOrCreateSecrets, saveSecrets, type DataDir, type StackSecrets } from './data-dir';
import { openStackDatabase, type StackDatabase } from './database';
import { bookDemoAppointment, contactNames, DEMO_PHONE, describeBooking, seedDemoData, setPublicBaseUrl } from './demo';
import { installN8n, n8nCacheDir, n8nInstalled, N8N_VERSION } from './n8n/install';
import { prepareN8n, type N8n, type N8nOptions } from './n8n/process';
import { ensureEmbeddedN8nDatabase, parseN8nOwnDatabase, prepareWorkers, queueModeEnv } from './n8n/queue';
import { activateWorkflows, activeBundled, bundledWorkflows, inboundWebhookUrl, provisionN8n, renderCredentials, type CredentialValues } from './n8n/provision';
import { provisionRemoteN8n } from './n8n/remote';
import { startRedis, type RunningRedis } from './redis';
import type { N8nOwner } from './n8n/rest';
import type { StackOptions } from './options';
import { delay, StackError, StackStopped } from './run';
import { environmentValue, isAlive, procFile, readState, runningStack, writeState, type StackState } from './state';

export interface LocalStack {
	options: StackOptions;
	dir: DataDir;
	secrets: StackSecrets;
	/** Owner connection to the stack's database (embedded: superuser). */
	db: pg.Pool;
	database: StackDatabase;
	server: RunningServer;
	/** Absent when real WhatsApp credentials are used. */
	sandbox?: RunningSandbox;
	/** The n8n this stack runs (in queue mode, its main instance); absent with N8N_URL. */
	n8n?: N8n;
	/** Queue mode: the `n8n worker` processes, and the Redis between them and the main instance. */
	workers: N8n[];
	redis?: RunningRedis;
	n8nUrl: string;
	owner: N8nOwner;
	/** Bundled workflow name → n8n id. */
	workflows: Record<string, string>;
	activeWorkflows: { active: string[]; inactive: string[] };
	/** What is left for the person to do (an n8n without API key). */
	instructions: string[];
	/** Milliseconds from the call to ready. */
	startupMs: number;
	stop(): Promise<void>;
}

export interface StartHooks {
	/** One line per step, for the person watching. */
	progress?(line: string): void;
	/** Aborting stops the start where it is and undoes what was started. */
	abort?: AbortSignal;
}

const OWNER = { email: 'owner@barnum.local', firstName: 'Barnum', lastName: 'Owner' };

/**
 * The whole system on this machine: PostgreSQL (embedded, or DATABASE_URL) migrated and with demo
 * data, the companion server, the WhatsApp sandbox standing in for Meta (or the real Cloud API),
 * and n8n 2.40.7 with this package installed from its npm tarball and the bundled workflows
 * imported and active (or an n8n of yours at N8N_URL). What it generates and what n8n stores
 * persists in the data folder, so the second start only starts things.
 */
export async function startLocalStack(options: StackOptions, hooks: StartHooks = {}): Promise<LocalStack> {
	const started = Date.now();
	const progress = hooks.progress ?? (() => undefined);
	// Our own controller, so a failure half-way also ends what runs in the background (the n8n install).
	const controller = new AbortController();
	const abort = controller.signal;
	const onOuterAbort = () => controller.abort();
	hooks.abort?.addEventListener('abort', onOuterAbort, { once: true });
	const checkpoint = () => {
		if (abort.aborted) throw new StackStopped();
	};
	const cleanups: Array<() => Promise<void>> = [];
	const dir = dataDir(options.dataDir);
	let state: StackState | undefined;
	const stopAll = async () => {
		for (const step of [...cleanups].reverse()) await step().catch((error: Error) => progress(`while stopping: ${error.message}`));
		cleanups.length = 0;
		if (state) {
			const stopped = { ...state, pid: undefined, n8nPid: undefined, n8nWorkerPids: undefined, redisPid: undefined, stoppedAt: new Date().toISOString() };
			await writeState(dir.state, stopped).catch(() => undefined);
		}
	};

	try {
		const running = runningStack(dir.state);
		if (running) {
			throw new StackError(`Barnum is already running from ${dir.root} (process ${running.pid}, ${running.urls.server}). Stop it first, or set BARNUM_DATA_DIR to another folder.`);
		}
		const previous = readState(dir.state);
		// A start that was SIGKILLed leaves n8n (and Redis) running in their own process groups.
		await stopLeftovers(previous, dir, progress);
		await createDataDir(dir);
		const secrets = await loadOrCreateSecrets(dir.secrets);
		const localN8n = options.n8n.kind === 'local';

		// The long pole on a first run: install n8n while the rest starts.
		let installing: Promise<string> | undefined;
		if (localN8n) {
			if (!n8nInstalled()) progress(`installing n8n ${process.env.N8N_VERSION || N8N_VERSION} into ${n8nCacheDir()} (first start only: about 5 minutes and 3 GB)`);
			installing = installN8n(abort);
			installing.catch(() => undefined);
		}

		const ports = {
			server: await choosePort(options.ports.server, 'companion server', 'PORT'),
			sandbox: options.whatsapp.kind === 'sandbox' ? await choosePort(options.ports.sandbox, 'WhatsApp sandbox', 'SANDBOX_PORT') : 0,
			n8n: localN8n ? await choosePort(options.ports.n8n, 'n8n', 'N8N_PORT') : 0,
		};
		const serverUrl = `http://127.0.0.1:${ports.server}`;
		const n8nUrl = options.n8n.kind === 'remote' ? options.n8n.url : `http://127.0.0.1:${ports.n8n}`;

		checkpoint();
		progress(options.database.kind === 'embedded' ? 'starting PostgreSQL (embedded) and migrating it' : 'migrating the database in DATABASE_URL');
		// The last run's port keeps n8n's credential valid (no re-import); a PostgreSQL that a killed
		// run left on it is ours, and startEmbeddedPostgres stops it before listening again.
		const pgPort =
			options.ports.postgres ??
			(previous?.database.kind === 'embedded' && ((await portIsFree(previous.database.port)) || leftoverPostmaster(previous, dir)) ? previous.database.port : 0);
		const database = await openStackDatabase(
			options.database.kind === 'embedded'
				? { kind: 'embedded', baseDir: dir.db, port: pgPort, ephemeral: options.ephemeral }
				: options.database,
			secrets.n8nDatabasePassword,
			progress,
		);
		cleanups.push(() => database.stop());
		state = {
			pid: process.pid,
			startedAt: new Date(started).toISOString(),
			urls: { server: serverUrl, n8n: n8nUrl, n8nIsOurs: localN8n },
			database: database.kind === 'embedded' ? { kind: 'embedded', port: database.port!, pid: database.pid } : { kind: 'external' },
			n8nOwnerEmail: localN8n ? OWNER.email : undefined,
			workflows: {},
		};
		await writeState(dir.state, state);

		checkpoint();
		if (options.demoData || database.kind === 'embedded') await setPublicBaseUrl(database.admin, serverUrl);
		if (options.demoData && (await seedDemoData(database.admin, { demoPhone: options.demoPhone }))) {
			progress('added the demo data: Clínica Sorriso, its professionals and patients, Hotel Praia Azul');
		}

		checkpoint();
		const guestDataKey = process.env.GUEST_DATA_KEY || secrets.guestDataKey;
		progress('starting the companion server');
		const server = await startServer(
			loadConfig(companionServerEnv({ options, secrets, database }, ports.server)),
			createLogger(options.serverEnv?.LOG_LEVEL ?? options.logLevel),
		);
		cleanups.push(() => server.stop());

		checkpoint();
		let sandbox: RunningSandbox | undefined;
		const demoWaId = (options.demoPhone ?? DEMO_PHONE).replace(/^\+/, '');
		if (options.whatsapp.kind === 'sandbox') {
			progress('starting the WhatsApp sandbox');
			sandbox = await startSandbox({
				port: ports.sandbox,
				accessToken: secrets.whatsappAccessToken,
				appSecret: secrets.whatsappAppSecret,
				phoneNumberId: SANDBOX_DEFAULTS.phoneNumberId,
				webhookUrl: inboundWebhookUrl(n8nUrl),
				publicBaseUrl: serverUrl,
				contactNames: (waIds) => contactNames(database.admin, waIds),
				demo: options.demoData
					? {
							label: 'Book a demo appointment',
							description: 'João Silva gets the WhatsApp pre-confirmation on this phone; tap “Confirmar”, or “Gerir marcação” for the confirm page.',
							waId: demoWaId,
							run: async () => describeBooking(await bookDemoAppointment(database.admin)),
						}
					: undefined,
			});
			const running = sandbox;
			cleanups.push(() => running.stop());
			state.urls.sandbox = sandbox.url;
		}

		const cloud = options.whatsapp.kind === 'cloud' ? options.whatsapp : undefined;
		const credentials = renderCredentials({
			BARNUM_N8N_DATABASE_URL: database.n8nUrl,
			WHATSAPP_ACCESS_TOKEN: cloud?.accessToken ?? secrets.whatsappAccessToken,
			WHATSAPP_PHONE_NUMBER_ID: cloud?.phoneNumberId ?? SANDBOX_DEFAULTS.phoneNumberId,
			WHATSAPP_BASE_URL: cloud?.baseUrl ?? sandbox!.url,
			WHATSAPP_APP_SECRET: cloud?.appSecret ?? secrets.whatsappAppSecret,
			WHATSAPP_VERIFY_TOKEN: cloud?.verifyToken ?? secrets.whatsappVerifyToken,
			GUEST_DATA_KEY: guestDataKey,
			CALCOM_WEBHOOK_SECRET: process.env.CALCOM_WEBHOOK_SECRET || secrets.calcomWebhookSecret,
			SMTP_HOST: options.smtp?.host ?? '127.0.0.1',
			SMTP_PORT: String(options.smtp?.port ?? 1025),
			SMTP_USER: options.smtp?.user ?? '',
			SMTP_PASSWORD: options.smtp?.password ?? '',
			SMTP_SECURE: String(options.smtp?.secure ?? false),
		} satisfies CredentialValues);

		checkpoint();
		const owner: N8nOwner = { ...OWNER, ...options.owner, password: secrets.n8nOwnerPassword };
		let n8n: N8n | undefined;
		let workers: N8n[] = [];
		let redis: RunningRedis | undefined;
		let workflows: Record<string, string> = {};
		let activeWorkflows = { active: [] as string[], inactive: [] as string[] };
		let instructions: string[] = [];
		if (localN8n) {
			const bin = await installing!;
			checkpoint();
			const queue = options.queue;
			let queueEnv: Record<string, string> = {};
			if (queue) {
				await fs.mkdir(dir.n8nQueue, { recursive: true, mode: 0o700 });
				progress(`starting Redis for n8n's queue mode (main + ${queue.workers} worker${queue.workers === 1 ? '' : 's'})`);
				const started = await startRedis();
				redis = started;
				cleanups.push(() => started.stop());
				state.redisPid = started.pid;
				const own = queue.ownDatabaseUrl
					? parseN8nOwnDatabase(queue.ownDatabaseUrl)
					: await ensureEmbeddedN8nDatabase(database.admin, database.port!, secrets.n8nOwnDatabasePassword);
				queueEnv = queueModeEnv(started, own);
			}
			const mainOptions: N8nOptions = {
				bin,
				// Queue mode keeps n8n's data in PostgreSQL, not in the user folder's SQLite: a folder of
				// its own, so switching modes re-imports what that n8n lacks.
				userFolder: queue ? dir.n8nQueue : dir.n8n,
				port: ports.n8n,
				owner,
				ownerPasswordHash: secrets.n8nOwnerPasswordHash,
				encryptionKey: secrets.n8nEncryptionKey,
				logFile: options.ephemeral ? undefined : path.join(dir.logs, 'n8n.log'),
				onUnexpectedExit: (code) =>
					progress(`n8n stopped on its own (${code}); its log: ${path.join(dir.logs, 'n8n.log')}. The rest keeps running: Ctrl-C and npm start again`),
				env: { ...queueEnv, ...options.n8nEnv },
			};
			n8n = await prepareN8n(mainOptions);
			if (secrets.n8nOwnerPasswordHash !== n8n.ownerPasswordHash) {
				secrets.n8nOwnerPasswordHash = n8n.ownerPasswordHash;
				await saveSecrets(dir.secrets, secrets);
			}
			const pending = await provisionN8n(n8n, { scratch: dir.scratch, credentials, abort, progress });
			checkpoint();
			progress('starting n8n');
			if (queue) {
				workers = await prepareWorkers({
					main: { ...mainOptions, ownerPasswordHash: n8n.ownerPasswordHash },
					mainUrl: n8nUrl,
					root: dir.n8nWorkers,
					count: queue.workers,
					concurrency: queue.concurrency,
					logDir: options.ephemeral ? undefined : dir.logs,
					onUnexpectedExit: (i, code) => progress(`n8n worker ${i} stopped on its own (${code}); its log: ${path.join(dir.logs, `n8n-worker-${i}.log`)}`),
				});
				// Stopped after the main instance (cleanups run last first): its triggers wait for
				// the executions the workers are running.
				const running = workers;
				cleanups.push(async () => void (await Promise.all(running.map((w) => w.stop()))));
			}
			const running = n8n;
			cleanups.push(() => running.stop());
			// The workers start beside the main instance: the import above created n8n's tables.
			await Promise.all([n8n.start(abort), ...workers.map((w) => w.start(abort))]);
			state.n8nPid = n8n.pid();
			state.n8nWorkerPids = workers.map((w) => w.pid()!);
			await writeState(dir.state, state);
			if (pending.length) progress(`activating ${pending.length} workflow${pending.length === 1 ? '' : 's'}`);
			await activateWorkflows(n8n, pending);
			activeWorkflows = await activeBundled(n8n);
			workflows = Object.fromEntries(bundledWorkflows().map((w) => [w.name, w.id]));
		} else if (options.n8n.kind === 'remote') {
			progress(`provisioning the n8n at ${options.n8n.url}`);
			const remote = await provisionRemoteN8n({
				url: options.n8n.url,
				apiKey: options.n8n.apiKey,
				credentials,
				stateFile: path.join(dir.root, 'remote-n8n.json'),
				importDir: path.join(dir.root, 'n8n-import'),
				progress,
			});
			workflows = remote.workflows;
			instructions = remote.instructions;
			activeWorkflows = { active: Object.keys(workflows), inactive: [] };
		}

		state.workflows = workflows;
		state.demoWaId = options.demoData && sandbox ? demoWaId : undefined;
		state.readyAt = new Date().toISOString();
		await writeState(dir.state, state);
		hooks.abort?.removeEventListener('abort', onOuterAbort);

		let stopping: Promise<void> | undefined;
		return {
			options,
			dir,
			secrets,
			db: database.admin,
			database,
			server,
			sandbox,
			n8n,
			workers,
			redis,
			n8nUrl,
			owner,
			workflows,
			activeWorkflows,
			instructions,
			startupMs: Date.now() - started,
			stop: () => (stopping ??= stopAll()),
		};
	} catch (error) {
		controller.abort();
		await stopAll();
		hooks.abort?.removeEventListener('abort', onOuterAbort);
		throw error;
	}
}

/**
 * The companion server's environment in this stack: its generated secrets unless the environment
 * sets them, the stack's database, loopback. Every server of one deployment shares these secrets
 * (a page served by one and pressed on another must verify).
 */
export function companionServerEnv(
	stack: { options: StackOptions; secrets: StackSecrets; database: Pick<StackDatabase, 'serverUrl'> },
	port: number,
	extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
	const { options, secrets, database } = stack;
	return {
		...process.env,
		WEBHOOK_SECRET: process.env.WEBHOOK_SECRET || secrets.webhookSecret,
		INTERNAL_API_SECRET: process.env.INTERNAL_API_SECRET || secrets.internalApiSecret,
		ACTION_NONCE_SECRET: process.env.ACTION_NONCE_SECRET || secrets.actionNonceSecret,
		BOOKING_WEBHOOK_SECRET: process.env.BOOKING_WEBHOOK_SECRET || secrets.bookingWebhookSecret,
		GUEST_DATA_KEY: process.env.GUEST_DATA_KEY || secrets.guestDataKey,
		...options.serverEnv,
		...extra,
		PORT: String(port),
		HOST: '127.0.0.1',
		DATABASE_URL: database.serverUrl,
		SUPABASE_DB_URL: undefined,
		BARNUM_AUTO_MIGRATE: 'false',
		LOG_LEVEL: extra.LOG_LEVEL ?? options.serverEnv?.LOG_LEVEL ?? options.logLevel,
	};
}

/** 0: any free port; otherwise that port, which must be free (another n8n may hold 5678). */
async function choosePort(port: number, what: string, variable: string): Promise<number> {
	if (port === 0) return freePort();
	if (!(await portIsFree(port))) {
		throw new StackError(`port ${port} for the ${what} is taken (is Barnum or another ${what} running?): set ${variable} to another port, or 0 for any free one`);
	}
	return port;
}

function portIsFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const probe = net.createServer();
		probe.unref();
		probe.once('error', () => resolve(false));
		probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
}

/** The PostgreSQL the last run started is still running on our data (the run was killed). */
function leftoverPostmaster(previous: StackState, dir: DataDir): boolean {
	const pid = previous.database.kind === 'embedded' ? previous.database.pid : undefined;
	return Boolean(pid && isAlive(pid) && (procFile(pid, 'cmdline') ?? '').includes(path.join(dir.db, 'postgres')));
}

/**
 * n8n and Redis run in their own process groups, so a stack that was SIGKILLed leaves them
 * running on our folder. An n8n is ours if its environment names a user folder inside the data
 * folder: stop it as Ctrl-C would. The Redis recorded is ours if it still runs redis-server.
 */
async function stopLeftovers(previous: StackState | undefined, dir: DataDir, progress: (line: string) => void): Promise<void> {
	const ours = (pid: number) => (environmentValue(pid, 'N8N_USER_FOLDER') ?? '').startsWith(`${dir.root}${path.sep}`);
	const n8ns = [previous?.n8nPid, ...(previous?.n8nWorkerPids ?? [])].filter((pid): pid is number => Boolean(pid && isAlive(pid) && ours(pid)));
	for (const pid of n8ns) {
		progress(`stopping an n8n (process ${pid}) left running by an earlier start`);
		process.kill(pid, 'SIGINT');
	}
	for (let i = 0; i < 200 && n8ns.some(isAlive); i++) await delay(100);
	for (const pid of n8ns) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
	const redis = previous?.redisPid;
	if (redis && isAlive(redis) && (procFile(redis, 'cmdline') ?? '').includes('redis-server')) {
		progress(`stopping a Redis (process ${redis}) left running by an earlier start`);
		process.kill(redis, 'SIGTERM');
	}
}
