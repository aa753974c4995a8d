import type pg from 'pg';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { createPool } from '../../core/db/pool';
import { silentLogger } from '../../core/db/types';
import { OutboxConsumer, type ConsumerOptions, type Settlement } from '../../core/outbox/consumer';
import { ackEvents, enqueueEvent, getEvent } from '../../core/outbox/operations';
import type { ClaimedEvent } from '../../core/outbox/types';

/** OutboxConsumer end to end against a real PostgreSQL: claims, leases, wake-ups, shutdown. */

let db: TestDatabase;

beforeAll(async () => {
	db = await freshDatabase();
});
afterAll(() => db.drop());

interface Running {
	consumer: OutboxConsumer;
	pool: pg.Pool;
	name: string;
	stopped: boolean;
	poolEnded: boolean;
}

let running: Running[] = [];
/** Handlers left hanging by a test; released before the consumers are stopped. */
let hanging: Array<() => void> = [];

beforeEach(async () => {
	// The default 21:00-08:00 would defer events depending on the wall clock.
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
	await db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE status IN ('pending', 'processing')");
});
afterEach(async () => {
	for (const release of hanging) release();
	hanging = [];
	for (const r of running) await stop(r);
	running = [];
});

async function stop(r: Running): Promise<void> {
	if (!r.stopped) {
		r.stopped = true;
		await r.consumer.stop();
	}
	if (!r.poolEnded) {
		r.poolEnded = true;
		await r.pool.end();
	}
}

/** A consumer with its own pool (application_name = its name) and its own LISTEN connection. */
function createConsumer(
	name: string,
	handle: (events: ClaimedEvent[], pool: pg.Pool) => Promise<void | Settlement>,
	options: Partial<Omit<ConsumerOptions, 'handle' | 'pool'>> & { poolSize?: number } = {},
): Running {
	const pool = createPool(db.appUrl, { applicationName: name, max: options.poolSize ?? 4 });
	const consumer = new OutboxConsumer({
		pool,
		listen: { connectionString: db.appUrl },
		consumerId: name,
		batchSize: 200,
		leaseSeconds: 60,
		pollIntervalMs: 500,
		logger: silentLogger,
		...options,
		handle: (events) => handle(events, pool),
	});
	const r: Running = { consumer, pool, name, stopped: false, poolEnded: false };
	running.push(r);
	return r;
}

async function startConsumer(...args: Parameters<typeof createConsumer>): Promise<Running> {
	const r = createConsumer(...args);
	await r.consumer.start();
	return r;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(20);
	}
}

async function ack(pool: pg.Pool, events: ClaimedEvent[]): Promise<void> {
	const outcomes = await ackEvents(pool, events.map((e) => ({ id: e.id })));
	const notSent = outcomes.filter((o) => o.outcome !== 'sent');
	if (notSent.length > 0) throw new Error(`ack did not mark ${notSent.length} events sent`);
}

