import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../server/db/embedded-postgres';
import { run, StackError, StackStopped, until } from '../run';
import { nodeBin } from './install';
import { N8nRest, type N8nExecution, type N8nOwner } from './rest';

export interface N8nOptions {
	bin: string;
	userFolder: string;
	port: number;
	owner: N8nOwner;
	/** bcrypt of owner.password; computed with n8n's own bcryptjs when absent. */
	ownerPasswordHash?: string;
	encryptionKey: string;
	/** n8n's output is appended here as well as kept (the tail) in memory. */
	logFile?: string;
	/** n8n exited without being asked to (after it was ready): a crash, an OOM kill. */
	onUnexpectedExit?(code: number | string | null): void;
	env?: Record<string, string>;
	/** What to run: `start` (the main instance, default) or `worker` with its flags (queue mode). */
	command?: string[];
	/** Answers 200 once the process is ready; default n8n's own /healthz/readiness on `port`. */
	readyUrl?: string;
}

export interface N8n {
	url: string;
	userFolder: string;
	owner: N8nOwner;
	ownerPasswordHash: string;
	rest: N8nRest;
	cli(args: string[], abort?: AbortSignal): Promise<string>;
	start(abort?: AbortSignal): Promise<void>;
	/** Ctrl-C, as a person would: n8n finishes what it is doing. */
	stop(): Promise<void>;
	/** SIGKILL: what a crash or an OOM kill does. */
	kill(): Promise<void>;
	pid(): number | undefined;
	executions(workflowId?: string): Promise<N8nExecution[]>;
	log(): string;
}

const LOG_TAIL = 64 * 1024;

/**
 * n8n's own settings that keep it to the job: no telemetry, surveys, promotions or banners, no
 * calls to n8n's online services (they fail offline and fill the log with stack traces), and the
 * defaults its deprecation notices ask for set explicitly, so its log shows what matters. After
 * login the editor opens on the workflows, not on the AI Assistant's introduction.
 */
const QUIET_N8N: Record<string, string> = {
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	N8N_HIRING_BANNER_ENABLED: 'false',
	N8N_DYNAMIC_BANNERS_ENABLED: 'false',
	N8N_AI_ENABLED: 'false',
	// The AI Assistant (the editor's landing page when on) and the MCP server catalogue fetched
	// from api.n8n.io.
	N8N_DISABLED_MODULES: 'instance-ai,mcp-registry',
	// The catalogue of verified community packages comes from api.n8n.io; Barnum is unverified.
	N8N_VERIFIED_PACKAGES_ENABLED: 'false',
	N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
	N8N_RUNNERS_TASK_TIMEOUT: '300',
	N8N_COMPRESSION_NODE_MAX_DECOMPRESSED_SIZE_BYTES: String(256 * 1024 * 1024),
	N8N_COMPRESSION_NODE_MAX_ZIP_ENTRIES: '1000',
};

