import { sign } from '../../core/signatures';
import { secretKeys } from '../../core/signatures/secret-list';
import type { RunningServer } from '../../server/serve';
import { setPublicBaseUrl } from '../../stack/demo';
import { until } from './stack/run';
import { startAnotherServer, startBalancer, type Balancer } from './stack/servers';
import { startStack, type Stack } from './stack/stack';

/**
 * Past one machine: n8n 2.40.7 in queue mode (Redis, n8n's own data in PostgreSQL, one main
 * instance and two `n8n worker`s) and two companion servers behind a round-robin load balancer,
 * with the bundled workflows. One stack for the whole file: the machine is small.
 */

let stack: Stack;
let serverB: RunningServer;
let balancer: Balancer;
const PHONE = '+351912340022';
/** Per companion server, per client address and minute. */
const ACTION_LIMIT = 20;
const WAIT_LIMIT_SECONDS = 20;
const LEASE_SECONDS = 15;

/** Changes a bundled workflow's Outbox Trigger options in n8n and publishes it: the trigger restarts with them. */
async function setOutboxTriggerOptions(workflowId: string, options: Record<string, number>): Promise<void> {
	type Workflow = { versionId: string; nodes: Array<{ type: string; parameters: Record<string, unknown> }> };
	const workflow = await stack.n8n.rest.request<Workflow>('GET', `/workflows/${workflowId}`);
	const nodes = workflow.nodes.map((node) =>
		node.type.endsWith('.barnumOutboxTrigger') ? { ...node, parameters: { ...node.parameters, options: { ...(node.parameters.options as object), ...options } } } : node,
	);
	await stack.n8n.rest.request('PATCH', `/workflows/${workflowId}`, { nodes, versionId: workflow.versionId });
	await stack.n8n.rest.activate(workflowId);
}

beforeAll(async () => {
	stack = await startStack({
		queue: { workers: 2, concurrency: 5 },
		n8nEnv: {
			// "Worker started execution …" lines tell which worker ran what.
			N8N_LOG_LEVEL: 'info',
			// n8n declares a job whose worker died "stalled" once its lock runs out (60 s + a 30 s
			// check by default): shorter here, so the test does not wait minutes.
			QUEUE_WORKER_LOCK_DURATION: '30000',
			QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
			QUEUE_WORKER_STALLED_INTERVAL: '5000',
		},
		serverEnv: { RATE_LIMIT_ACTION_PER_MINUTE: String(ACTION_LIMIT), TRUST_PROXY: 'loopback' },
	});
	serverB = await startAnotherServer(stack.local);
	balancer = await startBalancer([stack.server.url, serverB.url]);
	// The links in the messages point at the load balancer, as a deployment's public URL would.
	await setPublicBaseUrl(stack.db, balancer.url);
	// …and so does the URL button's base, which a WhatsApp template fixes (the sandbox's setting).
	const config = await fetch(`${stack.sandbox.url}/_sandbox/config`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ publicBaseUrl: balancer.url }),
	});
	if (!config.ok) throw new Error(`sandbox config: ${config.status} ${await config.text()}`);
	// Short enough for a test: how long the pre-confirmation's trigger waits for an execution's end
	// before letting its events' leases run out, and the lease itself.
	await setOutboxTriggerOptions(stack.workflows['clinic-pre-confirmation'], { executionWaitSeconds: WAIT_LIMIT_SECONDS, leaseSeconds: LEASE_SECONDS });
}, 900_000);
afterAll(async () => {
	await balancer?.stop();
	await serverB?.stop();
	await stack?.stop();
});

let clinic: { patientId: string; professionalId: string; specialtyId: string };
beforeAll(async () => {
	const { rows } = await stack.db.query(
		`WITH s AS (INSERT INTO barnum_clinic.specialties (name) VALUES ('Medicina Dentária') RETURNING id),
		      p AS (INSERT INTO barnum_clinic.professionals (name, specialty_id) SELECT 'Dr. Maria Santos', id FROM s RETURNING id, specialty_id),
		      pa AS (INSERT INTO barnum_clinic.patients (name, phone) VALUES ('Rita Queue', $1) RETURNING id)
		 SELECT pa.id AS "patientId", p.id AS "professionalId", p.specialty_id AS "specialtyId" FROM p, pa`,
		[PHONE],
	);
	clinic = rows[0];
});

interface SandboxMessage {
	wamid: string;
	[key: string]: unknown;
}

async function sandboxMessages(): Promise<SandboxMessage[]> {
	const body = (await (await fetch(`${stack.sandbox.url}/_sandbox/messages`)).json()) as { messages: SandboxMessage[] } | SandboxMessage[];
	return Array.isArray(body) ? body : body.messages;
}

let day = 0;
async function newAppointments(count: number): Promise<string[]> {
	const { rows } = await stack.db.query(
		`INSERT INTO barnum_clinic.appointments (patient_id, professional_id, specialty_id, date, time)
		 SELECT $1, $2, $3, current_date + $4::int + g, '10:30' FROM generate_series(1, $5::int) g RETURNING id`,
		[clinic.patientId, clinic.professionalId, clinic.specialtyId, day, count],
	);
	day += count;
	return rows.map((r) => r.id);
}

