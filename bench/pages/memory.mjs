#!/usr/bin/env node
// The companion server's memory under load, for several sets of V8 flags (docs/performance.md,
// "Memory: the young generation and two flags"): one durable embedded PostgreSQL, then for each
// variant and round the compiled server (`[VAR=value] node <flags> build/server/cli.js serve`) under 15 s of
// GET load (get.lua, a different link per request) and 10 s of POST load (post.lua, a fresh link
// per press), 64 connections; its VmRSS is sampled every 50 ms. Prints the peaks and the server's
// CPU per GET. Build first (bash bench/pages/run.sh does; or node scripts/embed-sql.mjs && tsc -p tsconfig.dev.json).
//
//   node bench/pages/memory.mjs [rounds] name='--flag … [VAR=value …]' [name='…' …]
//   node bench/pages/memory.mjs 3 node-defaults='BARNUM_HEAP_FLAGS=off' barnum-default=
//
// Flags go on the node command line, so flags that NODE_OPTIONS refuses (--optimize-for-size,
// --heap-growing-percent) can be tried too; VAR=value words are the server's environment. With no
// heap flag and no BARNUM_HEAP_FLAGS=off, `barnum serve` restarts itself with its default heap
// flags (server/heap-flags.ts): barnum-default= measures that. The parent's NODE_OPTIONS and
// BARNUM_HEAP_FLAGS are not passed on, so each variant is exactly what it says.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const HERE = import.meta.dirname;
const ROOT = path.resolve(HERE, '../..');
const requireFromRoot = createRequire(path.join(ROOT, 'package.json'));
const pg = requireFromRoot('pg');
const { startEmbeddedPostgres, freePort } = requireFromRoot('./build/server/db/embedded-postgres.js');
const { migrate } = requireFromRoot('./build/core/db/migrate.js');
const { ensureAppLogin, withCredentials } = requireFromRoot('./build/server/db/app-login.js');
const { FormNonce } = requireFromRoot('./build/server/pages/nonce.js');

