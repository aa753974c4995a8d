// Barnum's outbox, driven through its compiled code (.bench-dist/): claimEvents + ackEvents, and
// OutboxConsumer for the LISTEN/NOTIFY latency.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DIST, ROOT, requireFromRoot, now, sleep, settle, closedLoopLatency, cpuMeter, Samples } from './common.mjs';

const dist = (p) => requireFromRoot(path.join(DIST, p));
const { claimEvents, ackEvents } = dist('core/outbox/operations.js');
const { OutboxConsumer } = dist('core/outbox/consumer.js');
const { ReclaimSchedule } = dist('core/outbox/reclaim-schedule.js');
const { migrate } = dist('core/db/migrate.js');
const { silentLogger } = dist('core/db/types.js');
const { withoutPreparedStatements } = dist('core/db/prepared.js');
// Barnum's own pg (the version its package.json pins), not the bench's copy.
const pg = requireFromRoot('pg');

export const name = 'barnum';

// Experiment knobs, for trying a change to the SQL without touching sql/ (docs/performance.md):
//   BENCH_BARNUM_CLAIM_SQL / BENCH_BARNUM_ACK_SQL  a file used instead of claim-events.sql / ack-events.sql
//   BENCH_BARNUM_SETUP_SQL                         SQL run once after the migrations (e.g. an index change)
//   BENCH_BARNUM_PREPARED=0                        claim and ack unprepared, as behind a transaction-mode
//                                                  pooler (the credential's Prepared Statements off)
//   BENCH_BARNUM_SEPARATE_ACK=1                    ack in a transaction of its own after each handler
//                                                  (before migration 013, two transactions per claim)
// Unset (the default), the benchmark calls claimEvents/ackEvents as compiled, unchanged: named
// prepared statements, as the product sends them by default.
const text = (name, override) => override ?? readFileSync(path.join(ROOT, 'sql', 'queries', `${name}.sql`), 'utf8');

const variant = {
	claim: process.env.BENCH_BARNUM_CLAIM_SQL ? readFileSync(process.env.BENCH_BARNUM_CLAIM_SQL, 'utf8') : null,
	ack: process.env.BENCH_BARNUM_ACK_SQL ? readFileSync(process.env.BENCH_BARNUM_ACK_SQL, 'utf8') : null,
	setup: process.env.BENCH_BARNUM_SETUP_SQL ?? null,
	prepared: process.env.BENCH_BARNUM_PREPARED !== '0',
	separateAck: process.env.BENCH_BARNUM_SEPARATE_ACK === '1',
};
const customSql = Boolean(variant.claim || variant.ack || variant.setup || !variant.prepared);
const experimental = customSql || variant.separateAck;
const statement = (name, override, values) =>
	variant.prepared ? { name: `bench_${name}`, text: text(name, override), values } : { text: text(name, override), values };

const claim = customSql
	? async (pool, { consumerId, limit, leaseSeconds, ack, reclaim }) => {
			const { rows } = await pool.query(statement('claim-events', variant.claim, [null, limit, leaseSeconds, consumerId, ack ?? null, reclaim ?? true]));
			return { events: rows.filter((r) => r.id !== null).map((r) => ({ id: r.id, message: r.message })) };
		}
	: claimEvents;
const ack = customSql
	? (pool, acks) =>
			pool.query(
				statement('ack-events', variant.ack, [acks.map((a) => a.id), acks.map(() => null)]),
			)
	: ackEvents;

