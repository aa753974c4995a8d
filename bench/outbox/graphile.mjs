// graphile-worker, run the way its documentation describes: run() with a task list, concurrency,
// and for the batched mode its documented batching options (localQueue + batched completion).
import pg from 'pg';
import { run, runMigrations, Logger } from 'graphile-worker';
import { now, sleep, settle, waitUntilZero, closedLoopLatency, cpuMeter, Samples } from './common.mjs';

export const name = 'graphile-worker';

const logger = new Logger(() => (level, message) => {
	if (level === 'error') process.stderr.write(`graphile-worker: ${message}\n`);
});

async function prepare(url) {
	await runMigrations({ connectionString: url, logger });
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	return client;
}

export function batchPreset(batch) {
	// https://worker.graphile.org/docs/performance (their benchmark configuration, "Batching").
	return { worker: { localQueue: { size: batch }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } };
}

export async function throughput(url, options) {
	const { events, concurrency, batch } = options;
	const admin = await prepare(url);
	// Bulk pre-load through graphile-worker's own add_jobs (what WorkerUtils.addJobs calls).
	await admin.query(
		`SELECT count(*) FROM graphile_worker.add_jobs(
		   array(SELECT json_populate_record(null::graphile_worker.job_spec,
		                  json_build_object('identifier', 'noop', 'payload', json_build_object('seq', g)))
		           FROM generate_series(1, $1) g),
		   false)`,
		[events],
	);
	await settle(admin);

	let handled = 0;
	let allHandled;
	const done = new Promise((resolve) => (allHandled = resolve));
	const meter = cpuMeter(options);
	const t0 = now();
	const runner = await run({
		connectionString: url,
		concurrency,
		// Their recommendation: 10 or concurrency + 2, whichever is larger.
		maxPoolSize: Math.max(10, concurrency + 2),
		noHandleSignals: true,
		logger,
		taskList: {
			noop: async () => {
				if (++handled === events) allHandled();
			},
		},
		...(batch > 1 ? { preset: batchPreset(batch) } : {}),
	});
	await done;
	// Completion is a separate statement after the task returns (batched in batch mode): the run
	// ends when the last job is gone from the table.
	const t1 = await waitUntilZero(async () => (await admin.query('SELECT count(*)::int AS n FROM graphile_worker._private_jobs')).rows[0].n, 5);
	const cpu = meter.stop(events);
	await runner.stop();
	const { rows } = await admin.query('SELECT count(*)::int AS left FROM graphile_worker._private_jobs');
	await admin.end();
	return { seconds: (t1 - t0) / 1000, handled, cpu, check: rows[0], ok: handled === events && rows[0].left === 0 };
}

export async function latency(url, { samples, warmup, concurrency }) {
	const admin = await prepare(url);
	await settle(admin);
	const tracker = new Samples(samples);
	const runner = await run({
		connectionString: url,
		concurrency,
		maxPoolSize: Math.max(10, concurrency + 2),
		noHandleSignals: true,
		logger,
		taskList: {
			noop: async (payload) => {
				tracker.receive(payload.seq);
			},
		},
	});
	await sleep(300);
	const producer = new pg.Client({ connectionString: url, application_name: 'bench-producer' });
	await producer.connect();
	const result = await closedLoopLatency({
		samples,
		warmup,
		tracker,
		// One job, one autocommit transaction; add_job NOTIFYs jobs:insert.
		send: (seq) => producer.query(`SELECT graphile_worker.add_job('noop', json_build_object('seq', $1::int))`, [seq]),
	});
	await runner.stop();
	await producer.end();
	await admin.end();
	return { ...result, config: `run(), concurrency ${concurrency}, defaults (LISTEN jobs:insert, pollInterval 2000 ms)` };
}
