// Shared helpers for the outbox benchmark (bench/outbox-bench.mjs and its per-system children).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { readFileSync, readdirSync } from 'node:fs';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(BENCH_DIR, '..');

/** require() relative to the Barnum package root: its compiled code and its own `pg`. */
export const requireFromRoot = createRequire(path.join(ROOT, 'package.json'));
/** Where bench/run-outbox.sh compiled the project (BENCH_DIST to use another build, e.g. dist). */
export const DIST = path.resolve(ROOT, process.env.BENCH_DIST ?? '.bench-dist');

export const now = () => performance.now();
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted, p) {
	if (sorted.length === 0) return null;
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarise(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const round = (v) => (v === null ? null : Math.round(v * 100) / 100);
	return {
		n: sorted.length,
		p50: round(percentile(sorted, 50)),
		p90: round(percentile(sorted, 90)),
		p99: round(percentile(sorted, 99)),
		max: round(sorted[sorted.length - 1] ?? null),
		min: round(sorted[0] ?? null),
		mean: round(sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1)),
	};
}

/**
 * The same wait for every system's latency samples: 5–10 ms between a sample being received and
 * the next one being committed, so samples measure latency, not queueing.
 */
export const gap = () => sleep(5 + Math.random() * 5);

/** A promise per latency sample, resolved with the handler's receive time. */
export class Samples {
	constructor(count) {
		this.received = new Array(count).fill(null);
		this.waiters = new Map();
		this.duplicates = 0;
	}
	receive(seq, at = now()) {
		if (typeof seq !== 'number' || seq < 0) return; // warm-up samples carry seq -1
		if (this.received[seq] !== null) {
			this.duplicates += 1;
			return;
		}
		this.received[seq] = at;
		this.waiters.get(seq)?.(at);
		this.waiters.delete(seq);
	}
	wait(seq, timeoutMs) {
		if (this.received[seq] !== null) return Promise.resolve(this.received[seq]);
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.waiters.delete(seq);
				reject(new Error(`sample ${seq} not received within ${timeoutMs} ms`));
			}, timeoutMs);
			this.waiters.set(seq, (at) => {
				clearTimeout(timer);
				resolve(at);
			});
		});
	}
}

/**
 * Runs `samples` closed-loop latency samples: `send(seq)` commits one job/event in its own
 * transaction (autocommit), then we wait for the consumer's handler to see it, then pause 5–10 ms.
 * Returns latencies measured from just before the INSERT is issued ("send") and from just after
 * its COMMIT has returned to the producer ("commit").
 */
export async function closedLoopLatency({ samples, warmup, send, tracker, timeoutMs = 10_000 }) {
	for (let i = 0; i < warmup; i++) {
		await send(-1 - i);
		await sleep(20);
	}
	const fromSend = [];
	const fromCommit = [];
	for (let seq = 0; seq < samples; seq++) {
		const t0 = now();
		await send(seq);
		const tCommit = now();
		const t1 = await tracker.wait(seq, timeoutMs);
		fromSend.push(t1 - t0);
		fromCommit.push(t1 - tCommit);
		await gap();
	}
	return { fromSend: summarise(fromSend), fromCommit: summarise(fromCommit), duplicates: tracker.duplicates };
}

/** Waits until `count()` returns 0, checking every `everyMs`; returns the time it first did. */
export async function waitUntilZero(count, everyMs = 10, timeoutMs = 120_000) {
	const deadline = now() + timeoutMs;
	for (;;) {
		const n = await count();
		const at = now();
		if (n === 0) return at;
		if (at > deadline) throw new Error(`still ${n} left after ${timeoutMs} ms`);
		await sleep(everyMs);
	}
}

/** VACUUM ANALYZE the whole (fresh, per-measurement) database and CHECKPOINT, identically for every system. */
export async function settle(client) {
	await client.query('VACUUM ANALYZE');
	await client.query('CHECKPOINT');
}

/**
 * CPU time (ms) used so far by a local PostgreSQL server: the postmaster, its live children, and
 * the children it has already reaped (cutime/cstime), so backends that exit are still counted.
 * Null when the server is not a local process we can read in /proc.
 */
export function serverCpuMs(postmasterPid, clockTicks = 100) {
	if (!postmasterPid) return null;
	try {
		const fields = (pid) => {
			const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
			// Fields after the command name, which is in parentheses and may contain spaces.
			return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		};
		// After the name: [0] state, [1] ppid, ... [11] utime, [12] stime, [13] cutime, [14] cstime.
		const own = fields(postmasterPid);
		let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
		for (const entry of readdirSync('/proc')) {
			if (!/^\d+$/.test(entry)) continue;
			try {
				const f = fields(entry);
				if (Number(f[1]) === postmasterPid) ticks += Number(f[11]) + Number(f[12]);
			} catch {
				// The process ended between readdir and read: its time is now in the postmaster's cutime.
			}
		}
		return (ticks * 1000) / clockTicks;
	} catch {
		return null;
	}
}

/** This process's CPU time (ms), user + system. */
export const clientCpuMs = () => {
	const { user, system } = process.cpuUsage();
	return (user + system) / 1000;
};

/** Starts a CPU meter for the server and this client; stop() returns ms used per unit of work. */
export function cpuMeter({ postmasterPid, clockTicks }) {
	const s0 = serverCpuMs(postmasterPid, clockTicks);
	const c0 = clientCpuMs();
	return {
		stop(units) {
			const s1 = serverCpuMs(postmasterPid, clockTicks);
			const c1 = clientCpuMs();
			const round = (v) => Math.round(v * 1000) / 1000;
			return {
				serverMsPerEvent: s0 === null || s1 === null ? null : round((s1 - s0) / units),
				clientMsPerEvent: round((c1 - c0) / units),
			};
		},
	};
}
