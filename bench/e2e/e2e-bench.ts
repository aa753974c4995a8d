/**
 * End-to-end throughput (docs/performance.md): events per second from the outbox INSERT to the
 * end of the workflow that sends the WhatsApp template and settles the event, through one real
 * n8n 2.40.7, for
 *   (a) the seed's design: one signed HTTP push per event (Barnum's push dispatcher, the seed's
 *       /api/internal done right) into a Barnum Webhook Trigger workflow: one execution per event;
 *   (b) Barnum's Outbox Trigger in batch mode: one execution per claimed batch.
 * Both workflows use the bundled pre-confirmation Send node (template to the sandbox, event acked
 * with the wamid in the same step). Everything runs on loopback; everything started is stopped.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type pg from 'pg';
import { startStack, type Stack } from '../../test/e2e/stack/stack';
import { PushDispatcher } from '../../server/dispatcher/dispatcher';
import { freePort } from '../../server/db/embedded-postgres';
import { loadAverage, machineCpu, treeCpuSeconds } from './proc';
import { PUSH_SECRET_CREDENTIAL, PUSH_WEBHOOK_ID, batchWorkflow, pushWorkflow } from './workflows';

const HELP = `bash bench/e2e/run.sh [options]   (npm run bench:e2e -- [options])

  --events-a N         events in (a)'s throughput phase            (default 1000)
  --events-b N         events in (b)'s throughput phase            (default 30000)
  --insert-rate-a R    producer rate for (a)'s throughput phase, events/s (default 200)
  --insert-rate-b R    producer rate for (b)'s throughput phase, events/s (default 5000)
  --paced-seconds S    length of each paced (latency) phase, 0 to skip (default 30)
  --paced-fraction F   paced rate as a fraction of the design's measured throughput (default 0.5)
  --batch-size N       the Outbox Trigger's batch size in (b)        (default 500)
  --parallel-batches N the Outbox Trigger's Parallel Batches in (b)  (default 2)
  --push-batch N       the push dispatcher's PUSH_BATCH_SIZE in (a)  (default 50, the seed's)
  --push-dispatchers N push dispatchers in (a), each pushing one event at a time, as several
                       companion-server instances would: N pushes in flight (default 4)
  --save-data V        n8n saveDataSuccessExecution for both workflows: none | all (default none)
  --designs LIST       a,b or one of them                          (default a,b)
  --send V             the Send node in both workflows: event (default: "The Event's Barnum Template", no
                       expressions) | bundled (the bundled workflow's node, eleven expressions a message)
                       | static (analysis: the bundled node with constants but To and the event id)
  --n8n-env KEY=VALUE  extra n8n environment, repeatable (docs/performance.md publishes a run with none
                       and one with N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true)
  --queue-workers N    n8n in queue mode (Redis, n8n's data in PostgreSQL, one main instance) with N
                       workers; 0 = regular mode, as published first (default 0)
  --out FILE           write every figure as JSON
`;

const say = (message: string) => process.stderr.write(`[bench:e2e ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PUSH_SECRET = `whsec_${Buffer.from('bench-e2e-push-signing-secret-32b').toString('base64')}`;
const PATIENTS = 1000;

interface Options {
	eventsA: number;
	eventsB: number;
	insertRateA: number;
	insertRateB: number;
	pacedSeconds: number;
	pacedFraction: number;
	batchSize: number;
	parallelBatches: number;
	pushBatch: number;
	pushDispatchers: number;
	saveData: 'none' | 'all';
	designs: Array<'a' | 'b'>;
	n8nEnv: Record<string, string>;
	send: 'event' | 'bundled' | 'static';
	queueWorkers: number;
	out?: string;
}

function options(argv: string[]): Options | undefined {
	const { values } = parseArgs({
		args: argv,
		options: {
			'events-a': { type: 'string', default: '1000' },
			'events-b': { type: 'string', default: '30000' },
			'insert-rate-a': { type: 'string', default: '200' },
			'insert-rate-b': { type: 'string', default: '5000' },
			'paced-seconds': { type: 'string', default: '30' },
			'paced-fraction': { type: 'string', default: '0.5' },
			'batch-size': { type: 'string', default: '500' },
			'parallel-batches': { type: 'string', default: '2' },
			'push-batch': { type: 'string', default: '50' },
			'push-dispatchers': { type: 'string', default: '4' },
			'save-data': { type: 'string', default: 'none' },
			designs: { type: 'string', default: 'a,b' },
			'n8n-env': { type: 'string', multiple: true, default: [] },
			send: { type: 'string', default: 'event' },
			'queue-workers': { type: 'string', default: '0' },
			out: { type: 'string' },
			help: { type: 'boolean', default: false },
		},
	});
	if (values.help) {
		process.stdout.write(HELP);
		return undefined;
	}
	const saveData = values['save-data'];
	if (saveData !== 'none' && saveData !== 'all') throw new Error('--save-data must be none or all');
	return {
		eventsA: Number(values['events-a']),
		eventsB: Number(values['events-b']),
		insertRateA: Number(values['insert-rate-a']),
		insertRateB: Number(values['insert-rate-b']),
		pacedSeconds: Number(values['paced-seconds']),
		pacedFraction: Number(values['paced-fraction']),
		batchSize: Number(values['batch-size']),
		parallelBatches: Number(values['parallel-batches']),
		pushBatch: Number(values['push-batch']),
		pushDispatchers: Number(values['push-dispatchers']),
		saveData,
		designs: values.designs.split(',').filter((d): d is 'a' | 'b' => d === 'a' || d === 'b'),
		send: values.send === 'static' || values.send === 'bundled' ? values.send : 'event',
		n8nEnv: Object.fromEntries(values['n8n-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
		queueWorkers: Number(values['queue-workers']),
		out: values.out,
	};
}

// ---------------------------------------------------------------------------------------------
// Statistics

function percentile(sorted: number[], p: number): number | null {
	if (sorted.length === 0) return null;
	return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

export interface Distribution {
	n: number;
	p50: number | null;
	p90: number | null;
	p99: number | null;
	max: number | null;
}

function distribution(values: number[]): Distribution {
	const sorted = [...values].sort((a, b) => a - b);
	const r = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
	return { n: sorted.length, p50: r(percentile(sorted, 50)), p90: r(percentile(sorted, 90)), p99: r(percentile(sorted, 99)), max: r(sorted.at(-1) ?? null) };
}

// ---------------------------------------------------------------------------------------------
// The clinic the events are about, and the producer

/** Patients with distinct phones, each with an appointment 30 days ahead; their own events are set aside. */
async function seedClinic(db: pg.Pool): Promise<string[]> {
	const specialty = await db.query<{ id: string }>("INSERT INTO barnum_clinic.specialties (name) VALUES ('Medicina Dentária') RETURNING id");
	const professional = await db.query<{ id: string }>("INSERT INTO barnum_clinic.professionals (name, specialty_id) VALUES ('Dr.ª Maria Santos', $1) RETURNING id", [
		specialty.rows[0].id,
	]);
	const appointments = await db.query<{ id: string }>(
		`WITH p AS (
		   INSERT INTO barnum_clinic.patients (name, phone, locale)
		   SELECT 'Paciente ' || g, '+3519' || lpad(g::text, 8, '0'), CASE WHEN g % 4 = 0 THEN 'en' ELSE 'pt-PT' END
		     FROM generate_series(1, $1::int) g
		   RETURNING id)
		 INSERT INTO barnum_clinic.appointments (patient_id, professional_id, specialty_id, date, time)
		 SELECT p.id, $2, $3, current_date + 30, '10:30' FROM p
		 RETURNING id`,
		[PATIENTS, professional.rows[0].id, specialty.rows[0].id],
	);
	// Booking them queued their own pre-confirmations and reminders: not part of any phase.
	await db.query("UPDATE barnum.whatsapp_events SET status = 'cancelled', status_reason = 'bench setup' WHERE status = 'pending'");
	return appointments.rows.map((r) => r.id);
}