async function statusCounts(eventType: string): Promise<Record<string, number>> {
	const { rows } = await db.admin.query<{ status: string; n: number }>(
		'SELECT status, count(*)::int AS n FROM whatsapp_events WHERE event_type = $1 GROUP BY status',
		[eventType],
	);
	return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function allSent(eventType: string, total: number): Promise<boolean> {
	return (await statusCounts(eventType)).sent === total;
}

async function insertEvents(eventType: string, count: number): Promise<string[]> {
	const { rows } = await db.app.query<{ id: string }>(
		`INSERT INTO whatsapp_events (event_type, entity_type, entity_id, payload)
		 SELECT $1, 'custom', gen_random_uuid(), jsonb_build_object('n', g) FROM generate_series(1, $2::int) g
		 RETURNING id`,
		[eventType, count],
	);
	return rows.map((r) => r.id);
}

/** The backend of the one LISTEN connection in this test's database. */
async function listenerPids(): Promise<number[]> {
	const { rows } = await db.admin.query<{ pid: number }>(
		"SELECT pid FROM pg_stat_activity WHERE application_name = 'barnum-listener' AND datname = current_database()",
	);
	return rows.map((r) => r.pid);
}

test('four consumers share 10,000 events: each delivered exactly once, every consumer takes part', async () => {
	const deliveries = new Map<string, number>();
	const perConsumer = [0, 0, 0, 0];
	for (let i = 0; i < 4; i++) {
		await startConsumer(`bench-${i}`, async (events, pool) => {
			for (const event of events) deliveries.set(event.id, (deliveries.get(event.id) ?? 0) + 1);
			perConsumer[i] += events.length;
			await ack(pool, events);
		});
	}
	const ids = await insertEvents('bench.noop', 10_000);

	await waitFor(() => allSent('bench.noop', 10_000), 'all 10,000 events to be sent', 45_000);
	expect(deliveries.size).toBe(10_000);
	expect(ids.every((id) => deliveries.get(id) === 1)).toBe(true);
	expect(perConsumer.reduce((a, b) => a + b, 0)).toBe(10_000);
	for (const delivered of perConsumer) expect(delivered).toBeGreaterThan(0);
	const attempts = await db.admin.query("SELECT DISTINCT attempts FROM whatsapp_events WHERE event_type = 'bench.noop'");
	expect(attempts.rows).toEqual([{ attempts: 1 }]);
});

test('events held by a consumer that died are delivered by another once the lease runs out, none lost', async () => {
	const taken: ClaimedEvent[] = [];
	const a = await startConsumer(
		'consumer-a',
		(events) => {
			taken.push(...events);
			// It never finishes: the process dies in the middle of the batch.
			return new Promise<void>((resolve) => hanging.push(resolve));
		},
		{ leaseSeconds: 2 },
	);
	const ids = await insertEvents('dying.batch', 20);
	await waitFor(() => taken.length === 20, 'consumer A to claim the batch');

	// A's process is gone: its connections die with it, and nothing renews its leases any more.
	await db.admin.query(
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'consumer-a' AND datname = current_database()",
	);
	a.poolEnded = true;
	await a.pool.end();
	expect(await statusCounts('dying.batch')).toEqual({ processing: 20 });

	const delivered: ClaimedEvent[] = [];
	await startConsumer(
		'consumer-b',
		async (events, pool) => {
			delivered.push(...events);
			await ack(pool, events);
		},
		{ pollIntervalMs: 60_000 },
	);
	await waitFor(() => allSent('dying.batch', 20), 'consumer B to deliver the batch', 10_000);
	expect(delivered.map((e) => e.id).sort()).toEqual([...ids].sort());
	expect(new Set(delivered.map((e) => e.attempt))).toEqual(new Set([2]));
	expect(new Set(delivered.map((e) => e.message.attempt))).toEqual(new Set([2]));
});

test('a NOTIFY wakes an idle consumer at once, also after its LISTEN connection was lost and re-established', async () => {
	const delivered: string[] = [];
	const c = await startConsumer(
		'consumer-listen',
		async (events, pool) => {
			delivered.push(...events.map((e) => e.id));
			await ack(pool, events);
		},
		// Polling alone would take a minute.
		{ pollIntervalMs: 60_000 },
	);
	expect(c.consumer.listening).toBe(true);
	await sleep(300); // its first claim found nothing: it sleeps until the next poll
	const first = (await enqueueEvent(db.app, { eventType: 'wake.up', entityType: 'custom', entityId: '00000000-0000-4000-8000-000000000001' }))!;
	await waitFor(() => delivered.includes(first), 'the first event to be delivered');

	const [oldPid] = await listenerPids();
	const killed = await db.admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [oldPid]);
	expect(killed.rows[0].ok).toBe(true);
	await waitFor(
		async () => {
			const pids = await listenerPids();
			return c.consumer.listening && pids.length === 1 && pids[0] !== oldPid;
		},
		'the listener to reconnect',
	);
	await sleep(300); // the claim made on reconnecting has come and gone
	const second = (await enqueueEvent(db.app, { eventType: 'wake.up', entityType: 'custom', entityId: '00000000-0000-4000-8000-000000000002' }))!;
	await waitFor(() => delivered.includes(second), 'the event inserted after the reconnection to be delivered');
	expect(delivered).toEqual([first, second]);
});

