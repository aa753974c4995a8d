#!/usr/bin/env node
// The patient action pages under load, side by side with a bare Express "hello" in the same run:
// wrk against GET / (hello), GET /healthz (the request log and metrics, no database), an unknown
// link (one small query, the invalid page), GET /api/action (the read path: token, appointment and
// clinic from PostgreSQL, HTML, form nonce; a different link for every request, get.lua) and POST
// /api/action (a fresh link pressed per request: nonce check, transaction, status change, commit).
// See docs/performance.md "Action pages under load". Run through bench/pages/run.sh (builds build/).
//
//   node bench/pages/bench.mjs [--duration 15] [--warmup 3] [--connections 64] [--threads 2]
//                              [--log-levels warn,info] [--tokens 30000] [--read-links 10000]
//                              [--out results.json]
//                              [--phases hello,healthz,unknown,get,get-one,post,get-c4,post-c4]
//                              [--server-cli build/server/cli.js]
//                              [--server-node-options=--max-semi-space-size=16]
//
// --server-cli runs another build of the server (e.g. a patched copy of build/, to measure a
// proposed change against the same database); --server-node-options is NODE_OPTIONS for the
// server process alone (write it with "=": its value starts with dashes). get-one reads one link
// over and over (the figure published before get.lua existed).
//
// The rate limiter runs on every request but is set far above the load
// (RATE_LIMIT_ACTION_PER_MINUTE=100000000), so no row measures 429 answers: the non-2xx column
// shows it, and only the unknown-link row, whose answers are all 404, has any.
//
// One durable embedded PostgreSQL (the same launcher and settings as `barnum serve`: fsync on),
// migrated, with the server's least-privilege login; the companion server is the compiled CLI
// (`node build/server/cli.js serve`) in its own process, connected with DATABASE_URL, so its RSS is
// the HTTP server's alone. Everything runs on this one machine: wrk, Node and PostgreSQL share
// its cores.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const HERE = import.meta.dirname;
const ROOT = path.resolve(HERE, '../..');
const requireFromRoot = createRequire(path.join(ROOT, 'package.json'));
const pg = requireFromRoot('pg');
const { startEmbeddedPostgres } = requireFromRoot('./build/server/db/embedded-postgres.js');
const { migrate } = requireFromRoot('./build/core/db/migrate.js');
const { ensureAppLogin, withCredentials } = requireFromRoot('./build/server/db/app-login.js');
const { FormNonce } = requireFromRoot('./build/server/pages/nonce.js');