/**
 * Inserts `count` appointment.pre_confirmed events at `rate` per second, in small autocommit
 * INSERTs (what a clinic's software and the seed's triggers do), tagged with the phase. The
 * event's `created_at` (now() of its INSERT's transaction) is the start of its latency.
 */
async function produce(db: pg.Pool, phase: string, count: number, rate: number, appointments: string[]): Promise<void> {
	const started = performance.now();
	let inserted = 0;
	while (inserted < count) {
		const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
		const n = Math.min(due - inserted, 500);
		if (n <= 0) {
			await sleep(Math.max(1, ((inserted + 1) / rate) * 1000 - (performance.now() - started)));
			continue;
		}
		const ids = Array.from({ length: n }, (_, i) => appointments[(inserted + i) % appointments.length]);
		await db.query(
			`INSERT INTO barnum.whatsapp_events (event_type, entity_type, entity_id, payload)
			 SELECT 'appointment.pre_confirmed', 'appointment', a, jsonb_build_object('bench', $2::text)
			   FROM unnest($1::uuid[]) a`,
			[ids, phase],
		);
		inserted += n;
	}
}

// ---------------------------------------------------------------------------------------------
// One phase: produce, wait for every workflow to finish, then read what happened

interface PhaseResult {
	phase: string;
	events: number;
	insertRate: number;
	/** From the first INSERT to the last event settled by its workflow. */
	seconds: number;
	eventsPerSecond: number;
	/** insert (created_at) → the sandbox accepting the WhatsApp request. */
	insertToWhatsApp: Distribution;
	/** insert → the workflow recording the wamid (the event settled). */
	insertToSettled: Distribution;
	executions: { success: number; error: number };
	eventsPerExecution: number;
	sent: number;
	/** Sandbox requests beyond one per event (at-least-once duplicates). */
	duplicates: number;
	missing: number;
	cpuSeconds: { n8n: number; postgres: number; bench: number; machineBusy: number };
	loadAverage: { before: string; after: string };
}

