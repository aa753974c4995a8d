import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { seedClinic } from '../helpers/clinic';
import { ackEvents, claimEvents, enqueueEvent, failEvent, releaseEvents, replayDeadLetters } from '../../core/outbox/operations';
import { OUTBOX_CHANNEL } from '../../core/outbox/listener';

/**
 * The wake-ups consumers LISTEN for: one per transaction that adds work, however many rows it
 * inserts, and none for the consumers' own bookkeeping (else idle consumers would wake each other
 * for ever).
 */

const SENTINEL_CHANNEL = 'barnum_test_sentinel';

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;
let listener: pg.Client;
let received = 0;
const sentinels = new Set<string>();

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
	clinic = await seedClinic(db.app);
	listener = new pg.Client({ connectionString: db.appUrl, application_name: 'barnum-test-notify' });
	await listener.connect();
	listener.on('notification', (message) => {
		if (message.channel === OUTBOX_CHANNEL) received += 1;
		if (message.channel === SENTINEL_CHANNEL && message.payload) sentinels.add(message.payload);
	});
	await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
	await listener.query(`LISTEN ${SENTINEL_CHANNEL}`);
});
afterAll(async () => {
	await listener?.end();
	await db.drop();
});
beforeEach(() => db.admin.query("UPDATE whatsapp_events SET status = 'cancelled' WHERE status IN ('pending', 'processing')"));

/**
 * Waits for a sentinel notification committed now. A listener receives notifications in commit
 * order, so once the sentinel is in, everything committed before it is in too.
 */
