import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { migrate } from '../../core/db/migrate';
import { claimEvents } from '../../core/outbox/operations';
import { createPool } from '../../core/db/pool';
import { loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/serve';
import { BarnumOutboxTrigger } from '../../nodes/BarnumOutboxTrigger/BarnumOutboxTrigger.node';
import { fakeTriggerContext, startTrigger } from '../nodes/fakes';
import { SEED, allowAppLogin, seedDatabase, seedRows, type SeedDatabase } from '../helpers/seed-database';

/**
 * A database built as the seed document describes (test/fixtures/seed-database.sql), upgraded in
 * place by barnum migrate: rows kept, the pending event delivered, links already sent still
 * working, and the seed's names still answering the rest of the seed's application.
 */
let db: SeedDatabase;
let before: Record<string, string[]>;

beforeAll(async () => {
	db = await seedDatabase();
	before = await seedRows(db.admin);
	const result = await migrate(db.url);
	expect(result.contract).toBe('seed');
	await allowAppLogin(db.url);
});
afterAll(() => db.drop());

test('every row of every table is kept, under the same id, and the seed\'s table names still read them', async () => {
	expect(before.whatsapp_events).toHaveLength(6);
	expect(await seedRows(db.admin)).toEqual(before);
	const kinds = await db.admin.query(
		"SELECT c.relname, c.relkind FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relname LIKE 'whatsapp_%' AND c.relkind IN ('r', 'v') ORDER BY 1",
	);
	// The names are views of Barnum's tables now; the clinic's own tables stay where they were.
	expect(kinds.rows).toEqual([
		{ relname: 'whatsapp_action_tokens', relkind: 'v' },
		{ relname: 'whatsapp_events', relkind: 'v' },
		{ relname: 'whatsapp_workflows', relkind: 'v' },
	]);
	const events = await db.admin.query('SELECT status, count(*)::int AS n FROM public.whatsapp_events GROUP BY status ORDER BY status');
	expect(events.rows).toEqual([
		{ status: 'dead_letter', n: 1 },
		{ status: 'pending', n: 2 },
		{ status: 'sent', n: 3 },
	]);
});

test('no token is stored in plain text any more', async () => {
	const plain = await db.admin.query('SELECT count(*)::int AS n FROM public.whatsapp_action_tokens WHERE token IS NOT NULL');
	expect(plain.rows[0].n).toBe(0);
	const stored = await db.admin.query(
		"SELECT count(*)::int AS n FROM barnum.whatsapp_action_tokens t WHERE t.token_hash = barnum.barnum_token_hash($1)",
		[SEED.tokens.unused],
	);
	expect(stored.rows[0].n).toBe(1);
	const text = await db.admin.query('SELECT t::text AS row FROM barnum.whatsapp_action_tokens t');
	for (const { row } of text.rows) expect(row).not.toContain('seedToken');
});

test('the seed\'s four functions keep their names and signatures and work on Barnum\'s tables', async () => {
	const client = await db.admin.connect();
	try {
		await client.query('BEGIN');
		const token = (await client.query("SELECT public.generate_action_token('cancel', $1, $2) AS token", [SEED.appointments.a, SEED.patients.joao])).rows[0].token;
		expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
		expect((await client.query('SELECT * FROM public.validate_action_token($1)', [token])).rows[0]).toMatchObject({
			valid: true,
			appointment_id: SEED.appointments.a,
			patient_id: SEED.patients.joao,
			action_type: 'cancel',
		});
		await client.query('SELECT public.mark_token_used($1)', [token]);
		expect((await client.query('SELECT * FROM public.validate_action_token($1)', [token])).rows[0]).toMatchObject({
			valid: false,
			error_message: 'Token already used',
		});
		const event = (await client.query(
			"SELECT public.create_whatsapp_event('appointment.custom_note', 'appointment', $1) AS id",
			[SEED.appointments.a],
		)).rows[0].id;
		expect((await client.query('SELECT status FROM public.whatsapp_events WHERE id = $1', [event])).rows).toEqual([{ status: 'pending' }]);
		const signatures = await client.query(
			"SELECT p.oid::regprocedure::text AS signature FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1",
		);
		expect(signatures.rows.map((r) => r.signature)).toEqual(expect.arrayContaining([
			'create_whatsapp_event(text,text,uuid,uuid,timestamp with time zone)',
			'generate_action_token(text,uuid,uuid,uuid,jsonb,integer)',
			'mark_token_used(text)',
			'validate_action_token(text)',
		]));
	} finally {
		await client.query('ROLLBACK');
		client.release();
	}
});

test('the seed\'s names answer its server key, not Supabase\'s browser keys', async () => {
	for (const role of ['anon', 'authenticated']) {
		const client = await db.admin.connect();
		try {
			await client.query('BEGIN');
			await client.query(`SET LOCAL ROLE ${role}`);
			await expect(client.query('SELECT * FROM public.whatsapp_events')).rejects.toThrow(/permission denied/);
		} finally {
			await client.query('ROLLBACK');
			client.release();
		}
	}
});

test('the seed\'s three triggers are Barnum\'s one: a new appointment from the seed\'s application queues a pre-confirmation', async () => {
	const triggers = await db.admin.query(
		"SELECT tgname FROM pg_trigger WHERE tgrelid = 'public.appointments'::regclass AND NOT tgisinternal ORDER BY 1",
	);
	expect(triggers.rows.map((r) => r.tgname)).toEqual(['barnum_appointment_events', 'update_appointments_updated_at']);
	const client = await db.admin.connect();
	try {
		await client.query('BEGIN');
		const { rows } = await client.query(
			"INSERT INTO public.appointments (patient_id, date, time) VALUES ($1, current_date + 10, '11:00') RETURNING id",
			[SEED.patients.joao],
		);
		const events = await client.query(
			'SELECT event_type, status FROM public.whatsapp_events WHERE entity_id = $1 ORDER BY event_type',
			[rows[0].id],
		);
		expect(events.rows).toEqual([
			{ event_type: 'appointment.pre_confirmed', status: 'pending' },
			{ event_type: 'appointment.reminder', status: 'pending' },
		]);
		// An existing appointment marked a no-show gets the reschedule prompt (the seed's trg_no_show).
		await client.query("UPDATE public.appointments SET status = 'no_show' WHERE id = $1", [SEED.appointments.e]);
		const prompt = await client.query(
			"SELECT w.workflow_type FROM public.whatsapp_events e JOIN public.whatsapp_workflows w ON w.id = e.workflow_id WHERE e.entity_id = $1 AND e.event_type = 'appointment.no_show'",
			[SEED.appointments.e],
		);
		expect(prompt.rows).toEqual([{ workflow_type: 'reschedule_prompt' }]);
	} finally {
		await client.query('ROLLBACK');
		client.release();
	}
});

test('the pending event is delivered as the seed\'s payload; the one for a patient without a phone is skipped with the reason', async () => {
	const app = createPool(db.appUrl);
	const client = await app.connect();
	try {
		await client.query('BEGIN');
		await client.query('UPDATE barnum.barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
		const claim = await claimEvents(client, { consumerId: 'seed-test', limit: 10, leaseSeconds: 60, eventTypes: ['appointment.pre_confirmed'] });
		expect(claim.events.map((e) => e.id)).toEqual([SEED.events.a]);
		expect(claim.events[0].message).toMatchObject({
			event_type: 'appointment.pre_confirmed',
			entity_id: SEED.appointments.a,
			appointment: {
				id: SEED.appointments.a,
				time: '10:00',
				patient: { id: SEED.patients.joao, name: 'João Silva', phone: '+351912345678' },
				professional: { name: 'Dr. Maria Santos' },
				specialty: { name: 'Medicina Dentária' },
			},
			action_links: { confirm: expect.stringMatching(/\/api\/action\?type=confirm&token=[A-Za-z0-9_-]{32}$/) },
		});
		const skipped = await client.query('SELECT status, status_reason FROM barnum.whatsapp_events WHERE id = $1', [SEED.events.b]);
		expect(skipped.rows).toEqual([{ status: 'skipped', status_reason: 'patient has no phone number' }]);
	} finally {
		await client.query('ROLLBACK');
		client.release();
		await app.end();
	}
});

describe('links sent before the upgrade', () => {
	let server: RunningServer;
	beforeAll(async () => {
		server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: db.appUrl, RATE_LIMIT_ACTION_PER_MINUTE: '1000' }), pino({ level: 'silent' }));
	});
	afterAll(() => server.stop());

	const link = (type: string, token: string) => `${server.url}/api/action?type=${type}&token=${encodeURIComponent(token)}`;
	const formOf = (html: string) =>
		Object.fromEntries([...html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]));
	const statusOf = async (id: string) => (await db.admin.query('SELECT status FROM public.appointments WHERE id = $1', [id])).rows[0].status;

	test('a plain-text token from before opens its page and confirms the appointment in the seed\'s own table, once', async () => {
		const page = await fetch(link('confirm', SEED.tokens.unused));
		const html = await page.text();
		expect(page.status).toBe(200);
		expect(html).toContain('Olá, João');
		expect(html).toContain('>Confirmar presença</button>');
		expect(await statusOf(SEED.appointments.a)).toBe('scheduled');

		const press = await fetch(link('confirm', SEED.tokens.unused), {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams(formOf(html)).toString(),
		});
		expect(press.status).toBe(200);
		expect(await press.text()).toContain('Consulta confirmada');
		expect(await statusOf(SEED.appointments.a)).toBe('confirmed');

		const again = await fetch(link('confirm', SEED.tokens.unused));
		expect(await again.text()).not.toContain('<form');
	});

	test('a base64 token with + and / works, encoded in the link or as the seed wrote it (unencoded)', async () => {
		const encoded = await fetch(link('cancel', SEED.tokens.unusedCancel));
		expect(encoded.status).toBe(200);
		expect(await encoded.text()).toContain('<form');
		const raw = await fetch(`${server.url}/api/action?type=cancel&token=${SEED.tokens.unusedCancel}`);
		expect(raw.status).toBe(200);
		expect(await raw.text()).toContain('<form');
	});

	test('used and expired tokens from before get the page that says the link no longer works', async () => {
		for (const token of [SEED.tokens.used, SEED.tokens.expired]) {
			const html = await (await fetch(link('confirm', token))).text();
			expect(html).not.toContain('<form');
		}
	});
});