interface Context {
	stack: Stack;
	appointments: string[];
	workflows: { push: string; batch: string };
	postgresPid?: number;
}

/** CPU seconds of n8n: its main instance and, in queue mode, its workers (each with its task runner). */
function n8nCpuSeconds(ctx: Context): number {
	return [ctx.stack.n8n, ...ctx.stack.local.workers].reduce((sum, instance) => sum + treeCpuSeconds(instance.pid()), 0);
}

/** n8n's own count of finished production executions of a workflow (kept even when their data is not). */
async function executionCounts(ctx: Context, workflowId: string): Promise<{ success: number; error: number }> {
	const counts = await ctx.stack.n8n.rest.request<{ productionSuccess: number; productionError: number }>('GET', `/workflow-stats/${workflowId}/counts`);
	return { success: counts.productionSuccess, error: counts.productionError };
}

interface Row {
	id: string;
	created_ms: number;
	status: string;
	wamid: string | null;
	recorded_ms: number | null;
}

async function phaseRows(db: pg.Pool, phase: string): Promise<Row[]> {
	const { rows } = await db.query<Row>(
		`SELECT e.id, extract(epoch FROM e.created_at) * 1000 AS created_ms, e.status, m.wamid,
		        extract(epoch FROM m.created_at) * 1000 AS recorded_ms
		   FROM barnum.whatsapp_events e LEFT JOIN barnum.whatsapp_messages m ON m.event_id = e.id
		  WHERE e.payload ->> 'bench' = $1`,
		[phase],
	);
	return rows.map((r) => ({ ...r, created_ms: Number(r.created_ms), recorded_ms: r.recorded_ms === null ? null : Number(r.recorded_ms) }));
}