test('an idle consumer stays idle: no claims while nothing happens', async () => {
	const consumers = [
		await startConsumer('idle-1', async () => undefined, { pollIntervalMs: 60_000 }),
		await startConsumer('idle-2', async () => undefined, { pollIntervalMs: 60_000 }),
	];
	await sleep(300);
	const spies = consumers.map((r) => jest.spyOn(r.pool, 'query'));
	await sleep(1_000);
	const claims = spies.map((spy) => spy.mock.calls.filter((call) => String(call[0]).includes('FOR UPDATE SKIP LOCKED')).length);
	for (const spy of spies) spy.mockRestore();
	// Consumers that woke each other up would claim hundreds of times a second.
	expect(claims).toEqual([0, 0]);
});

test('a handler that throws leaves its events leased; they are delivered again after the lease runs out', async () => {
	const deliveries: Array<{ id: string; attempt: number; leaseExpiresAt: number; at: number }> = [];
	let failed = false;
	await startConsumer(
		'consumer-throws',
		async (events, pool) => {
			for (const e of events) deliveries.push({ id: e.id, attempt: e.attempt, leaseExpiresAt: e.leaseExpiresAt.getTime(), at: Date.now() });
			if (!failed) {
				failed = true;
				throw new Error('WhatsApp API unreachable');
			}
			await ack(pool, events);
		},
		{ leaseSeconds: 2, pollIntervalMs: 60_000 },
	);
	const id = (await enqueueEvent(db.app, { eventType: 'throws.once', entityType: 'custom', entityId: '00000000-0000-4000-8000-000000000003' }))!;
	await waitFor(() => deliveries.length === 1, 'the first delivery');
	expect(await getEvent(db.app, id)).toMatchObject({ status: 'processing', locked_by: 'consumer-throws', attempts: 1 });

	await waitFor(() => allSent('throws.once', 1), 'the second delivery', 10_000);
	expect(deliveries.map((d) => [d.id, d.attempt])).toEqual([
		[id, 1],
		[id, 2],
	]);
	// Not before the first lease had run out.
	expect(deliveries[1].at).toBeGreaterThanOrEqual(deliveries[0].leaseExpiresAt - 50);
});

describe('lease renewal', () => {
	async function slowConsumerWithBatch(eventType: string, handleMs: number) {
		const slow: ClaimedEvent[] = [];
		const a = await startConsumer(
			'consumer-slow',
			async (events, pool) => {
				slow.push(...events);
				await sleep(handleMs);
				await ack(pool, events);
			},
			{ leaseSeconds: 2 },
		);
		const ids = await insertEvents(eventType, 5);
		await waitFor(() => slow.length === 5, 'the slow consumer to claim the batch');
		const eager: ClaimedEvent[] = [];
		await startConsumer(
			'consumer-eager',
			async (events, pool) => {
				eager.push(...events);
				await ack(pool, events);
			},
			{ leaseSeconds: 2, pollIntervalMs: 200 },
		);
		return { a, ids, slow, eager };
	}

	test('a handler that takes longer than the lease keeps its events: nobody else gets them', async () => {
		const { ids, slow, eager } = await slowConsumerWithBatch('slow.handler', 3_500);
		await waitFor(() => allSent('slow.handler', 5), 'the slow handler to finish', 10_000);
		expect(slow.map((e) => e.id).sort()).toEqual([...ids].sort());
		expect(eager).toEqual([]);
		const attempts = await db.admin.query("SELECT DISTINCT attempts FROM whatsapp_events WHERE event_type = 'slow.handler'");
		expect(attempts.rows).toEqual([{ attempts: 1 }]);
	});

	test('while stopping, a consumer keeps renewing the leases of the batches it is still handling', async () => {
		const { a, ids, slow, eager } = await slowConsumerWithBatch('slow.shutdown', 3_500);
		// A graceful shutdown (a deploy) while the batch is being sent.
		a.stopped = true;
		await a.consumer.stop();
		expect(await allSent('slow.shutdown', 5)).toBe(true);
		expect(slow.map((e) => e.id).sort()).toEqual([...ids].sort());
		await sleep(500);
		expect(eager).toEqual([]);
	});
});