describe('the upgrade is one transaction', () => {
	let broken: SeedDatabase;
	beforeAll(async () => {
		broken = await seedDatabase();
	});
	afterAll(() => broken.drop());

	/** Every object outside the system schemas, every trigger, and every seed row: "exactly as before". */
	async function snapshot() {
		const objects = await broken.admin.query(
			`SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text AS o FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
			 UNION ALL SELECT p.oid::regprocedure::text || ':' || md5(p.prosrc) FROM pg_proc p WHERE p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
			 UNION ALL SELECT t.tgrelid::regclass::text || '.' || t.tgname FROM pg_trigger t WHERE NOT t.tgisinternal
			 UNION ALL SELECT 'schema ' || nspname FROM pg_namespace
			 ORDER BY 1`,
		);
		return { objects: objects.rows.map((r) => r.o), rows: await seedRows(broken.admin) };
	}

	test('a row that cannot move stops it with the reason, and leaves the database exactly as it was', async () => {
		// A link with no appointment: Barnum's tokens always name one.
		await broken.admin.query('UPDATE public.whatsapp_action_tokens SET appointment_id = NULL WHERE token = $1', [SEED.tokens.expired]);
		const before = await snapshot();
		await expect(migrate(broken.url)).rejects.toThrow(
			/The contract seed could not be installed: null value in column "appointment_id" of relation "whatsapp_action_tokens"/,
		);
		expect(await snapshot()).toEqual(before);
	});
});