async function drain(): Promise<void> {
	const marker = randomUUID();
	await db.admin.query('SELECT pg_notify($1, $2)', [SENTINEL_CHANNEL, marker]);
	const deadline = Date.now() + 5_000;
	while (!sentinels.has(marker)) {
		if (Date.now() > deadline) throw new Error('the sentinel notification never arrived');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/** How many outbox notifications the work's transactions sent, and nothing committed before it. */
async function notificationsFrom(work: () => Promise<unknown>): Promise<number> {
	await drain();
	const before = received;
	await work();
	await drain();
	return received - before;
}

async function inTransaction(work: (client: pg.PoolClient) => Promise<unknown>, commit = true): Promise<void> {
	const client = await db.app.connect();
	try {
		await client.query('BEGIN');
		await work(client);
		await client.query(commit ? 'COMMIT' : 'ROLLBACK');
	} catch (error) {
		await client.query('ROLLBACK');
		throw error;
	} finally {
		client.release();
	}
}

const countEvents = async (eventType: string) =>
	(await db.admin.query<{ n: number }>('SELECT count(*)::int AS n FROM whatsapp_events WHERE event_type = $1', [eventType])).rows[0].n;

describe('one wake-up per transaction', () => {
	test('a single INSERT ... SELECT of 1,000 events sends exactly one notification', async () => {
		const count = await notificationsFrom(() =>
			db.app.query(
				`INSERT INTO whatsapp_events (event_type, entity_type, entity_id, payload)
				 SELECT 'bulk.insert', 'custom', gen_random_uuid(), jsonb_build_object('n', g) FROM generate_series(1, 1000) g`,
			),
		);
		expect(await countEvents('bulk.insert')).toBe(1000);
		expect(count).toBe(1);
	});

	test('1,000 create_whatsapp_event calls in one transaction send exactly one notification', async () => {
		const count = await notificationsFrom(() =>
			inTransaction(async (client) => {
				await client.query(
					"SELECT create_whatsapp_event('bulk.function', 'custom', gen_random_uuid()) FROM generate_series(1, 500)",
				);
				for (let i = 0; i < 500; i++) {
					await enqueueEvent(client, { eventType: 'bulk.function', entityType: 'custom', entityId: randomUUID() });
				}
			}),
		);
		expect(await countEvents('bulk.function')).toBe(1000);
		expect(count).toBe(1);
	});

	test('separate transactions each send their own notification', async () => {
		const count = await notificationsFrom(async () => {
			for (let i = 0; i < 3; i++) {
				await enqueueEvent(db.app, { eventType: 'separate.tx', entityType: 'custom', entityId: randomUUID() });
			}
		});
		expect(count).toBe(3);
	});

	test('a transaction that rolls back sends none', async () => {
		const count = await notificationsFrom(() =>
			inTransaction((client) => enqueueEvent(client, { eventType: 'rolled.back', entityType: 'custom', entityId: randomUUID() }), false),
		);
		expect(count).toBe(0);
		expect(await countEvents('rolled.back')).toBe(0);
	});

	test('an appointment written by the clinic notifies through its triggers', async () => {
		const count = await notificationsFrom(() =>
			db.app.query("INSERT INTO appointments (patient_id, date, time) VALUES ($1, current_date + 3, '11:00')", [clinic.patientId]),
		);
		// The pre-confirmation and the reminder, in one transaction.
		expect(count).toBe(1);
	});
});

describe('updates that make work due', () => {
	async function claimOne(eventType: string): Promise<string> {
		const id = (await enqueueEvent(db.app, { eventType, entityType: 'custom', entityId: randomUUID() }))!;
		const { events } = await claimEvents(db.app, { consumerId: 'notify', limit: 1, leaseSeconds: 30, eventTypes: [eventType] });
		expect(events.map((e) => e.id)).toEqual([id]);
		return id;
	}

	test('a failed delivery put back for a retry notifies', async () => {
		const id = await claimOne('retry.me');
		const count = await notificationsFrom(() => failEvent(db.app, { id, error: 'timeout', kind: 'transient' }));
		expect(count).toBe(1);
	});

	test('replaying dead letters notifies once for the batch', async () => {
		const a = await claimOne('replay.me');
		const b = await claimOne('replay.me');
		await failEvent(db.app, { id: a, error: 'bad', kind: 'permanent' });
		await failEvent(db.app, { id: b, error: 'bad', kind: 'permanent' });
		let replayed: string[] = [];
		const count = await notificationsFrom(async () => {
			replayed = await replayDeadLetters(db.app, { eventType: 'replay.me' });
		});
		expect(replayed.sort()).toEqual([a, b].sort());
		expect(count).toBe(1);
	});

	test('events a consumer hands back (stopping, endpoint gone) notify, so another takes them at once', async () => {
		const id = await claimOne('release.me');
		let released: string[] = [];
		const count = await notificationsFrom(async () => {
			released = await releaseEvents(db.app, [id], 'notify', 'consumer stopping');
		});
		expect(released).toEqual([id]);
		expect(count).toBe(1);
	});

	test('an event rescheduled while pending notifies (consumers recompute their timers)', async () => {
		const id = await enqueueEvent(db.app, { eventType: 'move.me', entityType: 'custom', entityId: randomUUID(), scheduledFor: new Date(Date.now() + 3_600_000) });
		const count = await notificationsFrom(() =>
			db.app.query("UPDATE whatsapp_events SET scheduled_for = now() + interval '1 minute' WHERE id = $1", [id]),
		);
		expect(count).toBe(1);
	});

	test('a deferral to the end of quiet hours notifies once; asking again does not', async () => {
		await db.admin.query(
			`UPDATE barnum_settings s
			    SET quiet_hours_start = (now() AT TIME ZONE s.timezone)::time - interval '1 hour',
			        quiet_hours_end = (now() AT TIME ZONE s.timezone)::time + interval '1 hour'`,
		);
		try {
			await enqueueEvent(db.app, { eventType: 'quiet.defer', entityType: 'custom', entityId: randomUUID() });
			const claim = () => claimEvents(db.app, { consumerId: 'notify', limit: 10, leaseSeconds: 30 });
			expect(await notificationsFrom(claim)).toBe(1);
			expect(await notificationsFrom(claim)).toBe(0);
		} finally {
			await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
		}
	});
});

describe('the consumers\' own bookkeeping does not wake anyone', () => {
	test('a claim that finds nothing sends no notification', async () => {
		const count = await notificationsFrom(async () => {
			for (let i = 0; i < 5; i++) {
				const { events } = await claimEvents(db.app, { consumerId: 'idle', limit: 10, leaseSeconds: 30 });
				expect(events).toEqual([]);
			}
		});
		// Each consumer's LISTEN connection hears every notification, its own included: an empty
		// claim that notified would wake all consumers to claim again, for ever.
		expect(count).toBe(0);
	});

	test('claiming events and acking them send no notification', async () => {
		await enqueueEvent(db.app, { eventType: 'claim.ack', entityType: 'custom', entityId: randomUUID() });
		let claimed: string[] = [];
		const onClaim = await notificationsFrom(async () => {
			claimed = (await claimEvents(db.app, { consumerId: 'busy', limit: 10, leaseSeconds: 30 })).events.map((e) => e.id);
		});
		expect(claimed).toHaveLength(1);
		const onAck = await notificationsFrom(() => ackEvents(db.app, claimed.map((id) => ({ id }))));
		expect([onClaim, onAck]).toEqual([0, 0]);
		// Nor does a claim that carries acks.
		await enqueueEvent(db.app, { eventType: 'claim.ack', entityType: 'custom', entityId: randomUUID() });
		claimed = (await claimEvents(db.app, { consumerId: 'busy', limit: 10, leaseSeconds: 30 })).events.map((e) => e.id);
		const onCarry = await notificationsFrom(() => claimEvents(db.app, { consumerId: 'busy', limit: 10, leaseSeconds: 30, ack: claimed }));
		expect(onCarry).toBe(0);
	});
});