test('stop() waits for a claim under way and hands its batch to the handler before returning', async () => {
	const ids = await insertEvents('stop.midclaim', 3);
	let stopReturned = false;
	const handled: string[] = [];
	const handledAfterStop: string[] = [];
	const c = createConsumer('consumer-stopping', async (events, pool) => {
		handled.push(...events.map((e) => e.id));
		if (stopReturned) handledAfterStop.push(...events.map((e) => e.id));
		await ack(pool, events);
	});
	// Hold the claim up: it waits on this lock until we let go.
	const blocker = await db.admin.connect();
	try {
		await blocker.query('BEGIN');
		await blocker.query('LOCK TABLE whatsapp_events IN EXCLUSIVE MODE');
		await c.consumer.start();
		await waitFor(
			async () =>
				(
					await db.admin.query(
						"SELECT 1 FROM pg_stat_activity WHERE application_name = 'consumer-stopping' AND wait_event_type = 'Lock'",
					)
				).rowCount === 1,
			'the claim to wait on the lock',
		);
		c.stopped = true;
		const stopping = c.consumer.stop().then(() => {
			stopReturned = true;
		});
		await sleep(300);
		expect(stopReturned).toBe(false);
		await blocker.query('COMMIT');
		await stopping;
	} finally {
		// Lets go of the lock even when an expectation failed (a no-op after the COMMIT).
		await blocker.query('ROLLBACK').catch(() => undefined);
		blocker.release();
	}
	expect(handled.sort()).toEqual([...ids].sort());
	expect(handledAfterStop).toEqual([]);
	expect(await allSent('stop.midclaim', 3)).toBe(true);
});

test('an event scheduled a moment ahead is delivered when it falls due, without waiting for the poll', async () => {
	const delivered: Array<{ id: string; at: number }> = [];
	await startConsumer(
		'consumer-timer',
		async (events, pool) => {
			delivered.push(...events.map((e) => ({ id: e.id, at: Date.now() })));
			await ack(pool, events);
		},
		{ pollIntervalMs: 60_000 },
	);
	await sleep(300);
	const due = new Date(Date.now() + 1_500);
	const id = (await enqueueEvent(db.app, {
		eventType: 'future.event',
		entityType: 'custom',
		entityId: '00000000-0000-4000-8000-000000000004',
		scheduledFor: due,
	}))!;
	await waitFor(() => delivered.length === 1, 'the future event to be delivered', 6_000);
	expect(delivered[0].id).toBe(id);
	// Not early: the database decides what is due, on the same machine's clock.
	expect(delivered[0].at).toBeGreaterThanOrEqual(due.getTime() - 50);
});

test('a consumer busy with a backlog still takes over a dead consumer\'s events soon after their lease ends', async () => {
	const taken: ClaimedEvent[] = [];
	const a = await startConsumer(
		'consumer-a-busy',
		(events) => {
			taken.push(...events);
			return new Promise<void>((resolve) => hanging.push(resolve));
		},
		{ leaseSeconds: 2, eventTypes: ['dying.busy'] },
	);
	const orphans = await insertEvents('dying.busy', 5);
	await waitFor(() => taken.length === 5, 'consumer A to claim its batch');
	await db.admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'consumer-a-busy' AND datname = current_database()");
	a.poolEnded = true;
	await a.pool.end();

	// B works through a backlog one event at a time, so every claim comes back full: it skips the
	// search for expired leases, but not for longer than its lease time, and once it finds one it
	// keeps looking until it finds none (one expired lease per claim here).
	const backlog = await insertEvents('dying.busy', 5_000);
	const delivered = new Set<string>();
	await startConsumer(
		'consumer-b-busy',
		async (events) => {
			await sleep(1);
			for (const e of events) delivered.add(e.id);
			return { ack: events.map((e) => e.id) };
		},
		{ batchSize: 1, leaseSeconds: 2, eventTypes: ['dying.busy'] },
	);
	await waitFor(() => orphans.every((id) => delivered.has(id)), 'consumer B to deliver the orphans', 6_000);
	// Found while the backlog was still being worked through, not after it.
	expect(backlog.filter((id) => delivered.has(id)).length).toBeLessThan(backlog.length);
});

