#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { MigrationError } from '../core/db/migrate';
import { createPool } from '../core/db/pool';
import { BarnumError } from '../core/errors';
import { ConfigError } from '../server/config';
import { relocatedBaseDir, type EmbeddedSecrets } from '../server/db/embedded-postgres';
import { EMBEDDED_APP_LOGIN } from '../server/db/open-database';
import { renderBanner } from './banner';
import { dataDir, wipeDataDir, type StackSecrets } from './data-dir';
import { bookDemoAppointment, describeBooking, waitForPreConfirmation } from './demo';
import { activeBundled, bundledWorkflows } from './n8n/provision';
import { N8nRest } from './n8n/rest';
import { readStackOptions } from './options';
import { StackError, StackStopped } from './run';
import { startLocalStack, type LocalStack } from './stack';
import { describeStatus, type StatusChecks } from './status';
import { isAlive, readState, runningStack, type StackState } from './state';

const say = (line: string) => process.stderr.write(`barnum: ${line}\n`);

const program = new Command()
	.name('barnum-stack')
	.description(
		'The whole Barnum system on this machine, for trying it and developing it: PostgreSQL with demo data, the\n' +
			'companion server, the WhatsApp sandbox and n8n with the Barnum nodes and workflows (npm start).\n' +
			'For the companion server alone, as in production, use `barnum serve` (npm run serve).',
	)
	.showHelpAfterError();

program
	.command('start', { isDefault: true })
	.description('start everything; Ctrl-C stops everything (data persists in BARNUM_DATA_DIR, default .barnum/)')
	.option('--queue [workers]', "n8n in queue mode: Redis, n8n's data in PostgreSQL, a main instance and this many workers (default 2; = BARNUM_N8N_MODE=queue)")
	.action(async (flags: { queue?: boolean | string }) => {
		const options = readStackOptions(
			flags.queue ? { ...process.env, BARNUM_N8N_MODE: 'queue', ...(typeof flags.queue === 'string' ? { BARNUM_N8N_WORKERS: flags.queue } : {}) } : process.env,
		);
		const controller = new AbortController();
		let stack: LocalStack | undefined;
		let signals = 0;
		const finish = (code: number): never => {
			say(code === 0 ? 'stopped' : 'stopped, with errors');
			process.exit(code);
		};
		const onSignal = (signal: NodeJS.Signals) => {
			signals += 1;
			if (signals > 1) {
				say(`${signal} again: stopping at once`);
				killNow(readState(dataDir(options.dataDir).state));
				process.exit(1);
			}
			say(`${signal}: stopping n8n, the sandbox, the server and PostgreSQL…`);
			if (stack) stack.stop().then(() => finish(0), () => finish(1));
			else controller.abort();
		};
		process.on('SIGINT', onSignal);
		process.on('SIGTERM', onSignal);
		process.on('SIGHUP', onSignal);
		try {
			stack = await startLocalStack(options, { progress: say, abort: controller.signal });
		} catch (error) {
			if (error instanceof StackStopped || controller.signal.aborted) finish(0);
			throw error;
		}
		if (controller.signal.aborted) {
			await stack.stop();
			finish(0);
		}
		process.stdout.write(`${renderBanner(stack)}\n`);
		say(`ready in ${(stack.startupMs / 1000).toFixed(1)} s`);
	});

/** A second Ctrl-C: no waiting for anyone. PostgreSQL's immediate shutdown is crash-safe. */
function killNow(state: StackState | undefined): void {
	const signal = (pid: number | undefined, name: NodeJS.Signals) => {
		try {
			if (pid && isAlive(pid)) process.kill(pid, name);
		} catch {
			// Gone already.
		}
	};
	signal(state?.n8nPid, 'SIGKILL');
	for (const pid of state?.n8nWorkerPids ?? []) signal(pid, 'SIGKILL');
	signal(state?.redisPid, 'SIGKILL');
	if (state?.database.kind === 'embedded') signal(state.database.pid, 'SIGQUIT');
}

function stateOrExit(json = false): { state: StackState; secrets?: StackSecrets; root: string } {
	const dir = dataDir(readStackOptions().dataDir);
	const state = readState(dir.state);
	if (!state?.pid || !isAlive(state.pid)) {
		if (json) process.stdout.write(`${JSON.stringify({ running: false, dataDir: dir.root })}\n`);
		else say(`not running (data folder ${dir.root}); start it with npm start`);
		process.exit(1);
	}
	const secrets = existsSync(dir.secrets) ? (JSON.parse(readFileSync(dir.secrets, 'utf8')) as StackSecrets) : undefined;
	return { state, secrets, root: dir.root };
}

async function probe(url: string): Promise<number> {
	try {
		const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
		await res.arrayBuffer();
		return res.status;
	} catch {
		return 0;
	}
}