async function runPhase(ctx: Context, design: 'a' | 'b', phase: string, count: number, rate: number): Promise<PhaseResult> {
	const { stack } = ctx;
	const workflowId = design === 'a' ? ctx.workflows.push : ctx.workflows.batch;
	stack.sandbox.controls.reset();
	const before = {
		executions: await executionCounts(ctx, workflowId),
		n8n: n8nCpuSeconds(ctx),
		postgres: treeCpuSeconds(ctx.postgresPid),
		bench: process.cpuUsage(),
		machine: machineCpu(),
		load: loadAverage(),
	};
	say(`${phase}: ${count} events at ${rate}/s`);
	const producing = produce(stack.db, phase, count, rate, ctx.appointments);
	// Done when the sandbox has a request for every event and every event is settled with its wamid.
	const deadline = Date.now() + (count / 5) * 1000 + 180_000;
	let rows: Row[] = [];
	for (let lastReport = Date.now(); ; ) {
		await sleep(250);
		if (stack.sandbox.state.outbound.size >= count) {
			await producing;
			rows = await phaseRows(stack.db, phase);
			if (rows.length >= count && rows.every((r) => r.status === 'sent' && r.wamid)) break;
		}
		if (Date.now() > deadline) {
			await producing;
			rows = await phaseRows(stack.db, phase);
			say(`${phase}: timed out with ${stack.sandbox.state.outbound.size} of ${count} messages sent`);
			break;
		}
		if (Date.now() - lastReport > 10_000) {
			lastReport = Date.now();
			say(`${phase}: ${stack.sandbox.state.outbound.size} of ${count} messages sent`);
		}
	}
	// Executions finish a moment after their last database write; n8n counts them after that.
	let executions = await executionCounts(ctx, workflowId);
	for (let i = 0; i < 20; i++) {
		await sleep(250);
		const next = await executionCounts(ctx, workflowId);
		if (next.success === executions.success && next.error === executions.error && i >= 3) break;
		executions = next;
	}
	const bench = process.cpuUsage(before.bench);
	const machine = machineCpu();

	const accepted = new Map<string, number>();
	for (const message of stack.sandbox.state.outbound.values()) accepted.set(message.wamid, message.acceptedAt);
	const settled = rows.filter((r) => r.wamid && r.recorded_ms !== null);
	const start = Math.min(...rows.map((r) => r.created_ms));
	const end = Math.max(...settled.map((r) => r.recorded_ms!));
	const seconds = (end - start) / 1000;
	const distinctEvents = new Set(settled.map((r) => r.id)).size;
	const executed = { success: executions.success - before.executions.success, error: executions.error - before.executions.error };
	return {
		phase,
		events: count,
		insertRate: rate,
		seconds: Math.round(seconds * 100) / 100,
		eventsPerSecond: Math.round((distinctEvents / seconds) * 10) / 10,
		insertToWhatsApp: distribution(settled.filter((r) => accepted.has(r.wamid!)).map((r) => accepted.get(r.wamid!)! - r.created_ms)),
		insertToSettled: distribution(settled.map((r) => r.recorded_ms! - r.created_ms)),
		executions: executed,
		eventsPerExecution: executed.success > 0 ? Math.round((distinctEvents / executed.success) * 10) / 10 : 0,
		sent: distinctEvents,
		duplicates: stack.sandbox.state.outbound.size - distinctEvents,
		missing: count - distinctEvents,
		cpuSeconds: {
			n8n: Math.round((n8nCpuSeconds(ctx) - before.n8n) * 10) / 10,
			postgres: Math.round((treeCpuSeconds(ctx.postgresPid) - before.postgres) * 10) / 10,
			bench: Math.round(((bench.user + bench.system) / 1e6) * 10) / 10,
			machineBusy: Math.round((machine.busy - before.machine.busy) * 10) / 10,
		},
		loadAverage: { before: before.load, after: loadAverage() },
	};
}

/** A short run before each design's measurements: n8n compiles and loads lazily on first use. */
async function warmUp(ctx: Context, design: 'a' | 'b', count: number, rate: number): Promise<void> {
	const result = await runPhase(ctx, design, `${design}-warmup`, count, rate);
	say(`${design}-warmup: ${result.sent}/${count} in ${result.seconds} s`);
}

async function runDesign(ctx: Context, design: 'a' | 'b', opts: Options): Promise<PhaseResult[]> {
	const results: PhaseResult[] = [];
	const [events, rate] = design === 'a' ? [opts.eventsA, opts.insertRateA] : [opts.eventsB, opts.insertRateB];
	await warmUp(ctx, design, design === 'a' ? 50 : 2000, design === 'a' ? 50 : 2000);
	const throughput = await runPhase(ctx, design, `${design}-throughput`, events, rate);
	say(`${design}-throughput: ${throughput.eventsPerSecond} events/s, p99 insert→WhatsApp ${throughput.insertToWhatsApp.p99} ms`);
	results.push(throughput);
	if (opts.pacedSeconds > 0) {
		const pacedRate = Math.max(1, Math.round(throughput.eventsPerSecond * opts.pacedFraction));
		const paced = await runPhase(ctx, design, `${design}-paced`, Math.round(pacedRate * opts.pacedSeconds), pacedRate);
		say(`${design}-paced: ${paced.eventsPerSecond} events/s, p99 insert→WhatsApp ${paced.insertToWhatsApp.p99} ms`);
		results.push(paced);
	}
	return results;
}