type Event = { id: string; entity_id: string; status: string; whatsapp_message_id: string | null; retry_count: number; last_error: string | null; locked_by: string | null };
async function preConfirmations(appointments: string[]): Promise<Event[]> {
	const { rows } = await stack.db.query<Event>(
		"SELECT id, entity_id, status, whatsapp_message_id, retry_count, last_error, locked_by FROM barnum.whatsapp_events WHERE event_type = 'appointment.pre_confirmed' AND entity_id = ANY($1::uuid[])",
		[appointments],
	);
	return rows;
}

const allSent = (appointments: string[], what: string, ms = 120_000) =>
	until(async () => {
		const events = await preConfirmations(appointments);
		return events.length === appointments.length && events.every((e) => e.status === 'sent') ? events : undefined;
	}, what, ms, 250);

/** The sandbox's requests for these events' messages: how many times each event reached WhatsApp. */
async function sendsPerEvent(appointments: string[]): Promise<number[]> {
	const messages = await sandboxMessages();
	return appointments.map((id) => messages.filter((m) => JSON.stringify(m).includes(id)).length);
}

const executionsStarted = (worker: number) => (stack.local.workers[worker].log().match(/Worker started execution/g) ?? []).length;

test('1. queue mode: each event is delivered once, the executions running on the two workers', async () => {
	const before = [executionsStarted(0), executionsStarted(1)];
	const appointments = await newAppointments(20);
	const events = await allSent(appointments, 'the 20 pre-confirmations to be sent');
	const wamids = new Set((await sandboxMessages()).map((m) => m.wamid));
	for (const event of events) expect(wamids.has(event.whatsapp_message_id!)).toBe(true);
	// The sandbox knows each message by its event's action links: one request per event.
	expect(await sendsPerEvent(appointments)).toEqual(appointments.map(() => 1));
	const ran = [executionsStarted(0) - before[0], executionsStarted(1) - before[1]];
	expect(ran[0] + ran[1]).toBeGreaterThanOrEqual(20);
	expect(ran[0]).toBeGreaterThan(0);
	expect(ran[1]).toBeGreaterThan(0);
	// The main instance ran none itself.
	expect(stack.n8n.log()).not.toMatch(/Worker started execution/);
});

/** No execution of a bundled workflow is waiting or running (a message is `sent` before its execution ends). */
const idle = () =>
	until(async () => {
		for (const id of Object.values(stack.workflows)) {
			if ((await stack.n8n.executions(id)).some((e) => e.status === 'running' || e.status === 'new')) return false;
		}
		return true;
	}, 'the executions under way to end', 60_000, 500);

test('2. "Acknowledge when the execution succeeds" waits for the worker: no worker running, the event stays leased', async () => {
	await idle();
	const workers = stack.local.workers.map((w) => w.pid()!);
	// Frozen for less than n8n's job lock (30 s here), so n8n does not declare their jobs stalled.
	for (const pid of workers) process.kill(pid, 'SIGSTOP');
	let held: Event[];
	try {
		const [appointment] = await newAppointments(1);
		held = await until(async () => {
			const [event] = await preConfirmations([appointment]);
			return event?.status === 'processing' ? [event] : undefined;
		}, 'the main instance to claim the event', 15_000);
		// Claimed and queued in Redis; with no worker to run it, nothing settles it.
		await new Promise((resolve) => setTimeout(resolve, 3000));
		expect((await preConfirmations([appointment]))[0].status).toBe('processing');
		expect(held[0].locked_by).toMatch(/^n8n:/);
	} finally {
		for (const pid of workers) process.kill(pid, 'SIGCONT');
	}
	await allSent([held[0].entity_id], 'the event once the workers run again', 60_000);
});

test('3. a worker killed (SIGKILL) mid-batch loses nothing: after the wait limit and the lease, its events are delivered again', async () => {
	const appointments = await newAppointments(30);
	await until(async () => (await preConfirmations(appointments)).some((e) => e.status === 'sent'), 'the first send', 60_000, 20);
	await stack.local.workers[0].kill();
	const atKill = await preConfirmations(appointments);
	expect(atKill.filter((e) => e.status !== 'sent').length).toBeGreaterThan(0);
	// n8n never tells the main instance that the dead worker's executions ended (they stay
	// "running" in its list): the trigger stops waiting after its wait limit, stops renewing their
	// leases, and claims them again once the leases run out; the live worker runs them.
	const events = await allSent(appointments, 'every event of the batch to be sent', (WAIT_LIMIT_SECONDS + LEASE_SECONDS) * 1000 + 120_000);
	const wamids = new Set((await sandboxMessages()).map((m) => m.wamid));
	for (const event of events) expect(wamids.has(event.whatsapp_message_id!)).toBe(true);
	// At least once: an event whose message went out just before the kill, but not its ack, goes twice.
	const sends = await sendsPerEvent(appointments);
	expect(Math.min(...sends)).toBeGreaterThanOrEqual(1);
	const retried = events.filter((e) => e.retry_count > 0);
	const errors = [...new Set(retried.map((e) => e.last_error))];
	process.stderr.write(
		`e2e: worker killed: ${atKill.filter((e) => e.status !== 'sent').length} of 30 unsent at the kill, ${sends.filter((n) => n > 1).length} sent twice, ${retried.length} retried (${errors.join(' | ')})\n`,
	);
	await stack.local.workers[0].start();
});