export async function prepareN8n(options: N8nOptions): Promise<N8n> {
	const node = await nodeBin();
	const ownerPasswordHash = options.ownerPasswordHash ?? (await bcrypt(node, options.bin, options.owner.password));
	// Not jest's environment: n8n behaves differently under NODE_ENV=test.
	const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(NODE_ENV|JEST_|NODE_OPTIONS)/.test(key)));
	const env: NodeJS.ProcessEnv = {
		...inherited,
		NODE_ENV: 'production',
		PATH: `${node}:${process.env.PATH}`,
		N8N_USER_FOLDER: options.userFolder,
		N8N_ENCRYPTION_KEY: options.encryptionKey,
		N8N_PORT: String(options.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_WEBHOOK_URL: `http://127.0.0.1:${options.port}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${options.port}/`,
		// Plain http on loopback: the browser must keep the login cookie.
		N8N_SECURE_COOKIE: 'false',
		...QUIET_N8N,
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: options.owner.email,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: ownerPasswordHash,
		N8N_INSTANCE_OWNER_FIRST_NAME: options.owner.firstName,
		N8N_INSTANCE_OWNER_LAST_NAME: options.owner.lastName,
		DB_TYPE: 'sqlite',
		N8N_LOG_LEVEL: 'warn',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		// The task runners' broker listens on 5679 by default: a second n8n on the machine (yours,
		// a test's) would take it and this one would exit at start.
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		...options.env,
	};
	let child: ChildProcess | undefined;
	let output = '';
	let logStream: WriteStream | undefined;
	const url = `http://127.0.0.1:${options.port}`;
	const rest = new N8nRest(url, options.owner);
	const record = (chunk: Buffer) => {
		output = (output + chunk.toString()).slice(-LOG_TAIL);
		logStream?.write(chunk);
	};

	const waitExit = (process: ChildProcess) =>
		new Promise<void>((resolve) => (process.exitCode !== null || process.signalCode !== null ? resolve() : process.once('exit', () => resolve())));

	// Set while we stop or kill it, so its exit is not reported as a crash.
	let expectingExit = false;
	const stop = async () => {
		if (!child) return;
		expectingExit = true;
		const done = waitExit(child);
		child.kill('SIGINT');
		const running = child;
		const timer = setTimeout(() => running.kill('SIGKILL'), 20_000);
		await done;
		clearTimeout(timer);
		logStream?.end();
		logStream = undefined;
	};

	return {
		url,
		userFolder: options.userFolder,
		owner: options.owner,
		ownerPasswordHash,
		rest,
		cli: (args, abort) => run(options.bin, args, { env, quiet: true, abort }),
		async start(abort) {
			output = '';
			expectingExit = false;
			if (options.logFile) logStream = createWriteStream(options.logFile, { flags: 'a', mode: 0o600 });
			// Its own process group: Ctrl-C at the terminal reaches only Barnum, which stops n8n
			// once (a second SIGINT makes n8n exit on the spot).
			child = spawn(options.bin, options.command ?? ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
			child.stdout?.on('data', record);
			child.stderr?.on('data', record);
			const started = child;
			const exited = waitExit(started).then(() => {
				if (abort?.aborted) throw new StackStopped();
				throw new StackError(`n8n ${(options.command ?? ['start'])[0]} exited (${started.exitCode ?? started.signalCode}) while starting:\n${output.slice(-4000)}`);
			});
			const onAbort = () => void stop();
			abort?.addEventListener('abort', onAbort, { once: true });
			try {
				const readyUrl = options.readyUrl ?? `${url}/healthz/readiness`;
				await Promise.race([until(async () => (await fetch(readyUrl)).ok, `n8n ${(options.command ?? ['start'])[0]} to be ready`, 180_000, 250), exited]);
			} finally {
				abort?.removeEventListener('abort', onAbort);
			}
			if (abort?.aborted) throw new StackStopped();
			started.once('exit', (code, signal) => {
				if (!expectingExit) options.onUnexpectedExit?.(code ?? signal);
			});
		},
		stop,
		async kill() {
			if (!child) return;
			expectingExit = true;
			const done = waitExit(child);
			child.kill('SIGKILL');
			await done;
		},
		pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid : undefined),
		executions: (workflowId) => rest.executions(workflowId),
		log: () => output,
	};
}

/** The owner's password hash, made with the bcryptjs n8n itself ships. */
async function bcrypt(node: string, n8nBin: string, password: string): Promise<string> {
	const module = path.join(path.dirname(path.dirname(n8nBin)), 'bcryptjs');
	// The password travels in the environment, not the command line (which `ps` shows).
	const script = 'process.stdout.write(require(process.argv[1]).hashSync(process.env.BARNUM_OWNER_PASSWORD, 10))';
	return (await run(path.join(node, 'node'), ['-e', script, module], { quiet: true, env: { ...process.env, BARNUM_OWNER_PASSWORD: password } })).trim();
}
