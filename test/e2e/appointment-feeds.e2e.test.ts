import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sign } from '../../core/signatures';
import { startStack, type Stack } from './stack/stack';
import { until } from './stack/run';

/**
 * The appointment feeds in a real n8n. workflows/calcom-appointments.json: Cal.com's documented
 * webhook payloads (docs/developing/guides/automation/webhooks.mdx; BOOKING_RESCHEDULED's
 * rescheduleUid and BOOKING_NO_SHOW_UPDATED's shape from packages/features/webhooks/lib/sendPayload.ts),
 * signed as Cal.com signs them, become appointments in barnum_clinic, and their messages follow.
 * workflows/examples/postgres-appointments-sync.json: rows of another schema, read on a schedule.
 */

let stack: Stack;
let webhookUrl: string;
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
	stack = await startStack();
	const workflow = JSON.parse(readFileSync(path.join(__dirname, '../../workflows/calcom-appointments.json'), 'utf8')) as {
		nodes: Array<{ type: string; webhookId?: string }>;
	};
	const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-barnum.barnumWebhookTrigger')!;
	webhookUrl = `${stack.n8n.url}/webhook/${trigger.webhookId}/webhook`;
}, 900_000);
afterAll(() => stack?.stop());

/** Cal.com's body is JSON.stringify({ triggerEvent, createdAt, payload }), signed as it is sent. */
async function deliver(triggerEvent: string, payload: Record<string, unknown>, secret = stack.secrets.calcomWebhook) {
	const body = JSON.stringify({ triggerEvent, createdAt: new Date().toISOString(), payload });
	const headers = { 'content-type': 'application/json', ...sign('calcom', {}, body, { secret }) };
	return fetch(webhookUrl, { method: 'POST', headers, body });
}

/** The documented BOOKING_CREATED payload, with a phone answer and a start days from now. */
function booking(uid: string, start: Date, phone: string | null = '+351912340001'): Record<string, unknown> {
	return {
		type: '60min',
		title: '60min between Pro Example and João Conceição',
		description: '',
		additionalNotes: '',
		customInputs: {},
		startTime: start.toISOString().replace('.000Z', 'Z'),
		endTime: new Date(start.getTime() + 3_600_000).toISOString().replace('.000Z', 'Z'),
		organizer: { id: 5, name: 'Pro Example', email: 'pro@example.com', username: 'pro', timeZone: 'Europe/Lisbon', language: { locale: 'pt' }, timeFormat: 'h:mma' },
		responses: {
			name: { label: 'your_name', value: 'João Conceição' },
			email: { label: 'email_address', value: 'joao@example.com' },
			...(phone ? { attendeePhoneNumber: { label: 'phone_number', value: phone } } : {}),
		},
		userFieldsResponses: {},
		attendees: [{ email: 'joao@example.com', name: 'João Conceição', timeZone: 'Europe/Lisbon', language: { locale: 'pt' } }],
		location: 'Calcom HQ',
		hideCalendarNotes: false,
		requiresConfirmation: null,
		eventTypeId: 7,
		seatsShowAttendees: true,
		seatsPerTimeSlot: null,
		uid,
		eventTitle: '60min',
		eventDescription: '',
		price: 0,
		currency: 'usd',
		length: 60,
		bookingId: 91,
		metadata: {},
		status: 'ACCEPTED',
	};
}

const inDays = (days: number) => new Date(Math.ceil((Date.now() + days * DAY) / 3_600_000) * 3_600_000);

const appointmentOf = async (uid: string) =>
	(await stack.db.query("SELECT * FROM barnum_clinic.appointments WHERE source = 'cal.com' AND external_id = $1", [uid])).rows[0];
const eventsOf = async (appointmentId: string) =>
	(await stack.db.query('SELECT event_type, status, status_reason FROM barnum.whatsapp_events WHERE entity_id = $1 ORDER BY created_at, scheduled_for', [appointmentId])).rows;
const executions = async (status: string) =>
	(await stack.n8n.executions(stack.workflows['calcom-appointments'])).filter((e) => e.status === status).length;