program
	.command('status')
	.description('check that every part of the running stack answers, and that the bundled workflows are active')
	.option('--json', 'print one JSON object (for scripts)')
	.action(async (flags: { json?: boolean }) => {
		const { state, secrets, root } = stateOrExit(flags.json);
		const checks: StatusChecks = { server: await probe(`${state.urls.server}/readyz`) };
		if (state.urls.sandbox) checks.sandbox = await probe(`${state.urls.sandbox}/_sandbox/`);
		if (state.urls.n8n) checks.n8n = await probe(`${state.urls.n8n}/healthz`);
		let workflowsOk = true;
		if (state.urls.n8nIsOurs && state.urls.n8n && secrets && state.n8nOwnerEmail) {
			try {
				const rest = new N8nRest(state.urls.n8n, { email: state.n8nOwnerEmail, password: secrets.n8nOwnerPassword });
				const { active, inactive } = await activeBundled({ rest });
				checks.workflows = { active: active.length, total: bundledWorkflows().length, inactive };
				workflowsOk = inactive.length === 0;
			} catch (error) {
				checks.workflows = { error: (error as Error).message };
				workflowsOk = false;
			}
		}
		const ok = Boolean(state.readyAt) && workflowsOk && [checks.server, checks.sandbox, checks.n8n].every((c) => c === undefined || c === 200);
		const pids = {
			stack: state.pid,
			postgres: state.database.kind === 'embedded' ? state.database.pid : undefined,
			n8n: state.n8nPid,
			...Object.fromEntries((state.n8nWorkerPids ?? []).map((pid, i) => [`n8nWorker${i + 1}`, pid])),
			redis: state.redisPid,
		};
		if (flags.json) {
			process.stdout.write(`${JSON.stringify({ running: true, ready: Boolean(state.readyAt), ok, dataDir: root, urls: state.urls, pids, checks })}\n`);
		} else {
			process.stdout.write(describeStatus(state, checks, root, ok));
		}
		process.exit(ok ? 0 : 1);
	});

program
	.command('demo:book')
	.description('book the demo patient an appointment in the running stack; the WhatsApp pre-confirmation follows')
	.option('--no-wait', 'do not wait for the message to be sent')
	.action(async (flags: { wait: boolean }) => {
		const { state } = stateOrExit();
		const dir = dataDir(readStackOptions().dataDir);
		let url = process.env.DATABASE_URL ?? process.env.SUPABASE_DB_URL;
		if (state.database.kind === 'embedded') {
			const file = [path.join(dir.db, 'secrets.json'), path.join(relocatedBaseDir(dir.db), 'secrets.json')].find((f) => existsSync(f));
			if (!file) throw new StackError(`the embedded database's secrets are missing from ${dir.db}`);
			const secrets = JSON.parse(readFileSync(file, 'utf8')) as EmbeddedSecrets;
			url = `postgres://${EMBEDDED_APP_LOGIN}:${encodeURIComponent(secrets.appPassword)}@127.0.0.1:${state.database.port}/barnum`;
		}
		if (!url) throw new StackError('the stack uses DATABASE_URL: run demo:book with the same DATABASE_URL');
		const pool = createPool(url, { applicationName: 'barnum-demo', max: 1 });
		try {
			const booking = await bookDemoAppointment(pool);
			process.stdout.write(`${describeBooking(booking)}\n`);
			if (state.urls.sandbox) process.stdout.write(`Their phone: ${state.urls.sandbox}/_sandbox/phones/${booking.phone.replace(/^\+/, '')}\n`);
			if (flags.wait) {
				const event = await waitForPreConfirmation(pool, booking.appointmentId);
				process.stdout.write(`The WhatsApp pre-confirmation was sent (${event.whatsapp_message_id}).\n`);
			}
		} finally {
			await pool.end();
		}
	});

program
	.command('reset')
	.description('delete the data folder: database, n8n, generated secrets (the stack must be stopped)')
	.action(async () => {
		const dir = dataDir(readStackOptions().dataDir);
		const running = runningStack(dir.state);
		if (running) throw new StackError(`Barnum is running from ${dir.root} (process ${running.pid}): stop it (Ctrl-C) first`);
		if (!existsSync(dir.root)) {
			say(`nothing to reset: ${dir.root} does not exist`);
			return;
		}
		// BARNUM_DATA_DIR could point anywhere: only a folder the stack made is wiped.
		if (![dir.secrets, dir.state, dir.db, dir.n8n].some((p) => existsSync(p))) {
			throw new StackError(`${dir.root} does not look like a Barnum data folder (no secrets.json, stack.json, db/ or n8n/): not touching it`);
		}
		for (const removed of await wipeDataDir(dir)) say(`removed ${removed}`);
		say('reset: the next npm start begins from scratch (n8n stays installed in ~/.cache/barnum)');
	});

program.parseAsync(process.argv).catch((error: Error) => {
	// Something the person can fix: say it plainly, without a stack trace.
	const plain = error instanceof StackError || error instanceof ConfigError || error instanceof MigrationError || error instanceof BarnumError;
	process.stderr.write(`barnum: ${plain ? error.message : (error.stack ?? error.message)}\n`);
	process.exit(1);
});
