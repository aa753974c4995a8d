import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../../core/paths';
import { run, until } from './run';

const OWNER = { email: 'owner@barnum.local', password: 'Barnum-e2e-2026', firstName: 'Barnum', lastName: 'Owner' };

/** n8n 2.40.7 on Node 24 in the cache (scripts/n8n-install.sh); the path of its binary. */
export async function installN8n(): Promise<string> {
	const output = await run('bash', [path.join(packageRoot(), 'scripts', 'n8n-install.sh')]);
	return output.trim().split('\n').pop()!;
}

function nodeBin(): Promise<string> {
	return run('bash', [path.join(packageRoot(), 'scripts', 'node24.sh')], { quiet: true }).then((out) => out.trim().split('\n').pop()!);
}

/** Builds this package and packs it as npm would publish it; the tarball's path. */
export async function packBarnum(into: string): Promise<string> {
	const root = packageRoot();
	const bin = await nodeBin();
	const env = { ...process.env, PATH: `${bin}:${root}/node_modules/.bin:${process.env.PATH}` };
	await run('npx', ['n8n-node', 'build'], { cwd: root, env, quiet: true });
	const out = await run('npm', ['pack', '--pack-destination', into, '--silent'], { cwd: root, env, quiet: true });
	return path.join(into, out.trim().split('\n').pop()!);
}

/**
 * Installs the tarball into n8n's community-nodes folder exactly as n8n's own installer does
 * (community-packages.service downloadPackage): unpack, drop dev/peer/optional dependencies,
 * `npm install` its runtime dependencies inside it, and list it in the folder's package.json.
 */
export async function installPackage(userFolder: string, tarball: string): Promise<void> {
	const nodes = path.join(userFolder, '.n8n', 'nodes');
	const dir = path.join(nodes, 'node_modules', 'n8n-nodes-barnum');
	mkdirSync(dir, { recursive: true });
	await run('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1'], { quiet: true });
	const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
	delete manifest.devDependencies;
	delete manifest.peerDependencies;
	delete manifest.optionalDependencies;
	writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
	const bin = await nodeBin();
	await run(
		'npm',
		['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false'],
		{ cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, npm_config_yes: 'true' }, quiet: true },
	);
	writeFileSync(
		path.join(nodes, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { 'n8n-nodes-barnum': manifest.version } }, null, 2),
	);
}

export interface N8n {
	url: string;
	userFolder: string;
	cli(args: string[]): Promise<string>;
	start(): Promise<void>;
	/** Ctrl-C. */
	stop(): Promise<void>;
	/** SIGKILL: what a crash or an OOM kill does. */
	kill(): Promise<void>;
	executions(workflowId?: string): Promise<Array<{ id: string; workflowId: string; status: string; mode: string }>>;
	log(): string;
}

export async function prepareN8n(options: { bin: string; userFolder: string; port: number; env?: Record<string, string> }): Promise<N8n> {
	const node = await nodeBin();
	const passwordHash = (
		await run(node + '/node', ['-e', `process.stdout.write(require(${JSON.stringify(path.join(path.dirname(path.dirname(options.bin)), 'bcryptjs'))}).hashSync(${JSON.stringify(OWNER.password)}, 10))`], { quiet: true })
	).trim();
	// Not jest's environment: n8n behaves differently under NODE_ENV=test.
	const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(NODE_ENV|JEST_|NODE_OPTIONS)/.test(key)));
	const env: NodeJS.ProcessEnv = {
		...inherited,
		NODE_ENV: 'production',
		PATH: `${node}:${process.env.PATH}`,
		N8N_USER_FOLDER: options.userFolder,
		N8N_ENCRYPTION_KEY: 'barnum-e2e-encryption-key-0123456789',
		N8N_PORT: String(options.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		WEBHOOK_URL: `http://127.0.0.1:${options.port}/`,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: passwordHash,
		N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
		N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
		DB_TYPE: 'sqlite',
		N8N_LOG_LEVEL: 'warn',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		...options.env,
	};
	let child: ChildProcess | undefined;
	let output = '';
	let cookie = '';
	const url = `http://127.0.0.1:${options.port}`;

	const waitExit = (process: ChildProcess) =>
		new Promise<void>((resolve) => (process.exitCode !== null || process.signalCode !== null ? resolve() : process.once('exit', () => resolve())));

	return {
		url,
		userFolder: options.userFolder,
		cli: (args) => run(options.bin, args, { env, quiet: true }),
		async start() {
			output = '';
			cookie = '';
			child = spawn(options.bin, ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
			child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
			child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
			const started = child;
			const exited = waitExit(started).then(() => {
				throw new Error(`n8n exited (${started.exitCode ?? started.signalCode}) while starting:\n${output.slice(-4000)}`);
			});
			await Promise.race([until(async () => (await fetch(`${url}/healthz/readiness`)).ok, 'n8n to be ready', 120_000, 250), exited]);
		},
		async stop() {
			if (!child) return;
			const done = waitExit(child);
			child.kill('SIGINT');
			const timer = setTimeout(() => child?.kill('SIGKILL'), 20_000);
			await done;
			clearTimeout(timer);
		},
		async kill() {
			if (!child) return;
			const done = waitExit(child);
			child.kill('SIGKILL');
			await done;
		},
		async executions(workflowId) {
			if (!cookie) {
				const login = await fetch(`${url}/rest/login`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
				});
				if (!login.ok) throw new Error(`n8n login failed: ${login.status} ${await login.text()}`);
				cookie = (login.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
			}
			const filter = workflowId ? `?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=250` : '?limit=250';
			const res = await fetch(`${url}/rest/executions${filter}`, { headers: { cookie } });
			if (!res.ok) throw new Error(`n8n executions: ${res.status} ${await res.text()}`);
			const body = (await res.json()) as { data: { results: Array<{ id: string; workflowId: string; status: string; mode: string }> } };
			return body.data.results;
		},
		log: () => output,
	};
}