// ---------------------------------------------------------------------------------------------
// n8n set-up, through its REST API while it runs: the bundled workflows are deactivated (their
// Outbox Triggers would compete for the events), the benchmark's two workflows created, and only
// the one of the design being measured is active.

async function createBenchWorkflows(ctx: Context, opts: Options): Promise<{ push: string; batch: string }> {
	const rest = ctx.stack.n8n.rest;
	for (const id of Object.values(ctx.stack.workflows)) await rest.request('POST', `/workflows/${id}/deactivate`, {});
	const credential = await rest.request<{ id: string }>('POST', '/credentials', {
		name: PUSH_SECRET_CREDENTIAL.name,
		type: 'barnumWebhookSecretApi',
		data: { secrets: PUSH_SECRET, verifyToken: '' },
	});
	const create = async (workflow: ReturnType<typeof pushWorkflow>) => {
		// n8n gives a workflow created through its API an id of its own.
		const body: Partial<typeof workflow> = { ...workflow };
		delete body.id;
		const created = await rest.request<{ id: string }>('POST', '/workflows', body);
		return created.id;
	};
	const push = pushWorkflow({ saveDataSuccessExecution: opts.saveData, send: opts.send });
	for (const node of push.nodes) {
		const credentials = node.credentials as Record<string, { id: string; name: string }> | undefined;
		if (credentials?.barnumWebhookSecretApi) credentials.barnumWebhookSecretApi = { id: credential.id, name: PUSH_SECRET_CREDENTIAL.name };
	}
	return {
		push: await create(push),
		batch: await create(batchWorkflow({ saveDataSuccessExecution: opts.saveData, send: opts.send, batchSize: opts.batchSize, parallelBatches: opts.parallelBatches })),
	};
}

async function activate(ctx: Context, id: string): Promise<void> {
	await ctx.stack.n8n.rest.activate(id);
}

async function deactivate(ctx: Context, id: string): Promise<void> {
	await ctx.stack.n8n.rest.request('POST', `/workflows/${id}/deactivate`, {});
}

// ---------------------------------------------------------------------------------------------