const { values: args } = parseArgs({
	options: {
		duration: { type: 'string', default: '15' },
		warmup: { type: 'string', default: '3' },
		connections: { type: 'string', default: '64' },
		threads: { type: 'string', default: '2' },
		'log-levels': { type: 'string', default: 'warn,info' },
		tokens: { type: 'string', default: '30000' },
		'read-links': { type: 'string', default: '10000' },
		phases: { type: 'string', default: 'hello,healthz,unknown,get,get-one,post,get-c4,post-c4' },
		'server-cli': { type: 'string', default: path.join(ROOT, 'build/server/cli.js') },
		'server-node-options': { type: 'string', default: '' },
		out: { type: 'string' },
	},
});
const opts = {
	duration: Number(args.duration),
	warmup: Number(args.warmup),
	connections: Number(args.connections),
	threads: Number(args.threads),
	logLevels: args['log-levels'].split(',').filter(Boolean),
	tokens: Number(args.tokens),
	readLinks: Number(args['read-links']),
	phases: new Set(args.phases.split(',').filter(Boolean)),
	serverCli: path.resolve(args['server-cli']),
	serverNodeOptions: args['server-node-options'],
};
const started = Date.now();
const log = (msg) => process.stderr.write(`[pages-bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'barnum-pages-bench-'));
const children = new Set();
let cluster;
let admin;

// ---------------------------------------------------------------------------------------------
// Processes: every child is remembered and stopped in `finally`, by its own pid.
function startChild(command, argv, options = {}) {
	const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
	children.add(child);
	child.once('exit', () => children.delete(child));
	return child;
}

async function stopChild(child, signal = 'SIGTERM') {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill(signal);
	const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
	await exited;
	clearTimeout(timer);
}

async function waitForHttp(url, child, timeoutMs = 30_000) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
		try {
			const res = await fetch(url);
			await res.arrayBuffer();
			if (res.ok) return;
		} catch {
			// not listening yet
		}
		await sleep(100);
	}
	throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

// ---------------------------------------------------------------------------------------------
// /proc accounting: RSS of the server, CPU time of the server, of PostgreSQL, and of the machine.
function procStatus(pid) {
	try {
		const text = readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
		// RssFile is mostly the node binary's own pages (shared with every node process); RssAnon
		// is this process's heap, stacks and buffers.
		return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
	} catch {
		return { rss: NaN, hwm: NaN, anon: NaN, file: NaN };
	}
}

function procCpuSeconds(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK };
	} catch {
		return undefined;
	}
}

/** CPU seconds of the postmaster and every process it forked (backends, walwriter, …), by pid. */
function postgresCpu() {
	const postmaster = Number(readFileSync(path.join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
	const byPid = new Map();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const pid = Number(entry);
		const info = procCpuSeconds(pid);
		if (info && (pid === postmaster || info.ppid === postmaster)) byPid.set(pid, info.cpu);
	}
	return byPid;
}

function machineCpu() {
	const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
	const idle = line[3] + line[4];
	const total = line.reduce((a, b) => a + b, 0);
	return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

/** Samples the server's RSS every 50 ms until stopped; returns the peak seen and one sample a second. */
function rssSampler(pid) {
	let peak = 0;
	let ticks = 0;
	const timeline = [];
	const timer = setInterval(() => {
		const { rss } = procStatus(pid);
		if (rss > peak) peak = rss;
		if (ticks++ % 20 === 0) timeline.push(Math.round(rss));
	}, 50);
	return () => {
		clearInterval(timer);
		const { rss } = procStatus(pid);
		return { peak: Math.max(peak, Number.isNaN(rss) ? 0 : rss), timeline };
	};
}

// ---------------------------------------------------------------------------------------------
// wrk: run, and read its --latency report.
function toMs(value, unit) {
	const n = Number(value);
	return unit === 'us' ? n / 1000 : unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : NaN;
}

function parseWrk(text) {
	const percent = (p) => {
		const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
		return m ? toMs(m[1], m[2]) : null;
	};
	const requests = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(text);
	const avg = /Latency\s+([\d.]+)(us|ms|s|m)/.exec(text);
	const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
	return {
		rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN),
		requests: requests ? Number(requests[1]) : NaN,
		seconds: requests ? toMs(requests[2], requests[3]) / 1000 : NaN,
		avgMs: avg ? toMs(avg[1], avg[2]) : null,
		p50: percent(50),
		p75: percent(75),
		p90: percent(90),
		p99: percent(99),
		non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
		socketErrors: errors ? errors.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0,
		wrapped: Number(/^wrapped: (\d+)/m.exec(text)?.[1] ?? 0),
	};
}

async function runWrk(url, { seconds, script, env = {}, connections = opts.connections }) {
	const timeFile = path.join(tmp, 'wrk-time');
	const argv = ['-f', '%U %S', '-o', timeFile, 'wrk', `-t${opts.threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '10s'];
	if (script) argv.push('-s', script);
	argv.push(url);
	const child = startChild('/usr/bin/time', argv, { env: { ...process.env, ...env, BENCH_THREADS: String(opts.threads) } });
	let out = '';
	let err = '';
	child.stdout.on('data', (d) => (out += d));
	child.stderr.on('data', (d) => (err += d));
	const code = await new Promise((resolve) => child.once('exit', resolve));
	if (code !== 0) throw new Error(`wrk exited with ${code}: ${err}${out}`);
	const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
	return { ...parseWrk(out), wrkCpu: user + sys, raw: out };
}

// ---------------------------------------------------------------------------------------------
// The database: one clinic, one appointment whose confirm page is read over and over, and one
// fresh appointment + confirm link (+ its page's nonce) per POST.
const NONCE_SECRET = randomBytes(24).toString('hex');
const nonces = new FormNonce(NONCE_SECRET);

async function seedClinic() {
	await admin.query("UPDATE barnum_settings SET business_name = 'Clínica Sorriso'");
	const specialty = (await admin.query("INSERT INTO specialties (name) VALUES ('Medicina Dentária') RETURNING id")).rows[0].id;
	const professional = (await admin.query("INSERT INTO professionals (name, specialty_id) VALUES ('Dr. Maria Santos', $1) RETURNING id", [specialty])).rows[0].id;
	const patient = (await admin.query("INSERT INTO patients (name, phone) VALUES ('João Silva', '+351912345678') RETURNING id")).rows[0].id;
	return { specialty, professional, patient };
}