test('booking created → an appointment with its pre-confirmation sent; the same delivery again changes nothing', async () => {
	const start = inDays(5);
	expect((await deliver('BOOKING_CREATED', booking('e2e-uid-1', start))).status).toBe(200);
	const appointment = await until(() => appointmentOf('e2e-uid-1'), 'the appointment', 60_000);
	expect(appointment.starts_at).toEqual(start);
	expect(appointment.duration_minutes).toBe(60);
	await until(async () => (await eventsOf(appointment.id)).some((e) => e.event_type === 'appointment.pre_confirmed' && e.status === 'sent'), 'the pre-confirmation to be sent', 60_000);

	const succeeded = await executions('success');
	expect((await deliver('BOOKING_CREATED', booking('e2e-uid-1', start))).status).toBe(200);
	await until(async () => (await executions('success')) > succeeded, 'the repeat to run', 60_000);
	const events = await eventsOf(appointment.id);
	expect(events.filter((e) => e.event_type === 'appointment.pre_confirmed')).toHaveLength(1);
	expect(events.filter((e) => e.event_type === 'appointment.reminder')).toHaveLength(1);
	expect(Number((await stack.db.query("SELECT count(*) FROM barnum_clinic.appointments WHERE source = 'cal.com'")).rows[0].count)).toBe(1);
});

test('booking rescheduled (a new uid naming the old one) moves the appointment and its reminder; cancelled stops them', async () => {
	const { id } = await appointmentOf('e2e-uid-1');
	const later = inDays(8);
	const moved = { ...booking('e2e-uid-2', later), rescheduleUid: 'e2e-uid-1', rescheduleId: 91, rescheduleStartTime: inDays(5).toISOString() };
	expect((await deliver('BOOKING_RESCHEDULED', moved)).status).toBe(200);
	const appointment = await until(() => appointmentOf('e2e-uid-2'), 'the moved appointment', 60_000);
	expect(appointment.id).toBe(id);
	expect(appointment.starts_at).toEqual(later);
	expect((await eventsOf(id)).filter((e) => e.event_type === 'appointment.reminder').map((e) => [e.status, e.status_reason])).toEqual([
		['cancelled', 'superseded: appointment rescheduled'],
		['pending', null],
	]);

	expect((await deliver('BOOKING_CANCELLED', { ...booking('e2e-uid-2', later), status: 'CANCELLED', cancellationReason: 'Viagem' })).status).toBe(200);
	await until(async () => (await appointmentOf('e2e-uid-2')).status === 'cancelled', 'the cancellation', 60_000);
	expect((await appointmentOf('e2e-uid-2')).cancellation_reason).toBe('Viagem');
	expect((await eventsOf(id)).filter((e) => e.status === 'pending')).toEqual([]);
});

test('booking no-show updated → the appointment is a no-show and its reschedule prompt is planned', async () => {
	expect((await deliver('BOOKING_CREATED', booking('e2e-uid-3', inDays(2), '+351912340003'))).status).toBe(200);
	const { id } = await until(() => appointmentOf('e2e-uid-3'), 'the appointment', 60_000);
	const noShow = { message: 'x_marked_as_no_show', bookingUid: 'e2e-uid-3', bookingId: 93, attendees: [{ email: 'joao@example.com', noShow: true }] };
	expect((await deliver('BOOKING_NO_SHOW_UPDATED', noShow)).status).toBe(200);
	await until(async () => (await appointmentOf('e2e-uid-3')).status === 'no_show', 'the no-show', 60_000);
	expect((await eventsOf(id)).filter((e) => e.event_type === 'appointment.no_show')).toHaveLength(1);
});

test('a wrong signature is answered 401 and runs nothing; a booking without a phone fails its execution and writes nothing', async () => {
	const before = (await stack.n8n.executions(stack.workflows['calcom-appointments'])).length;
	expect((await deliver('BOOKING_CREATED', booking('e2e-uid-forged', inDays(3)), 'not-the-secret')).status).toBe(401);
	const failed = await executions('error');
	expect((await deliver('BOOKING_CREATED', booking('e2e-uid-4', inDays(3), null))).status).toBe(200);
	await until(async () => (await executions('error')) > failed, 'the phone-less booking to fail', 60_000);
	expect(await appointmentOf('e2e-uid-4')).toBeUndefined();
	expect(await appointmentOf('e2e-uid-forged')).toBeUndefined();
	expect((await stack.n8n.executions(stack.workflows['calcom-appointments'])).length).toBe(before + 1);
});

