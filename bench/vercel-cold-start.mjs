#!/usr/bin/env node
// The companion server's cold start as a Vercel Function (docs/deploy-vercel-supabase.md): a fresh
// Node process loads deploy/vercel/api/barnum.js over the compiled barnum-server, the way Vercel's
// launcher does (scripts/vercel-local.mjs), and answers its first request — a patient opening an
// action link, which opens the pool, checks the schema, reads the token and renders the page.
//
//   node bench/vercel-cold-start.mjs [--runs 9] [--helpers on|off]
//
// Builds barnum-server into build/barnum-server (scripts/pack-packages.mjs --server-only) and runs
// against an embedded PostgreSQL, or BENCH_DATABASE_URL's server (its owner login; the database is
// migrated). Prints one JSON document: medians and every run, in milliseconds.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '9' }, helpers: { type: 'string', default: 'on' } } });
const runs = Number(args.runs);
const log = (line) => process.stderr.write(`bench: ${line}\n`);

log('building barnum-server (scripts/pack-packages.mjs --server-only)');
const work = mkdtempSync(path.join(root, 'build', 'vercel-bench-'));
execFileSync(process.execPath, [path.join(root, 'scripts', 'pack-packages.mjs'), '--server-only', '--out', work], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const server = path.join(root, 'build', 'barnum-server');
const project = path.join(work, 'project');
cpSync(path.join(root, 'deploy', 'vercel'), project, { recursive: true });
mkdirSync(path.join(project, 'node_modules'));
symlinkSync(server, path.join(project, 'node_modules', 'barnum-server'), 'dir');
const entry = path.join(project, 'api', 'barnum.js');

const requireServer = createRequire(path.join(server, 'package.json'));
const { migrate } = requireServer('./dist/core/db/migrate.js');
const { ensureAppLogin, withCredentials } = requireServer('./dist/server/db/app-login.js');
const pg = requireServer('pg');

let cluster;
let adminUrl = process.env.BENCH_DATABASE_URL;
if (!adminUrl) {
	const { startEmbeddedPostgres } = requireServer('./dist/server/db/embedded-postgres.js');
	cluster = await startEmbeddedPostgres({ baseDir: mkdtempSync(path.join(os.tmpdir(), 'barnum-vercel-bench-')), ephemeral: true });
	adminUrl = cluster.adminUrl;
}
const stopCluster = () => cluster?.stop();

function percentile50(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** One cold start: spawn → listening → first response. */
function coldStart(env, link) {
	return new Promise((resolve, reject) => {
		const spawned = performance.now();
		const child = spawn(process.execPath, [path.join(root, 'scripts', 'vercel-local.mjs'), entry], { env, stdio: ['ignore', 'pipe', 'inherit'] });
		let out = '';
		let asked = false;
		child.stdout.on('data', async (chunk) => {
			out += chunk;
			const line = out.split('\n').find((l) => l.startsWith('{"url"'));
			if (!line || asked) return;
			asked = true;
			const listening = performance.now();
			const { url, importMs } = JSON.parse(line);
			try {
				const res = await fetch(`${url}${link}`);
				const body = await res.text();
				const answered = performance.now();
				if (res.status !== 200 || !body.includes('<button')) throw new Error(`first request answered ${res.status}: ${body.slice(0, 200)}`);
				resolve({ importMs, listeningMs: listening - spawned, firstRequestMs: answered - listening, totalMs: answered - spawned });
			} catch (error) {
				reject(error);
			} finally {
				child.kill('SIGTERM');
			}
		});
		child.once('exit', (code) => !asked && reject(new Error(`the function exited (${code}) before listening`)));
	});
}

try {
	await migrate(adminUrl, { contract: 'builtin' });
	const appPassword = 'bench-app-password-0123456789';
	await ensureAppLogin(adminUrl, { user: 'barnum_bench', password: appPassword });
	const admin = new pg.Client({ connectionString: adminUrl, options: '-c search_path=barnum_clinic,barnum' });
	await admin.connect();
	const patient = (await admin.query("INSERT INTO patients (name, phone) VALUES ('João Silva', '+351912345678') RETURNING id")).rows[0].id;
	const appointment = (await admin.query("INSERT INTO appointments (patient_id, date, time, status) VALUES ($1, current_date + 3, '10:00', 'scheduled') RETURNING id", [patient])).rows[0].id;
	const token = (await admin.query("SELECT generate_action_token('confirm', $1, $2) AS token", [appointment, patient])).rows[0].token;
	await admin.end();

	const env = {
		PATH: process.env.PATH ?? '',
		VERCEL: '1',
		NODEJS_HELPERS: args.helpers === 'off' ? '0' : '1',
		DATABASE_URL: withCredentials(adminUrl, 'barnum_bench', appPassword),
		WEBHOOK_SECRET: 'whsec_YmVuY2gtdmVyY2VsLWNvbGQtc3RhcnQtc2VjcmV0',
		INTERNAL_API_SECRET: 'bench-internal-secret-0123456789',
		ACTION_NONCE_SECRET: 'bench-nonce-secret-0123456789',
		LOG_LEVEL: 'warn',
	};
	const link = `/api/action?type=confirm&token=${encodeURIComponent(token)}`;
	log(`warming the disk cache, then ${runs} cold starts`);
	await coldStart(env, link);
	const results = [];
	for (let i = 0; i < runs; i++) results.push(await coldStart(env, link));
	const round = (v) => Math.round(v * 10) / 10;
	const median = Object.fromEntries(['importMs', 'listeningMs', 'firstRequestMs', 'totalMs'].map((k) => [k, round(percentile50(results.map((r) => r[k])))]));
	const report = {
		what: 'cold start of deploy/vercel/api/barnum.js: a fresh node process imports the handler and answers GET /api/action (first request)',
		date: new Date().toISOString(),
		node: process.version,
		cpu: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}`,
		helpers: args.helpers,
		database: cluster ? 'embedded PostgreSQL on loopback' : 'BENCH_DATABASE_URL',
		runs,
		median,
		all: results.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
	};
	process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
	await stopCluster();
	rmSync(work, { recursive: true, force: true });
}