/** `count` new appointments (tagged by notes) with one confirm link each; returns the links. */
async function createLinks(clinic, count, tag) {
	const { rows } = await admin.query(
		`WITH created AS (
		   INSERT INTO appointments (patient_id, professional_id, specialty_id, date, time, status, notes)
		   SELECT $1, $2, $3, current_date + 3 + (g % 60), time '08:00' + (g % 40) * interval '15 min', 'scheduled', $5
		     FROM generate_series(1, $4::int) g
		   RETURNING id, patient_id)
		 SELECT generate_action_token('confirm', id, patient_id) AS token FROM created`,
		[clinic.patient, clinic.professional, clinic.specialty, count, tag],
	);
	return rows.map((r) => r.token);
}

function writeTokenFile(tokens, name) {
	const file = path.join(tmp, `${name}.tokens`);
	writeFileSync(file, tokens.map((t) => `${t} ${nonces.issue(t, 'confirm')}`).join('\n') + '\n');
	return file;
}

// ---------------------------------------------------------------------------------------------
const results = { machine: {}, options: opts, phases: [] };

async function measure(name, { pid, url, script, env, warmupEnv, check, connections }) {
	if (opts.warmup > 0) await runWrk(url, { seconds: opts.warmup, script, env: warmupEnv ?? env, connections });
	await sleep(500);
	const stopSampler = pid ? rssSampler(pid) : undefined;
	const serverBefore = pid ? procCpuSeconds(pid)?.cpu : undefined;
	const pgBefore = postgresCpu();
	const machineBefore = machineCpu();
	const wrk = await runWrk(url, { seconds: opts.duration, script, env, connections });
	const machineAfter = machineCpu();
	const pgAfter = postgresCpu();
	const serverAfter = pid ? procCpuSeconds(pid)?.cpu : undefined;
	const rss = stopSampler?.();
	const peakRss = rss?.peak;
	let pgCpu = 0;
	for (const [p, cpu] of pgAfter) pgCpu += cpu - (pgBefore.get(p) ?? 0);
	const elapsed = wrk.seconds;
	const phase = {
		name,
		url: url.replace(/token=[^&]+/, 'token=…'),
		connections: connections ?? opts.connections,
		...wrk,
		raw: undefined,
		peakRssMb: peakRss,
		rssTimelineMb: rss?.timeline,
		cpu: {
			// Cores kept busy on average over the measured run (server, PostgreSQL, wrk); and the
			// whole machine's busy share (1 = every core busy), which includes anything else running.
			server: serverAfter !== undefined ? (serverAfter - serverBefore) / elapsed : null,
			postgres: pgCpu / elapsed,
			wrk: wrk.wrkCpu / elapsed,
			machineBusy: (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
		},
		loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
	};
	if (check) phase.check = await check(wrk);
	results.phases.push(phase);
	log(
		`${name}: ${wrk.rps.toFixed(0)} req/s, p50 ${wrk.p50?.toFixed(2)} ms, p99 ${wrk.p99?.toFixed(2)} ms` +
			(peakRss ? `, peak RSS ${peakRss.toFixed(1)} MB` : '') +
			(wrk.non2xx ? `, ${wrk.non2xx} non-2xx` : '') +
			(wrk.socketErrors ? `, ${wrk.socketErrors} socket errors` : '') +
			(wrk.wrapped ? `, token list wrapped ${wrk.wrapped}×` : '') +
			(phase.check ? `, ${JSON.stringify(phase.check)}` : ''),
	);
	return phase;
}

/** After a POST run: how many of its links' appointments are confirmed, against wrk's response count. */
function confirmedOf(tag) {
	return async (wrk) => {
		const { rows } = await admin.query(
			"SELECT count(*) FILTER (WHERE status = 'confirmed')::int AS confirmed, count(*)::int AS links FROM appointments WHERE notes = $1",
			[tag],
		);
		return { confirmed: rows[0].confirmed, links: rows[0].links, responses: wrk.requests };
	};
}

async function startHello() {
	const port = await freePort();
	const child = startChild(process.execPath, [path.join(HERE, 'hello.mjs'), String(port)], { env: { ...process.env, NODE_ENV: 'production' } });
	child.stdout.resume();
	child.stderr.on('data', (d) => process.stderr.write(d));
	await waitForHttp(`http://127.0.0.1:${port}/`, child);
	return { child, url: `http://127.0.0.1:${port}` };
}

async function startBarnum(appUrl, logLevel) {
	const port = await freePort();
	const logFile = path.join(tmp, `server-${logLevel}.log`);
	const fd = openSync(logFile, 'w');
	const child = startChild(process.execPath, [opts.serverCli, 'serve'], {
		stdio: ['ignore', fd, fd],
		env: {
			...process.env,
			NODE_ENV: 'production',
			DATABASE_URL: appUrl,
			HOST: '127.0.0.1',
			PORT: String(port),
			LOG_LEVEL: logLevel,
			RATE_LIMIT_ACTION_PER_MINUTE: '100000000',
			ACTION_NONCE_SECRET: NONCE_SECRET,
			PUSH_DISPATCHER: 'off',
			NODE_OPTIONS: opts.serverNodeOptions,
		},
	});
	closeSync(fd);
	await waitForHttp(`http://127.0.0.1:${port}/healthz`, child);
	return { child, url: `http://127.0.0.1:${port}`, logFile };
}

async function freePort() {
	const { freePort: find } = requireFromRoot('./build/server/db/embedded-postgres.js');
	return find();
}

function machineFacts(pgVersion) {
	const cpu = readFileSync('/proc/cpuinfo', 'utf8');
	const mem = /MemTotal:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))[1];
	return {
		cpu: /model name\s*:\s*(.+)/.exec(cpu)?.[1].trim(),
		cores: os.cpus().length,
		ramGb: Math.round((Number(mem) / 1024 / 1024) * 10) / 10,
		kernel: os.release(),
		node: process.version,
		postgres: pgVersion,
		wrk: spawnSync('wrk', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].trim(),
		date: new Date().toISOString(),
	};
}