async function prepare(url) {
	await migrate(url);
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	// No quiet hours: nothing is deferred, so every due row is claimable.
	await client.query('UPDATE barnum.barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
	if (variant.setup) await client.query(variant.setup);
	return client;
}

export async function throughput(url, options) {
	const { events, concurrency, batch } = options;
	const admin = await prepare(url);
	// entity_type 'custom': no state re-check lookups, no action-link tokens.
	await admin.query(
		`INSERT INTO barnum.whatsapp_events (event_type, entity_type, entity_id)
		 SELECT 'bench.noop', 'custom', gen_random_uuid() FROM generate_series(1, $1)`,
		[events],
	);
	await settle(admin);

	const pool = new pg.Pool({ connectionString: url, max: concurrency, application_name: 'bench-barnum' });
	if (!variant.prepared) withoutPreparedStatements(pool);
	// Open the connections before the clock starts (graphile-worker and pg-boss start theirs too).
	const clients = await Promise.all(Array.from({ length: concurrency }, () => pool.connect()));
	clients.forEach((c) => c.release());

	let handled = 0;
	const noop = async () => undefined;
	// As OutboxConsumer does: the acks of a handled batch ride on the next claim, so each batch (each
	// event, one at a time) is one transaction, and expired leases are looked for on its schedule.
	// BENCH_BARNUM_SEPARATE_ACK=1 acks in a transaction of its own instead, as claim + ack did
	// before migration 013 (and then looks for expired leases on every claim, as before).
	const worker = async (i) => {
		let delivered = [];
		const reclaim = new ReclaimSchedule(300);
		for (;;) {
			const result = await claim(pool, {
				consumerId: `bench-${i}`,
				limit: batch,
				leaseSeconds: 300,
				ack: delivered.length > 0 ? delivered : undefined,
				reclaim: variant.separateAck ? true : reclaim.next(),
			});
			const claimed = result.events;
			reclaim.claimed(claimed.length, batch, result.reclaimed ?? 0);
			handled += delivered.length;
			delivered = [];
			if (claimed.length === 0) return;
			await noop(claimed);
			if (variant.separateAck) {
				await ack(pool, claimed.map((e) => ({ id: e.id })));
				handled += claimed.length;
			} else {
				delivered = claimed.map((e) => e.id);
			}
		}
	};
	const meter = cpuMeter(options);
	const t0 = now();
	await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
	const t1 = now();
	const cpu = meter.stop(events);

	const { rows } = await admin.query(
		`SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status <> 'sent')::int AS other
		   FROM barnum.whatsapp_events`,
	);
	await pool.end();
	await admin.end();
	return {
		seconds: (t1 - t0) / 1000,
		handled,
		cpu,
		check: rows[0],
		ok: rows[0].sent === events && rows[0].other === 0,
		...(experimental
			? {
					experiment: {
						claim: process.env.BENCH_BARNUM_CLAIM_SQL ?? null,
						ack: process.env.BENCH_BARNUM_ACK_SQL ?? null,
						setup: variant.setup,
						prepared: variant.prepared,
						separateAck: variant.separateAck,
					},
				}
			: {}),
	};
}

export async function latency(url, { samples, warmup }) {
	const admin = await prepare(url);
	await settle(admin);
	const pool = new pg.Pool({ connectionString: url, max: 4, application_name: 'bench-barnum' });
	const tracker = new Samples(samples);
	const consumer = new OutboxConsumer({
		pool,
		listen: { connectionString: url },
		consumerId: 'bench-latency',
		batchSize: 10,
		leaseSeconds: 300,
		// The backstop poll is a minute: every wake-up below comes from NOTIFY.
		pollIntervalMs: 60_000,
		logger: silentLogger,
		handle: async (claimed) => {
			const at = now();
			for (const e of claimed) tracker.receive(e.message.payload.seq, at);
			await ackEvents(pool, claimed.map((e) => ({ id: e.id })));
		},
	});
	await consumer.start();
	await sleep(300);
	if (!consumer.listening) throw new Error('the Barnum consumer is not listening');

	const producer = new pg.Client({ connectionString: url, application_name: 'bench-producer' });
	await producer.connect();
	const result = await closedLoopLatency({
		samples,
		warmup,
		tracker,
		// One event, one autocommit transaction; the statement-level trigger NOTIFYs at its commit.
		send: (seq) =>
			producer.query(
				`INSERT INTO barnum.whatsapp_events (event_type, entity_type, entity_id, payload)
				 VALUES ('bench.noop', 'custom', gen_random_uuid(), jsonb_build_object('seq', $1::int))`,
				[seq],
			),
	});
	await consumer.stop(5_000);
	await producer.end();
	await pool.end();
	await admin.end();
	return { ...result, config: 'OutboxConsumer, listen on, batchSize 10, pollIntervalMs 60000, handler acks' };
}
