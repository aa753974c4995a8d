// pg-boss. Batched: work() with batchSize and burstWhenBatchFull (fetch continuously while batches
// come back full). One job per transaction: fetch({ batchSize: 1 }) + complete(id) loops, because
// work() with batchSize 1 sleeps its polling interval (at least 0.5 s) between fetches and
// burstWhenBatchFull is ignored at batchSize 1 (see node_modules/pg-boss/dist/worker.js, manager.js).
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { now, sleep, settle, waitUntilZero, closedLoopLatency, cpuMeter, summarise, Samples } from './common.mjs';

export const name = 'pg-boss';
const QUEUE = 'bench';

async function start(url, { concurrency, listen = false }) {
	const boss = new PgBoss({
		connectionString: url,
		max: Math.max(10, concurrency + 2),
		application_name: 'bench-pgboss',
		schedule: false, // no cron in this benchmark
		useListenNotify: listen,
	});
	boss.on('error', (error) => process.stderr.write(`pg-boss: ${error.message}\n`));
	await boss.start();
	await boss.createQueue(QUEUE, { notify: listen });
	return boss;
}

async function adminClient(url) {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	return client;
}

const remaining = (admin) => async () =>
	(
		await admin.query(
			`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active')`,
			[QUEUE],
		)
	).rows[0].n;

export async function throughput(url, options) {
	const { events, concurrency, batch, pgbossSingle = 'fetch' } = options;
	const boss = await start(url, { concurrency });
	// Bulk pre-load with insert() (one multi-row INSERT per call), 10,000 jobs a call.
	for (let from = 0; from < events; from += 10_000) {
		const size = Math.min(10_000, events - from);
		await boss.insert(QUEUE, Array.from({ length: size }, (_, i) => ({ data: { seq: from + i } })));
	}
	const admin = await adminClient(url);
	await settle(admin);

	let handled = 0;
	let t0;
	let t1;
	let config;
	const meter = cpuMeter(options);
	if (batch === 1 && pgbossSingle === 'fetch') {
		config = `${concurrency} loops of fetch(batchSize 1) + complete(id)`;
		const worker = async () => {
			for (;;) {
				const jobs = await boss.fetch(QUEUE, { batchSize: 1 });
				if (!jobs || jobs.length === 0) return;
				await boss.complete(QUEUE, jobs[0].id);
				handled += 1;
			}
		};
		t0 = now();
		await Promise.all(Array.from({ length: concurrency }, worker));
		t1 = now();
	} else {
		// work(): the handler gets an array; pg-boss completes the batch after it resolves.
		const options =
			batch === 1
				? { batchSize: 1, localConcurrency: concurrency, pollingIntervalSeconds: 0.5 }
				: { batchSize: batch, localConcurrency: concurrency, pollingIntervalSeconds: 0.5, burstWhenBatchFull: true };
		config = `work(${JSON.stringify(options)})`;
		let allHandled;
		const done = new Promise((resolve) => (allHandled = resolve));
		t0 = now();
		await boss.work(QUEUE, options, async (jobs) => {
			handled += jobs.length;
			if (handled >= events) allHandled();
		});
		await done;
		t1 = await waitUntilZero(remaining(admin), 5);
	}
	const cpu = meter.stop(events);
	const left = await remaining(admin)();
	const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'`, [QUEUE]);
	await boss.stop({ graceful: false, close: true, timeout: 5_000 });
	await admin.end();
	return {
		seconds: (t1 - t0) / 1000,
		handled,
		cpu,
		check: { completed: rows[0].n, left },
		ok: rows[0].n === events && left === 0,
		config,
	};
}

/** With LISTEN/NOTIFY (useListenNotify + queue notify): closed loop like the others. */
export async function latency(url, { samples, warmup, concurrency }) {
	const boss = await start(url, { concurrency, listen: true });
	const admin = await adminClient(url);
	await settle(admin);
	const tracker = new Samples(samples);
	const options = { batchSize: 1, localConcurrency: concurrency, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 30 };
	await boss.work(QUEUE, options, async (jobs) => {
		const at = now();
		for (const job of jobs) tracker.receive(job.data.seq, at);
	});
	await sleep(500);
	// A second instance sends, as a producer process would (send() is one INSERT, NOTIFY included).
	const producer = new PgBoss({ connectionString: url, max: 2, supervise: false, schedule: false, migrate: false });
	producer.on('error', (error) => process.stderr.write(`pg-boss producer: ${error.message}\n`));
	await producer.start();
	const result = await closedLoopLatency({ samples, warmup, tracker, send: (seq) => producer.send(QUEUE, { seq }) });
	await producer.stop({ graceful: false, close: true, timeout: 5_000 });
	await boss.stop({ graceful: false, close: true, timeout: 5_000 });
	await admin.end();
	return { ...result, config: `useListenNotify, queue notify: true, work(${JSON.stringify(options)})` };
}

/**
 * Polling only (no LISTEN): one worker at the minimum pollingIntervalSeconds (0.5). Closed-loop
 * samples would wait ~250 ms each, so these are open-loop: one job every 5–10 ms, and the worker's
 * batchSize (100) exceeds what arrives between two polls, so no sample waits behind another.
 */
export async function latencyPolling(url, { samples, warmup }) {
	const boss = await start(url, { concurrency: 1, listen: false });
	const admin = await adminClient(url);
	await settle(admin);
	const tracker = new Samples(samples);
	const options = { batchSize: 100, localConcurrency: 1, pollingIntervalSeconds: 0.5 };
	await boss.work(QUEUE, options, async (jobs) => {
		const at = now();
		for (const job of jobs) tracker.receive(job.data.seq, at);
	});
	const producer = new PgBoss({ connectionString: url, max: 2, supervise: false, schedule: false, migrate: false });
	await producer.start();
	for (let i = 0; i < warmup; i++) await producer.send(QUEUE, { seq: -1 - i });
	const fromSend = new Array(samples);
	const fromCommit = new Array(samples);
	const sent = [];
	for (let seq = 0; seq < samples; seq++) {
		const t0 = now();
		await producer.send(QUEUE, { seq });
		const tCommit = now();
		sent.push(
			tracker.wait(seq, 10_000).then((t1) => {
				fromSend[seq] = t1 - t0;
				fromCommit[seq] = t1 - tCommit;
			}),
		);
		await sleep(5 + Math.random() * 5);
	}
	await Promise.all(sent);
	await producer.stop({ graceful: false, close: true, timeout: 5_000 });
	await boss.stop({ graceful: false, close: true, timeout: 5_000 });
	await admin.end();
	return {
		fromSend: summarise(fromSend),
		fromCommit: summarise(fromCommit),
		duplicates: tracker.duplicates,
		config: `polling only, work(${JSON.stringify(options)}), open-loop samples every 5–10 ms`,
	};
}