// Ctrl-C / kill: stop what we started (server, hello, wrk, PostgreSQL), then exit.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => {
		if (interrupted) process.exit(130);
		interrupted = true;
		log(`${signal}: stopping everything this benchmark started`);
		cleanup().finally(() => process.exit(130));
	});
}

async function cleanup() {
	for (const child of [...children]) await stopChild(child);
	await admin?.end().catch(() => {});
	admin = undefined;
	await cluster?.stop();
	cluster = undefined;
	rmSync(tmp, { recursive: true, force: true });
}

try {
	log(`data in ${tmp}`);
	// As root, PostgreSQL runs as `postgres`, which must be able to pass through our folder.
	chmodSync(tmp, 0o711);
	cluster = { ...(await startEmbeddedPostgres({ baseDir: path.join(tmp, 'db'), port: 0 })), dataDir: path.join(tmp, 'db', 'postgres') };
	if (!existsSync(path.join(cluster.dataDir, 'postmaster.pid'))) throw new Error(`no postmaster.pid in ${cluster.dataDir}`);
	await migrate(cluster.adminUrl);
	await ensureAppLogin(cluster.adminUrl, { user: 'barnum_server', password: cluster.secrets.appPassword });
	const appUrl = withCredentials(cluster.adminUrl, 'barnum_server', cluster.secrets.appPassword);
	admin = new pg.Pool({ connectionString: cluster.adminUrl, max: 2, options: '-c search_path=barnum_clinic,barnum' });
	const pgVersion = (await admin.query('SHOW server_version')).rows[0].server_version;
	results.machine = machineFacts(pgVersion);
	log(JSON.stringify(results.machine));

	const clinic = await seedClinic();
	// The pages the GET rows read: one appointment and confirm link each, taken in turn (get.lua).
	log(`creating ${opts.readLinks} links for the GET runs`);
	const readTokens = await createLinks(clinic, opts.readLinks, 'bench-get');
	const readToken = readTokens[0];
	const readFile = writeTokenFile(readTokens, 'bench-get');
	const tokenFiles = {};
	const links = async (count, tag) => writeTokenFile(await createLinks(clinic, count, tag), tag);
	for (const level of opts.logLevels) {
		tokenFiles[level] = {};
		if (opts.phases.has('post')) {
			log(`creating ${opts.tokens} + ${Math.ceil(opts.tokens / 5)} links for the POST run at ${level}`);
			tokenFiles[level].warmup = await links(Math.ceil(opts.tokens / 5), `bench-post-warmup-${level}`);
			tokenFiles[level].measured = await links(opts.tokens, `bench-post-${level}`);
		}
		if (opts.phases.has('post-c4')) {
			// As many as the 64-connection run: 4 connections press about as fast on a quiet machine.
			log(`creating ${opts.tokens} + ${Math.ceil(opts.tokens / 5)} links for the 4-connection POST run at ${level}`);
			tokenFiles[level].warmupC4 = await links(Math.ceil(opts.tokens / 5), `bench-post-c4-warmup-${level}`);
			tokenFiles[level].measuredC4 = await links(opts.tokens, `bench-post-c4-${level}`);
		}
	}
	await admin.query('VACUUM ANALYZE');
	await admin.query('CHECKPOINT');

	const hello = await startHello();
	const postLua = path.join(HERE, 'post.lua');
	const getLua = path.join(HERE, 'get.lua');
	const readEnv = { BENCH_TOKENS: readFile };

	if (opts.phases.has('hello')) await measure('bare Express: GET / (hello)', { pid: hello.child.pid, url: `${hello.url}/` });

	for (const level of opts.logLevels) {
		const server = await startBarnum(appUrl, level);
		const pid = server.child.pid;
		// What the server process really runs with: `barnum serve` adds its default heap flags
		// (server/heap-flags.ts) unless NODE_OPTIONS has a heap size or BARNUM_HEAP_FLAGS=off.
		results.serverCommandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1).join(' ');
		log(`server command line: node ${results.serverCommandLine}`);
		const idle = procStatus(pid).rss;
		const page = `${server.url}/api/action?type=confirm&token=${encodeURIComponent(readToken)}`;
		const sample = await fetch(page);
		const html = await sample.text();
		if (sample.status !== 200 || !html.includes('<form method="post"')) throw new Error(`GET ${page} answered ${sample.status}`);

		// Two cheaper paths through the same process, to see where the time goes: the liveness
		// route (request log + metrics, no database) and an unknown link (the page middleware,
		// one small query, the invalid page). (HEAD /api/action cannot be measured with wrk: a
		// HEAD answer carries no Content-Length, so wrk waits for a body until the socket closes.)
		if (opts.phases.has('healthz')) await measure(`Barnum GET /healthz, LOG_LEVEL=${level}`, { pid, url: `${server.url}/healthz` });
		if (opts.phases.has('unknown')) {
			await measure(`Barnum GET /api/action, unknown link, LOG_LEVEL=${level}`, {
				pid,
				url: `${server.url}/api/action?type=confirm&token=${'A'.repeat(32)}`,
			});
		}
		if (opts.phases.has('get')) {
			await measure(`Barnum GET /api/action (confirm page, ${opts.readLinks} links in turn), LOG_LEVEL=${level}`, {
				pid,
				url: server.url,
				script: getLua,
				env: readEnv,
			});
		}
		// The same page over and over (the earlier published figure): hot rows, nothing else differs.
		if (opts.phases.has('get-one')) await measure(`Barnum GET /api/action (one confirm page, repeated), LOG_LEVEL=${level}`, { pid, url: page });
		if (opts.phases.has('post')) await measure(`Barnum POST /api/action (confirm), LOG_LEVEL=${level}`, {
			pid,
			url: server.url,
			script: postLua,
			env: { BENCH_TOKENS: tokenFiles[level].measured },
			warmupEnv: { BENCH_TOKENS: tokenFiles[level].warmup },
			check: confirmedOf(`bench-post-${level}`),
		});
		// The same two requests at low concurrency: a patient's wait when nothing queues.
		if (opts.phases.has('get-c4')) {
			await measure(`Barnum GET /api/action (confirm page, links in turn), 4 connections, LOG_LEVEL=${level}`, {
				pid,
				url: server.url,
				script: getLua,
				env: readEnv,
				connections: 4,
			});
		}
		if (opts.phases.has('post-c4')) {
			await measure(`Barnum POST /api/action (confirm), 4 connections, LOG_LEVEL=${level}`, {
				pid,
				url: server.url,
				script: postLua,
				connections: 4,
				env: { BENCH_TOKENS: tokenFiles[level].measuredC4 },
				warmupEnv: { BENCH_TOKENS: tokenFiles[level].warmupC4 },
				check: confirmedOf(`bench-post-c4-${level}`),
			});
		}
		const { hwm, anon: loadedAnon, file: loadedFile } = procStatus(pid);
		// After the load: what the process keeps, and how V8 sees its heap (prom-client's defaults).
		await sleep(5000);
		const settled = procStatus(pid).rss;
		const metrics = await (await fetch(`${server.url}/metrics`)).text();
		const gauge = (name) => Number(new RegExp(`^barnum_${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'm').exec(metrics)?.[1] ?? NaN) / 1024 / 1024;
		const heap = { heapTotalMb: gauge('nodejs_heap_size_total_bytes'), heapUsedMb: gauge('nodejs_heap_size_used_bytes'), externalMb: gauge('nodejs_external_memory_bytes') };
		// Where V8's heap is: new space (the young generation), old space, code, large objects.
		const spaces = {};
		for (const m of metrics.matchAll(/^barnum_nodejs_heap_space_size_total_bytes\{space="(\w+)"\} ([\d.e+]+)$/gm)) spaces[m[1]] = Math.round(Number(m[2]) / 1024 / 102.4) / 10;
		heap.spacesTotalMb = spaces;
		results.phases.push({
			name: `server process, LOG_LEVEL=${level}`,
			idleRssMb: idle,
			peakRssMbHwm: hwm,
			rssAnonMbAtEnd: loadedAnon,
			rssFileMbAtEnd: loadedFile,
			settledRssMb: settled,
			...heap,
			logBytes: readFileSync(server.logFile).length,
		});
		log(`server LOG_LEVEL=${level}: idle RSS ${idle.toFixed(1)} MB, VmHWM ${hwm.toFixed(1)} MB (at the end: anon ${loadedAnon.toFixed(1)} + file ${loadedFile.toFixed(1)} MB), 5 s after the load ${settled.toFixed(1)} MB, ${JSON.stringify(heap)}`);
		await stopChild(server.child);
	}

	if (opts.phases.has('hello')) await measure('bare Express: GET / (hello), again at the end', { pid: hello.child.pid, url: `${hello.url}/` });
	await stopChild(hello.child);

	const table = `server NODE_OPTIONS: ${opts.serverNodeOptions || '(none)'}; server command line: node ${results.serverCommandLine}; load average at the end: ${readFileSync('/proc/loadavg', 'utf8').trim()}\n\n${markdown(results)}`;
	process.stdout.write(`${table}\n`);
	if (args.out) writeFileSync(args.out, JSON.stringify(results, null, 2));
} finally {
	if (!interrupted) await cleanup();
}

/** CPU used by processes that are not part of the benchmark (CPU shares are of the whole machine). */
function other(p) {
	return Math.max(0, p.cpu.machineBusy * os.cpus().length - ((p.cpu.server ?? 0) + p.cpu.postgres + p.cpu.wrk));
}

function markdown(r) {
	const f = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d));
	const pct = (v) => (v === null || v === undefined ? '–' : `${Math.round(v * 100)} %`);
	const hello = r.phases.find((p) => p.name.startsWith('bare Express')) ?? { rps: NaN };
	const lines = [
		`| run | conns | req/s | vs hello | p50 ms | p90 ms | p99 ms | peak RSS MB | CPU ms/request: server + PostgreSQL | cores busy: server / PostgreSQL / wrk / other (of ${os.cpus().length}) | non-2xx |`,
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
	];
	for (const p of r.phases) {
		if (p.rps === undefined) continue;
		lines.push(
			`| ${p.name} | ${p.connections} | ${f(p.rps, 0)} | ${p.connections === hello.connections ? pct(p.rps / hello.rps) : '–'} | ${f(p.p50)} | ${f(p.p90)} | ${f(p.p99)} | ${f(p.peakRssMb, 1)} | ${f((p.cpu.server / p.rps) * 1000, 3)} + ${f((p.cpu.postgres / p.rps) * 1000, 3)} | ${f(p.cpu.server)} / ${f(p.cpu.postgres)} / ${f(p.cpu.wrk)} / ${f(other(p))} | ${p.non2xx} |`,
		);
	}
	for (const p of r.phases) {
		if (p.idleRssMb !== undefined) {
			lines.push(
				`\n${p.name}: RSS idle ${f(p.idleRssMb, 1)} MB, peak (VmHWM) ${f(p.peakRssMbHwm, 1)} MB ` +
					`(after the last run: anonymous ${f(p.rssAnonMbAtEnd, 1)} MB + file-backed ${f(p.rssFileMbAtEnd, 1)} MB), 5 s after the load ${f(p.settledRssMb, 1)} MB ` +
					`(V8 heap ${f(p.heapUsedMb, 1)} used of ${f(p.heapTotalMb, 1)} MB, of which new space ${f(p.spacesTotalMb?.new, 1)} MB and old space ${f(p.spacesTotalMb?.old, 1)} MB; ` +
					`external ${f(p.externalMb, 1)} MB); log ${(p.logBytes / 1e6).toFixed(1)} MB`,
			);
		}
		if (p.check) lines.push(`\n${p.name}: ${JSON.stringify(p.check)}`);
	}
	return lines.join('\n');
}