describe('acks left to the consumer', () => {
	test('a handler that returns the events it delivered has them acked by the next claim: one round trip per event', async () => {
		const ids = await insertEvents('carry.next', 5);
		const handled: string[] = [];
		// One connection, so what it has prepared is everything the consumer sent as the claim or the ack.
		const c = await startConsumer(
			'consumer-carry',
			async (events) => {
				handled.push(...events.map((e) => e.id));
				return { ack: events.map((e) => e.id) };
			},
			{ batchSize: 1, eventTypes: ['carry.next'], poolSize: 1 },
		);
		await waitFor(() => allSent('carry.next', 5), 'all five to be acked');
		expect(handled.sort()).toEqual([...ids].sort());
		const { rows } = await c.pool.query<{ name: string; calls: number }>(
			'SELECT name, (generic_plans + custom_plans)::int AS calls FROM pg_prepared_statements ORDER BY name',
		);
		// Five deliveries, one claim each plus the claim that found nothing and carried the last ack.
		expect(rows.map((r) => r.name)).toEqual(['barnum_claim_events']);
		expect(rows[0].calls).toBeGreaterThanOrEqual(6);
	});

	test('acks returned while the consumer stops are made before stop() returns', async () => {
		const [id] = await insertEvents('carry.stop', 1);
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		let started = false;
		const c = await startConsumer(
			'consumer-carry-stop',
			async (events) => {
				started = true;
				await gate;
				return { ack: events.map((e) => e.id) };
			},
			{ eventTypes: ['carry.stop'] },
		);
		await waitFor(() => started, 'the handler to start');
		c.stopped = true;
		const stopping = c.consumer.stop();
		await sleep(100);
		release();
		await stopping;
		expect(await getEvent(db.admin, id)).toMatchObject({ status: 'sent', locked_by: null });
	});

	/**
	 * One event delivered and returned as an ack while every claim that would carry the ack is
	 * refused (EXECUTE revoked) until `whileRefused` is done; then claims work again, and the ack is
	 * made without a second delivery.
	 */
	async function ackWhileClaimsFail(eventType: string, whileRefused: (id: string, consumer: string) => Promise<void>, options: Partial<ConsumerOptions> = {}) {
		const [id] = await insertEvents(eventType, 1);
		const claimFn = 'barnum_claim_events(text[], integer, double precision, text, uuid[], boolean)';
		const name = `consumer-${eventType}`;
		let handled = 0;
		await startConsumer(
			name,
			async (events) => {
				handled += events.length;
				await db.admin.query(`REVOKE EXECUTE ON FUNCTION ${claimFn} FROM barnum_app`);
				return { ack: events.map((e) => e.id) };
			},
			{ batchSize: 1, eventTypes: [eventType], ...options },
		);
		try {
			await waitFor(() => handled === 1, 'the delivery');
			await whileRefused(id, name);
		} finally {
			await db.admin.query(`GRANT EXECUTE ON FUNCTION ${claimFn} TO barnum_app`);
		}
		await waitFor(() => allSent(eventType, 1), 'the ack once claims work again', 10_000);
		expect(handled).toBe(1);
	}

	test('when the claim carrying them fails, the acks are kept and made by the next one', async () => {
		await ackWhileClaimsFail('carry.retry', async (id) => {
			await sleep(400);
			expect(await getEvent(db.admin, id)).toMatchObject({ status: 'processing' });
		});
	});

	test('delivered events waiting for their ack keep their lease while the claims that would carry it fail', async () => {
		await ackWhileClaimsFail(
			'carry.lease',
			async (id, consumer) => {
				// Twice the lease: without renewal it would have run out, and another consumer would send it again.
				await sleep(4_000);
				const { rows } = await db.admin.query('SELECT status, locked_by, locked_until > now() AS leased FROM whatsapp_events WHERE id = $1', [id]);
				expect(rows[0]).toEqual({ status: 'processing', locked_by: consumer, leased: true });
			},
			{ leaseSeconds: 2 },
		);
	});
});