function markdown(results: PhaseResult[]): string {
	const lines = [
		'| phase | events sent | insert rate /s | seconds | **events/s** | n8n executions (ok/error) | events per execution | insert→WhatsApp p50 / p99 / max ms | CPU ms per event: n8n / PostgreSQL / bench | our share of the busy machine | load average before → after |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
	];
	const ms = (seconds: number, n: number) => (n > 0 ? ((seconds * 1000) / n).toFixed(seconds * 1000 >= n * 10 ? 0 : 2) : '–');
	for (const r of results) {
		const l = r.insertToWhatsApp;
		const c = r.cpuSeconds;
		const share = c.machineBusy > 0 ? `${Math.round(((c.n8n + c.postgres + c.bench) / c.machineBusy) * 100)} %` : '–';
		lines.push(
			`| ${r.phase} | ${r.sent}/${r.events} | ${r.insertRate} | ${r.seconds} | **${r.eventsPerSecond}** | ${r.executions.success}/${r.executions.error} | ${r.eventsPerExecution} | ${l.p50} / ${l.p99} / ${l.max} | ${ms(c.n8n, r.sent)} / ${ms(c.postgres, r.sent)} / ${ms(c.bench, r.sent)} | ${share} | ${r.loadAverage.before} → ${r.loadAverage.after} |`,
		);
	}
	return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
	const opts = options(argv);
	if (!opts) return 0;
	const startedAt = new Date();
	const machine = { nproc: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', loadAverage: loadAverage(), node: process.version };
	say(`machine: ${machine.nproc} cpus (${machine.cpu}), load ${machine.loadAverage}`);
	// Durable PostgreSQL (fsync and synchronous_commit on, as in production), not the tests' throwaway settings.
	// n8n's task-runner broker listens on 5679 unless told otherwise: another n8n on this machine
	// (tests, other benchmarks) would make ours exit at start.
	// In queue mode each n8n process gets a broker port of its own from the stack.
	const queue = opts.queueWorkers > 0 ? { workers: opts.queueWorkers } : undefined;
	const brokerPort: Record<string, string> = queue ? {} : { N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
	say(queue ? `n8n in queue mode: one main instance and ${queue.workers} worker(s)` : 'n8n in regular mode');
	const stack = await startStack({ ephemeral: false, queue, n8nEnv: { ...brokerPort, ...opts.n8nEnv } });
	const dispatchers: PushDispatcher[] = [];
	const stopAll = async () => {
		await Promise.all(dispatchers.map((d) => d.stop().catch(() => undefined)));
		stack.sandbox.controls.reset();
		await stack.stop();
	};
	const interrupted = () => {
		say('interrupted: stopping everything');
		void stopAll().finally(() => process.exit(130));
	};
	process.once('SIGINT', interrupted);
	process.once('SIGTERM', interrupted);
	const results: PhaseResult[] = [];
	try {
		// The sandbox stands in for Meta: status webhooks would start n8n executions of their own
		// (the inbound workflow), which is not what is measured, so they go nowhere. Statuses are
		// played out at once (sent, delivered): a delayed one waits on a timer with an abort
		// listener, and tens of thousands of those make the sandbox's own CPU grow quadratically.
		const config = await fetch(`${stack.sandbox.url}/_sandbox/config`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ webhookUrl: null, statusDelaysMs: [0], autoRead: false }),
		});
		if (!config.ok) throw new Error(`sandbox config: ${config.status} ${await config.text()}`);
		const ctx: Context = { stack, appointments: [], workflows: { push: '', batch: '' }, postgresPid: stack.local.database.pid };
		ctx.workflows = await createBenchWorkflows(ctx, opts);
		ctx.appointments = await seedClinic(stack.db);
		say(`n8n ${stack.n8n.url} (pid ${stack.n8n.pid()}${stack.local.workers.length ? `, workers ${stack.local.workers.map((w) => w.pid()).join(', ')}` : ''}), PostgreSQL pid ${ctx.postgresPid}, sandbox ${stack.sandbox.url}`);

		for (const design of opts.designs) {
			if (design === 'a') {
				say(`(a) the push workflow active; starting ${opts.pushDispatchers} push dispatcher(s)`);
				await activate(ctx, ctx.workflows.push);
				const url = `${stack.n8n.url}/webhook/${PUSH_WEBHOOK_ID}/webhook`;
				for (let i = 0; i < opts.pushDispatchers; i++) {
					const dispatcher = new PushDispatcher(
						stack.server.database.pool,
						{ url, continuous: true, eventTypes: ['appointment.pre_confirmed'], batchSize: opts.pushBatch, timeoutMs: 10_000, secrets: PUSH_SECRET },
						pino({ level: 'warn' }),
					);
					dispatchers.push(dispatcher);
					await dispatcher.start({ connectionString: stack.server.database.listenUrl });
				}
				results.push(...(await runDesign(ctx, 'a', opts)));
				await Promise.all(dispatchers.map((d) => d.stop()));
				dispatchers.length = 0;
				await deactivate(ctx, ctx.workflows.push);
			} else {
				say('(b) the batch Outbox Trigger workflow active');
				await activate(ctx, ctx.workflows.batch);
				results.push(...(await runDesign(ctx, 'b', opts)));
				await deactivate(ctx, ctx.workflows.batch);
			}
		}
	} finally {
		await stopAll();
	}

	const table = markdown(results);
	const a = results.find((r) => r.phase === 'a-throughput');
	const b = results.find((r) => r.phase === 'b-throughput');
	const ratio = a && b ? Math.round((b.eventsPerSecond / a.eventsPerSecond) * 10) / 10 : undefined;
	process.stdout.write(`\n${table}\n\n`);
	if (ratio !== undefined) process.stdout.write(`(b) / (a) throughput: ${ratio}× (goal ≥ 50×)\n`);
	if (opts.out) {
		writeFileSync(
			opts.out,
			JSON.stringify({ startedAt, finishedAt: new Date(), machine, n8n: '2.40.7', n8nMode: queue ? `queue, ${queue.workers} worker(s)` : 'regular', options: opts, ratio, results }, null, 2),
		);
		say(`wrote ${opts.out}`);
	}
	return 0;
}