test('4. the main instance killed (SIGKILL) and restarted re-attaches its triggers; what it held comes back after the lease', async () => {
	const first = await newAppointments(10);
	await until(async () => (await preConfirmations(first)).some((e) => e.status !== 'pending'), 'the first claim', 60_000, 20);
	await stack.n8n.kill();
	await stack.n8n.start();
	const second = await newAppointments(5);
	// What the dead main instance held comes back when its lease (LEASE_SECONDS here) runs out.
	await allSent([...first, ...second], 'the events before and after the restart', 180_000);
});

test('5. an action page served by one companion server and pressed on the other confirms (shared ACTION_NONCE_SECRET)', async () => {
	const [appointment] = await newAppointments(1);
	const [event] = await allSent([appointment], 'the pre-confirmation', 60_000);
	const message = (await sandboxMessages()).find((m) => m.wamid === event.whatsapp_message_id);
	const link = JSON.stringify(message).match(/http:\/\/127\.0\.0\.1:\d+\/api\/action\?type=confirm&token=[A-Za-z0-9_-]+/)![0];
	expect(link).toContain(balancer.url);
	const path = link.slice(balancer.url.length);

	const page = await (await fetch(`${stack.server.url}${path}`)).text();
	const form = Object.fromEntries([...page.matchAll(/<input type="hidden" name="([a-z_]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
	expect(form.nonce).toBeTruthy();
	const pressed = await fetch(`${serverB.url}/api/action`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(form).toString(),
	});
	expect(pressed.status).toBe(200);
	expect(await pressed.text()).toContain('Consulta confirmada');
	const { rows } = await stack.db.query('SELECT status FROM barnum_clinic.appointments WHERE id = $1', [appointment]);
	expect(rows[0].status).toBe('confirmed');
});

test('6. rate limits are per server: through the balancer a client gets the per-server limit × 2', async () => {
	const statuses: number[] = [];
	for (let i = 0; i < 2 * ACTION_LIMIT + 2; i++) {
		const res = await fetch(`${balancer.url}/api/action?type=confirm&token=x`, { method: 'HEAD', headers: { 'x-forwarded-for': '203.0.113.7' } });
		statuses.push(res.status);
	}
	expect(statuses.slice(0, 2 * ACTION_LIMIT).every((s) => s === 200)).toBe(true);
	expect(statuses.slice(2 * ACTION_LIMIT)).toEqual([429, 429]);
	// Another client is counted on its own.
	expect((await fetch(`${balancer.url}/api/action?type=confirm&token=x`, { method: 'HEAD', headers: { 'x-forwarded-for': '203.0.113.8' } })).status).toBe(200);
});

test('7. a signed callback repeated on the other server is de-duplicated (PostgreSQL), and the outbox gauges agree', async () => {
	const [appointment] = await newAppointments(1);
	const body = JSON.stringify({ action: 'cancel', appointmentId: appointment, reason: 'queue-mode e2e' });
	const headers = { 'content-type': 'application/json', ...sign('standard-webhooks', {}, body, { secret: secretKeys(stack.local.secrets.webhookSecret)[0], id: 'msg_queue_e2e_1' }) };
	const first = await fetch(`${stack.server.url}/api/webhook`, { method: 'POST', headers, body });
	expect(first.status).toBe(200);
	const firstBody = await first.json();
	const repeat = await fetch(`${serverB.url}/api/webhook`, { method: 'POST', headers, body });
	expect(repeat.status).toBe(200);
	expect(repeat.headers.get('idempotent-replayed')).toBe('true');
	expect(await repeat.json()).toEqual(firstBody);

	const gauges = async (url: string) =>
		(await (await fetch(`${url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('barnum_outbox_events{')).sort();
	const [a, b] = [await gauges(stack.server.url), await gauges(serverB.url)];
	expect(a.length).toBeGreaterThan(0);
	expect(b).toEqual(a);
});

test('8. no execution of a bundled workflow failed, those cut off by the kills aside', async () => {
	const failures: string[] = [];
	for (const [name, id] of Object.entries(stack.workflows)) {
		for (const execution of await stack.n8n.executions(id)) {
			if (execution.status !== 'error' && execution.status !== 'crashed') continue;
			// What the killed worker was running, when n8n reports it (its job "stalled").
			const detail = JSON.stringify(await stack.n8n.rest.request('GET', `/executions/${execution.id}`));
			if (!detail.includes('failed to be processed too many times')) failures.push(`${name}: ${execution.id} ${execution.status}`);
		}
	}
	expect(failures).toEqual([]);
});