describe('examples/postgres-appointments-sync.json', () => {
	let workflowId: string;
	const practiceAppointment = async (id: number) =>
		(await stack.db.query("SELECT * FROM barnum_clinic.appointments WHERE source = 'practice-db' AND external_id = $1", [String(id)])).rows[0];

	beforeAll(async () => {
		// The practice system's own tables, readable by the login n8n's Postgres credential uses.
		const login = new URL(stack.local.database.n8nUrl);
		await stack.db.query(`
			CREATE SCHEMA practice;
			CREATE TABLE practice.doctors (id integer PRIMARY KEY, name text NOT NULL);
			CREATE TABLE practice.patients (id integer PRIMARY KEY, full_name text NOT NULL, mobile text, email text, language text);
			CREATE TABLE practice.appointments (id integer PRIMARY KEY, patient_id integer NOT NULL REFERENCES practice.patients, doctor_id integer REFERENCES practice.doctors,
			  starts_at timestamptz NOT NULL, duration_minutes integer, status text NOT NULL, notes text, updated_at timestamptz NOT NULL DEFAULT clock_timestamp());
			INSERT INTO practice.doctors VALUES (1, 'Dra. Inês Lopes');
			INSERT INTO practice.patients VALUES (10, 'Rui Costa', '+351 933 000 111', 'rui@example.com', 'pt'), (11, 'Sem Telefone', NULL, NULL, NULL);
			INSERT INTO practice.appointments (id, patient_id, doctor_id, starts_at, duration_minutes, status) VALUES
			  (100, 10, 1, date_trunc('hour', now()) + interval '6 days', 20, 'booked'),
			  (101, 11, 1, date_trunc('hour', now()) + interval '6 days', 20, 'booked');
			GRANT USAGE ON SCHEMA practice TO ${login.username};
			GRANT SELECT ON ALL TABLES IN SCHEMA practice TO ${login.username};
		`);
		const credential = await stack.n8n.rest.request<{ id: string }>('POST', '/credentials', {
			name: 'Practice database',
			type: 'postgres',
			data: {
				host: login.hostname,
				port: Number(login.port),
				database: login.pathname.slice(1),
				user: decodeURIComponent(login.username),
				password: decodeURIComponent(login.password),
				ssl: 'disable',
			},
		});
		const workflow = JSON.parse(readFileSync(path.join(__dirname, '../../workflows/examples/postgres-appointments-sync.json'), 'utf8')) as {
			name: string;
			nodes: Array<{ type: string; parameters: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> }>;
			connections: unknown;
			settings: unknown;
		};
		for (const node of workflow.nodes) {
			if (node.credentials?.postgres) node.credentials.postgres.id = credential.id;
			// The same workflow, on a faster clock than every 5 minutes.
			if (node.type === 'n8n-nodes-base.scheduleTrigger') node.parameters.rule = { interval: [{ field: 'seconds', secondsInterval: 5 }] };
		}
		const created = await stack.n8n.rest.request<{ id: string }>('POST', '/workflows', {
			name: workflow.name,
			nodes: workflow.nodes,
			connections: workflow.connections,
			settings: workflow.settings,
		});
		workflowId = created.id;
		await stack.n8n.rest.activate(workflowId);
	}, 120_000);

	test('rows changed since the last run become appointments; a row without a phone is refused; a move moves the reminder', async () => {
		const first = await until(() => practiceAppointment(100), 'the practice appointment', 60_000);
		expect(first).toMatchObject({ duration_minutes: 20, status: 'scheduled' });
		expect(await practiceAppointment(101)).toBeUndefined();
		const patient = await stack.db.query('SELECT name, phone, locale, external_id FROM barnum_clinic.patients WHERE id = $1', [first.patient_id]);
		expect(patient.rows[0]).toEqual({ name: 'Rui Costa', phone: '+351933000111', locale: 'pt-PT', external_id: '10' });

		// Later runs read the boundary row again and change nothing.
		const runs = async () => (await stack.n8n.executions(workflowId)).filter((e) => e.status === 'success').length;
		const before = await runs();
		await until(async () => (await runs()) >= before + 2, 'two more runs', 60_000);
		expect((await eventsOf(first.id)).filter((e) => e.event_type === 'appointment.pre_confirmed')).toHaveLength(1);

		await stack.db.query("UPDATE practice.appointments SET starts_at = starts_at + interval '1 day', updated_at = clock_timestamp() WHERE id = 100");
		await until(async () => (await practiceAppointment(100)).starts_at.getTime() === first.starts_at.getTime() + DAY, 'the move', 60_000);
		expect((await eventsOf(first.id)).filter((e) => e.event_type === 'appointment.reminder').map((e) => e.status)).toEqual(['cancelled', 'pending']);
		expect((await stack.n8n.executions(workflowId)).filter((e) => e.status === 'error')).toEqual([]);
	});
});