describe('the push dispatcher (POST /api/internal) delivers the pending event too', () => {
	let pushed: SeedDatabase;
	const received: Array<Record<string, unknown>> = [];
	let receiver: Server;
	let url: string;
	beforeAll(async () => {
		pushed = await seedDatabase();
		await migrate(pushed.url);
		await allowAppLogin(pushed.url);
		await pushed.admin.query('UPDATE barnum.barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
		const app = express();
		app.post('/webhook/whatsapp', express.json(), (req, res) => {
			received.push(req.body as Record<string, unknown>);
			res.json({ ok: true });
		});
		await new Promise<void>((resolve) => {
			receiver = app.listen(0, '127.0.0.1', () => resolve());
		});
		url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook/whatsapp`;
	});
	afterAll(async () => {
		await new Promise<void>((resolve) => receiver.close(() => resolve()));
		await pushed.drop();
	});

	test('the seed\'s /api/internal summary, and the event marked sent', async () => {
		const internal = 'internal-secret-for-tests-0123456789';
		const server = await startServer(
			loadConfig({
				PORT: '0',
				DATABASE_URL: pushed.appUrl,
				WEBHOOK_SECRET: 'whsec_ZGlzcGF0Y2hlci10ZXN0LXNlY3JldC0zMmJ5dGVz',
				INTERNAL_API_SECRET: internal,
				N8N_WEBHOOK_BASE_URL: url,
				PUSH_DISPATCHER: 'off',
			}),
			pino({ level: 'silent' }),
		);
		try {
			const res = await fetch(`${server.url}/api/internal`, { method: 'POST', headers: { authorization: `Bearer ${internal}` } });
			expect(await res.json()).toEqual({ success: true, processed: 1, failed: 0, errors: [] });
			expect(received.map((r) => [r.event_id, r.event_type])).toEqual([[SEED.events.a, 'appointment.pre_confirmed']]);
			const status = await pushed.admin.query('SELECT status FROM public.whatsapp_events WHERE id = $1', [SEED.events.a]);
			expect(status.rows).toEqual([{ status: 'sent' }]);
		} finally {
			await server.stop();
		}
	});
});

describe('the Barnum Outbox Trigger delivers the pending event too', () => {
	let triggered: SeedDatabase;
	beforeAll(async () => {
		triggered = await seedDatabase();
		await migrate(triggered.url);
		await allowAppLogin(triggered.url);
		await triggered.admin.query("UPDATE barnum.barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL");
	});
	afterAll(() => triggered.drop());

	test('one execution with the seed\'s payload, acknowledged when it succeeds', async () => {
		const fake = fakeTriggerContext({
			parameters: { eventTypes: ['appointment.pre_confirmed'], otherEventTypes: '', options: { pollIntervalSeconds: 1 }, emitMode: 'event', ackMode: 'executionSucceeds', batchSize: 10 },
			credential: { connectionString: triggered.appUrl, ssl: 'disable' },
		});
		const response = await startTrigger(new BarnumOutboxTrigger(), fake.context);
		try {
			const deadline = Date.now() + 10_000;
			let status: string | undefined;
			while (Date.now() < deadline) {
				status = (await triggered.admin.query('SELECT status FROM public.whatsapp_events WHERE id = $1', [SEED.events.a])).rows[0].status;
				if (status === 'sent') break;
				await new Promise((r) => setTimeout(r, 50));
			}
			expect(status).toBe('sent');
			expect(fake.executions.map((items) => items.map((item) => item.json.event_id))).toEqual([[SEED.events.a]]);
			expect(fake.executions[0][0].json).toMatchObject({ appointment: { id: SEED.appointments.a, patient: { name: 'João Silva' } } });
		} finally {
			await response.closeFunction?.();
		}
	});
});