const [roundsArg = '2', ...specs] = process.argv.slice(2);
const rounds = Number(roundsArg);
const variants = (specs.length ? specs : ['node-defaults=BARNUM_HEAP_FLAGS=off', 'barnum-default=']).map((spec) => {
	const eq = spec.indexOf('=');
	const words = spec.slice(eq + 1).split(' ').filter(Boolean);
	const isEnv = (word) => /^[A-Z_][A-Z0-9_]*=/.test(word);
	const env = Object.fromEntries(words.filter(isEnv).map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]));
	return { name: spec.slice(0, eq), flags: words.filter((word) => !isEnv(word)), env, results: [] };
});
const { NODE_OPTIONS: _nodeOptions, BARNUM_HEAP_FLAGS: _heapFlags, ...inherited } = process.env;
const secret = randomBytes(24).toString('hex');
const nonces = new FormNonce(secret);
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const cpuSeconds = (pid) => {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[11]) + Number(fields[12])) / 100;
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'barnum-memory-bench-'));
chmodSync(tmp, 0o711); // PostgreSQL, run as `postgres` when we are root, must pass through
const cluster = await startEmbeddedPostgres({ baseDir: path.join(tmp, 'db'), port: 0 });
let child;
try {
	await migrate(cluster.adminUrl);
	await ensureAppLogin(cluster.adminUrl, { user: 'barnum_server', password: cluster.secrets.appPassword });
	const appUrl = withCredentials(cluster.adminUrl, 'barnum_server', cluster.secrets.appPassword);
	const admin = new pg.Pool({ connectionString: cluster.adminUrl, max: 2, options: '-c search_path=barnum_clinic,barnum' });
	await admin.query("UPDATE barnum_settings SET business_name = 'Clínica Sorriso'");
	const specialty = (await admin.query("INSERT INTO specialties (name) VALUES ('Medicina Dentária') RETURNING id")).rows[0].id;
	const professional = (await admin.query("INSERT INTO professionals (name, specialty_id) VALUES ('Dr. Maria Santos', $1) RETURNING id", [specialty])).rows[0].id;
	const patient = (await admin.query("INSERT INTO patients (name, phone) VALUES ('João Silva', '+351912345678') RETURNING id")).rows[0].id;
	const links = async (count) =>
		(
			await admin.query(
				`WITH created AS (
				   INSERT INTO appointments (patient_id, professional_id, specialty_id, date, time, status)
				   SELECT $1, $2, $3, current_date + 3 + (g % 60), time '08:00' + (g % 40) * interval '15 min', 'scheduled'
				     FROM generate_series(1, $4::int) g
				   RETURNING id, patient_id)
				 SELECT generate_action_token('confirm', id, patient_id) AS token FROM created`,
				[patient, professional, specialty, count],
			)
		).rows.map((row) => row.token);
	const getFile = path.join(tmp, 'get.tokens');
	writeFileSync(getFile, (await links(10_000)).map((token) => `${token} -`).join('\n') + '\n');
	const postFiles = [];
	for (let i = 0; i < rounds * variants.length; i++) {
		const file = path.join(tmp, `post-${i}.tokens`);
		writeFileSync(file, (await links(15_000)).map((token) => `${token} ${nonces.issue(token, 'confirm')}`).join('\n') + '\n');
		postFiles.push(file);
	}
	await admin.query('VACUUM ANALYZE');
	await admin.end();

	let next = 0;
	for (let round = 0; round < rounds; round++) {
		for (const variant of variants) {
			const port = await freePort();
			const log = openSync('/dev/null', 'w');
			child = spawn(process.execPath, [...variant.flags, path.join(ROOT, 'build/server/cli.js'), 'serve'], {
				stdio: ['ignore', log, log],
				env: {
					...inherited,
					NODE_ENV: 'production',
					DATABASE_URL: appUrl,
					HOST: '127.0.0.1',
					PORT: String(port),
					LOG_LEVEL: 'info',
					RATE_LIMIT_ACTION_PER_MINUTE: '100000000',
					ACTION_NONCE_SECRET: secret,
					PUSH_DISPATCHER: 'off',
					...variant.env,
				},
			});
			closeSync(log);
			for (let i = 0; i < 100; i++) {
				if (child.exitCode !== null) throw new Error(`${variant.name}: the server exited with ${child.exitCode} (a flag node refuses?)`);
				try {
					await fetch(`http://127.0.0.1:${port}/healthz`);
					break;
				} catch {
					await new Promise((resolve) => setTimeout(resolve, 100));
				}
			}
			const pid = child.pid;
			// What V8 was started with (the same pid after `barnum serve` replaced itself).
			const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1, -2).join(' ');
			const idle = rssMb(pid);
			let peak = idle;
			const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
			const wrk = (seconds, script, tokens) =>
				new Promise((resolve) => {
					const run = spawn('wrk', ['-t2', '-c64', `-d${seconds}s`, '-s', path.join(HERE, script), `http://127.0.0.1:${port}`], {
						env: { ...process.env, BENCH_TOKENS: tokens, BENCH_THREADS: '2' },
					});
					let out = '';
					run.stdout.on('data', (chunk) => (out += chunk));
					run.once('exit', () => resolve(out));
				});
			const cpuBefore = cpuSeconds(pid);
			const out = await wrk(15, 'get.lua', getFile);
			const cpu = cpuSeconds(pid) - cpuBefore;
			const pages = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
			const peakGet = peak;
			await wrk(10, 'post.lua', postFiles[next++]);
			clearInterval(sampler);
			const result = { commandLine, idle, peakGet, peak, pagesPerSecond: pages / 15, cpuMsPerPage: (cpu / pages) * 1000 };
			variant.results.push(result);
			const stopped = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			await stopped;
			child = undefined;
			process.stderr.write(
				`${variant.name} [node ${commandLine || '(no flags)'}]: idle ${idle.toFixed(0)} MB, peak ${peakGet.toFixed(0)} MB (GET) / ${peak.toFixed(0)} MB (GET + POST), ` +
					`${result.pagesPerSecond.toFixed(0)} pages/s, ${result.cpuMsPerPage.toFixed(4)} ms CPU per page, load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}\n`,
			);
		}
	}
	for (const v of variants) {
		const peaks = v.results.map((r) => r.peak);
		process.stdout.write(
			`${v.name} [${[...Object.entries(v.env).map(([k, value]) => `${k}=${value}`), `node ${v.results[0]?.commandLine || '(no flags)'}`].join(' ')}]: peak RSS median ${median(peaks).toFixed(0)} MB (${Math.min(...peaks).toFixed(0)}–${Math.max(...peaks).toFixed(0)}), ` +
				`GET-only peak median ${median(v.results.map((r) => r.peakGet)).toFixed(0)} MB, CPU per page median ${median(v.results.map((r) => r.cpuMsPerPage)).toFixed(4)} ms\n`,
		);
	}
} finally {
	if (child && child.exitCode === null) child.kill('SIGTERM');
	await cluster.stop();
	rmSync(tmp, { recursive: true, force: true });
}
