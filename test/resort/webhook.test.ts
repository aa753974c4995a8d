import { sign } from '../../core/signatures';
import { secretKeys } from '../../core/signatures/secret-list';
import { loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/serve';
import { capturingLogger } from '../helpers/captured-logs';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { eventsOf, GUEST_KEY, native, nextId } from './fixtures';

/**
 * POST /api/bookings/webhook[/<platform>] over real HTTP against a real PostgreSQL: the four flows,
 * repeated deliveries, 400/401/500 with their reasons in the log, retries of database faults, and
 * the Cloudbeds mapping.
 */

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let db: TestDatabase;
let server: RunningServer;
const logs: Array<Record<string, unknown>> = [];

const baseEnv = { PORT: '0', BOOKING_WEBHOOK_SECRET: SECRET, GUEST_DATA_KEY: GUEST_KEY, BOOKING_DB_RETRY_DELAY_MS: '1' };

async function serve(env: Record<string, string> = {}): Promise<RunningServer> {
	return startServer(loadConfig({ ...baseEnv, DATABASE_URL: db.appUrl, ...env }), capturingLogger(logs));
}

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
	server = await serve();
});
afterAll(async () => {
	await server.stop();
	await db.drop();
});

interface PostOptions {
	platform?: string;
	secret?: string;
	id?: string;
	timestamp?: number;
	unsigned?: boolean;
	target?: RunningServer;
	headers?: Record<string, string>;
}

async function post(body: unknown, options: PostOptions = {}) {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	const signature = options.unsigned
		? {}
		: sign('standard-webhooks', {}, text, { secret: secretKeys(options.secret ?? SECRET)[0], id: options.id ?? nextId('msg'), timestamp: options.timestamp });
	const path = options.platform ? `/api/bookings/webhook/${options.platform}` : '/api/bookings/webhook';
	const response = await fetch(`${(options.target ?? server).url}${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...signature, ...options.headers },
		body: text,
	});
	return { status: response.status, body: await response.json(), headers: response.headers };
}

const bookingByReference = async (reference: string) =>
	(await db.admin.query('SELECT id, status FROM bookings WHERE external_id = $1', [reference])).rows[0] as { id: string; status: string } | undefined;

const logged = (status: number) => logs.filter((l) => l.msg === 'booking webhook' && l.status === status);

describe('the four flows over HTTP', () => {
	test('booking_started → booking_abandoned → reservation_confirmed → guest_checked_in', async () => {
		const started = await post(native('booking_started', 'WH-1', { occurredAt: new Date(Date.now() - 60_000) }));
		expect(started.status).toBe(200);
		expect(started.body).toMatchObject({ success: true, type: 'booking_started', status: 'started', outcome: 'applied', platform: 'barnum' });
		expect(started.body.scheduled).toEqual([expect.objectContaining({ eventType: 'booking.reminder', reminderNumber: 1 })]);

		const abandoned = await post(native('booking_abandoned', 'WH-1', { guest: null }));
		expect(abandoned.body).toMatchObject({ status: 'abandoned', previousStatus: 'started', cancelled: 1 });
		expect(abandoned.body.scheduled.map((s: { reminderNumber: number }) => s.reminderNumber)).toEqual([1, 2]);

		const confirmed = await post(native('reservation_confirmed', 'WH-1', { guest: null }));
		expect(confirmed.body).toMatchObject({ status: 'confirmed', cancelled: 2 });
		// The confirmation now; the pre-arrival message two days before, 10:00 in Lisbon; the check-out message 08:30 on the day.
		expect(confirmed.body.scheduled).toEqual([
			expect.objectContaining({ eventType: 'booking.confirmation' }),
			expect.objectContaining({ eventType: 'booking.pre_arrival', scheduledFor: '2031-07-08T09:00:00.000Z' }),
			expect.objectContaining({ eventType: 'booking.check_out', scheduledFor: '2031-07-14T07:30:00.000Z' }),
		]);

		const checkedIn = await post(native('guest_checked_in', 'WH-1', { guest: null }));
		expect(checkedIn.body).toMatchObject({ status: 'checked_in', scheduled: [expect.objectContaining({ eventType: 'booking.review_request' })] });
		// Check-out 2031-07-14 at 11:00 + 3 h, Lisbon summer time.
		expect(checkedIn.body.scheduled[0].scheduledFor).toBe('2031-07-14T13:00:00.000Z');

		const history = await db.admin.query(
			"SELECT to_status, actor FROM booking_status_history h JOIN bookings b ON b.id = h.booking_id WHERE b.external_id = 'WH-1' ORDER BY h.id",
		);
		expect(history.rows).toEqual(
			['started', 'abandoned', 'confirmed', 'checked_in'].map((to_status) => ({ to_status, actor: 'booking-webhook:barnum' })),
		);
	});

	test('an invalid guest phone is recorded and skipped: 200 with a note, not 400, not retried', async () => {
		const res = await post(native('booking_started', 'WH-2', { guest: { phone: '0912 345' } }));
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ success: true, status: 'started', scheduled: [], guest: { phoneStatus: 'invalid' } });
		expect(res.body.notes).toContain('abandonment check not scheduled: the guest phone number is invalid');
	});
});

describe('repeated deliveries', () => {
	test('the same event id gets the same answer and changes nothing', async () => {
		const event = native('booking_abandoned', 'WH-10');
		const first = await post(event);
		const bookingId = first.body.bookingId as string;
		const before = await eventsOf(db, bookingId);
		const again = await post(event);
		expect(again.status).toBe(200);
		expect(again.body).toEqual(first.body);
		expect(again.headers.get('idempotent-replayed')).toBe('true');
		expect(await eventsOf(db, bookingId)).toEqual(before);
		const activities = await db.admin.query('SELECT count(*)::int AS n FROM booking_activities WHERE booking_id = $1', [bookingId]);
		expect(activities.rows[0].n).toBe(1);
	});
});

describe('400: invalid payload or missing fields, named', () => {
	test.each([
		['not JSON', '{"type": "booking_started",', 'invalid_json', 'The body is not valid JSON'],
		['no booking id', { ...native('booking_abandoned', 'x'), booking: {} }, 'invalid_payload', 'booking.id: is required'],
		['no property', { ...native('booking_abandoned', 'x'), property: undefined }, 'invalid_payload', 'property: is required'],
		['an unknown type', { ...native('booking_abandoned', 'x'), type: 'booking_exploded' }, 'invalid_payload', /^type: must be one of booking_started, /],
		['no phone on booking_started', native('booking_started', 'x', { guest: { phone: undefined } }), 'invalid_payload', 'guest.phone: is required for booking_started'],
		['no dates on reservation_confirmed', native('reservation_confirmed', 'x', { booking: { checkIn: undefined, checkOut: undefined } }), 'invalid_payload', 'booking.checkIn: is required for reservation_confirmed; booking.checkOut: is required for reservation_confirmed'],
		['a local time without a zone', native('booking_abandoned', 'x', { occurredAt: '2026-03-01T10:00:00' }), 'invalid_payload', 'occurredAt: must say its timezone (Z or +01:00)'],
		['check-out before check-in', native('reservation_confirmed', 'x', { booking: { checkIn: '2031-07-10', checkOut: '2031-07-09' } }), 'invalid_payload', 'booking.checkOut: must be after booking.checkIn'],
	])('%s', async (_name, body, error, message) => {
		const res = await post(body);
		expect(res.status).toBe(400);
		expect(res.body).toMatchObject({ success: false, error });
		if (typeof message === 'string') expect(res.body.message).toBe(message);
		else expect(res.body.message).toMatch(message);
		expect(await bookingByReference('x')).toBeUndefined();
		expect(logged(400).at(-1)).toMatchObject({ level: 40, reason: res.body.message });
	});
});

describe('401: authentication failure', () => {
	test.each([
		['no signature', { unsigned: true }, 'missing_header'],
		['another secret', { secret: `whsec_${Buffer.from('attacker-secret-32-bytes-long!!!').toString('base64')}` }, 'signature_mismatch'],
		['a stale timestamp', { timestamp: Math.floor(Date.now() / 1000) - 600 }, 'timestamp_too_old'],
	])('%s: 401, logged with the reason, nothing recorded', async (_name, options, reason) => {
		const res = await post(native('booking_abandoned', 'WH-401'), options);
		expect(res.status).toBe(401);
		expect(res.body).toMatchObject({ success: false, error: 'invalid_signature' });
		expect(logged(401).at(-1)).toMatchObject({ level: 40, reason });
		expect(await bookingByReference('WH-401')).toBeUndefined();
	});

	test('the signature covers the raw bytes: a re-serialised body is refused', async () => {
		const text = `{"id":"${nextId()}",  "type":"booking_abandoned","occurredAt":"${new Date().toISOString()}","property":{"id":"praia-azul"},"booking":{"id":"WH-402"},"guest":{"name":"João 😀","phone":"+351912345678"}}`;
		const headers = sign('standard-webhooks', {}, text, { secret: secretKeys(SECRET)[0], id: nextId('msg') });
		const tampered = await fetch(`${server.url}/api/bookings/webhook`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body: JSON.stringify(JSON.parse(text)),
		});
		expect(tampered.status).toBe(401);
		const original = await fetch(`${server.url}/api/bookings/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
		expect(original.status).toBe(200);
	});
});

describe('500 only for server faults, after retrying the database', () => {
	/** Makes the next `failures` inserts into booking_activities fail with SQLSTATE `code` (a sequence counts across rollbacks). */
	async function injectFaults(failures: number, code = '40001') {
		await db.admin.query(`
			DROP TRIGGER IF EXISTS test_fault ON booking_activities;
			DROP SEQUENCE IF EXISTS barnum.test_faults;
			CREATE SEQUENCE barnum.test_faults;
			CREATE OR REPLACE FUNCTION test_fault() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
			BEGIN
				IF nextval('barnum.test_faults') <= ${failures} THEN
					RAISE EXCEPTION 'injected fault' USING ERRCODE = '${code}';
				END IF;
				RETURN NEW;
			END $$;
			CREATE TRIGGER test_fault BEFORE INSERT ON booking_activities FOR EACH ROW EXECUTE FUNCTION test_fault();`);
	}
	const attempts = async () => Number((await db.admin.query('SELECT last_value, is_called FROM barnum.test_faults')).rows[0].last_value);
	afterEach(() => db.admin.query('DROP TRIGGER IF EXISTS test_fault ON booking_activities'));

	test('a fault that persists across 3 attempts answers 500, logged; nothing is recorded and the platform\'s retry succeeds', async () => {
		await injectFaults(1000);
		const event = native('booking_abandoned', 'WH-500');
		const res = await post(event);
		expect(res.status).toBe(500);
		expect(res.body).toEqual({ success: false, error: 'internal_error', message: 'The event could not be recorded; retry later' });
		expect(await attempts()).toBe(3);
		expect(logged(500).at(-1)).toMatchObject({ level: 50, attempts: 3, transient: true, reason: 'injected fault' });
		expect(logs.filter((l) => l.msg === 'booking webhook: database fault, retrying' && l.eventId === event.id)).toHaveLength(2);
		expect(await bookingByReference('WH-500')).toBeUndefined();

		await db.admin.query('DROP TRIGGER test_fault ON booking_activities');
		const retry = await post(event);
		expect(retry.status).toBe(200);
		expect(retry.headers.get('idempotent-replayed')).toBeNull();
		expect((await bookingByReference('WH-500'))?.status).toBe('abandoned');
	});

	test('two transient faults (a deadlock, a lost connection), then success: 200', async () => {
		await injectFaults(1, '40P01');
		const a = await post(native('booking_abandoned', 'WH-501'));
		expect(a.status).toBe(200);
		expect(await attempts()).toBe(2);
		await injectFaults(2, '57P01');
		const b = await post(native('booking_abandoned', 'WH-502'));
		expect(b.status).toBe(200);
		expect(await attempts()).toBe(3);
		expect(b.body).toMatchObject({ success: true, status: 'abandoned' });
	});

	test('a fault that cannot heal by retrying (a lost privilege) is not retried: 500 at once', async () => {
		await db.admin.query('REVOKE INSERT ON booking_activities FROM barnum_app');
		try {
			const res = await post(native('booking_abandoned', 'WH-503'));
			expect(res.status).toBe(500);
			expect(logged(500).at(-1)).toMatchObject({ attempts: 1, transient: false, reason: expect.stringMatching(/permission denied/) });
		} finally {
			await db.admin.query('GRANT INSERT ON booking_activities TO barnum_app');
		}
		expect(await bookingByReference('WH-503')).toBeUndefined();
	});
});

describe('Cloudbeds reservation/status_changed', () => {
	const PROPERTY = 200123;
	const cloudbeds = (reservationID: string, status: string, extra: Record<string, unknown> = {}) => ({
		version: '1.0',
		event: 'reservation/status_changed',
		timestamp: Date.now() / 1000,
		propertyID: PROPERTY,
		reservationID,
		status,
		...extra,
	});

	beforeAll(async () => {
		// The guest and dates came earlier, from an n8n workflow that read the reservation from Cloudbeds' API.
		await post(
			native('booking_started', 'CB-1', {
				platform: 'cloudbeds',
				property: { id: String(PROPERTY), name: 'Cloudbeds Resort' },
				booking: { checkIn: '2031-08-01', checkOut: '2031-08-05' },
				occurredAt: new Date(Date.now() - 120_000),
			}),
		);
	});

	test('confirmed → reservation_confirmed: reminders cancelled, confirmation sent to the guest recorded earlier', async () => {
		const res = await post(cloudbeds('CB-1', 'confirmed'), { platform: 'cloudbeds' });
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ type: 'reservation_confirmed', platform: 'cloudbeds', status: 'confirmed', previousStatus: 'started', cancelled: 1 });
		expect(res.body.scheduled.map((m: { eventType: string }) => m.eventType)).toEqual(['booking.confirmation', 'booking.pre_arrival', 'booking.check_out']);
	});

	test('checked_in → guest_checked_in: the review request from the check-out date recorded earlier', async () => {
		const res = await post(cloudbeds('CB-1', 'checked_in'), { platform: 'cloudbeds' });
		expect(res.body).toMatchObject({ type: 'guest_checked_in', status: 'checked_in' });
		expect(res.body.scheduled).toEqual([{ eventId: expect.any(String), eventType: 'booking.review_request', scheduledFor: '2031-08-05T13:00:00.000Z' }]);
	});

	test('a reservation Barnum has not seen is recorded without a message, says why, and has its details read from the Cloudbeds API', async () => {
		const res = await post(cloudbeds('CB-2', 'confirmed'), { platform: 'cloudbeds' });
		expect(res.body).toMatchObject({ status: 'confirmed', previousStatus: null, guest: null });
		expect(res.body.scheduled).toEqual([expect.objectContaining({ eventType: 'booking.details_needed' })]);
		expect(res.body.notes).toEqual(
			expect.arrayContaining([
				'confirmation not scheduled: no guest is known for this booking',
				'the guest and dates are read from the cloudbeds API (booking.details_needed)',
			]),
		);
		const [details] = await eventsOf(db, res.body.bookingId);
		expect(details.payload).toMatchObject({
			platform: 'cloudbeds',
			api_url: 'https://api.cloudbeds.com/api/v1.3',
			property_id: '200123',
			reservation_id: 'CB-2',
			event_type: 'reservation_confirmed',
		});
		// Once per booking: a second status without a guest asks for nothing more.
		const again = await post(cloudbeds('CB-2', 'checked_in'), { platform: 'cloudbeds' });
		expect(again.body.scheduled).toEqual([]);
	});

	test('canceled cancels the booking\'s pending messages: the confirmation not yet sent, the check-out message and the review request', async () => {
		const res = await post(cloudbeds('CB-1', 'canceled'), { platform: 'cloudbeds' });
		expect(res.body).toMatchObject({ type: 'booking_cancelled', status: 'cancelled', previousStatus: 'checked_in', cancelled: 3 });
		const pending = (await eventsOf(db, res.body.bookingId)).filter((e) => e.status === 'pending');
		expect(pending).toEqual([]);
	});

	test.each([
		[cloudbeds('CB-3', 'not_confirmed'), 'Cloudbeds status "not_confirmed" needs no message'],
		[cloudbeds('CB-3', 'no_show'), 'Cloudbeds status "no_show" needs no message'],
		[cloudbeds('CB-3', 'in_house'), 'Cloudbeds status "in_house" needs no message'],
		[cloudbeds('CB-3', 'confirmed', { event: 'reservation/created' }), 'Cloudbeds event "reservation/created" is not handled'],
	])('other statuses and events are answered 200 with the reason, and ignored', async (body, reason) => {
		const res = await post(body, { platform: 'cloudbeds' });
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ success: true, ignored: true, eventId: expect.any(String), reason });
		expect(await bookingByReference('CB-3')).toBeUndefined();
	});

	test('a malformed Cloudbeds payload is a 400 naming Cloudbeds\' own fields', async () => {
		const res = await post({ event: 'reservation/status_changed', timestamp: 'soon', propertyID: PROPERTY, status: 'confirmed' }, { platform: 'cloudbeds' });
		expect(res.status).toBe(400);
		expect(res.body.message).toBe('timestamp: must be unix seconds; reservationID: is required');
	});

	test('a repeated Cloudbeds delivery (same webhook-id) is answered from the first', async () => {
		const body = cloudbeds('CB-4', 'confirmed');
		const first = await post(body, { platform: 'cloudbeds', id: 'msg_cloudbeds_repeat' });
		const again = await post(body, { platform: 'cloudbeds', id: 'msg_cloudbeds_repeat' });
		expect(again.body).toEqual(first.body);
		expect(again.headers.get('idempotent-replayed')).toBe('true');
	});
});

describe('the endpoint\'s guards', () => {
	test('an unknown platform is a 404', async () => {
		const res = await post(native('booking_abandoned', 'WH-600'), { platform: 'booking-dot-nowhere' });
		expect(res).toMatchObject({ status: 404, body: { success: false, error: 'unknown_platform' } });
	});

	test('without a secret or a guest data key the endpoint accepts nothing (503)', async () => {
		const bare = await serve({ GUEST_DATA_KEY: '' });
		try {
			const res = await post(native('booking_abandoned', 'WH-601'), { target: bare });
			expect(res).toMatchObject({ status: 503, body: { error: 'not_configured' } });
		} finally {
			await bare.stop();
		}
	});

	test('a platform that signs its own way: the custom scheme (hex HMAC in X-Booking-Signature)', async () => {
		const custom = await serve({
			BOOKING_SIGNATURE_SCHEME: 'custom',
			BOOKING_SIGNATURE_HEADER: 'X-Booking-Signature',
			BOOKING_SIGNATURE_PREFIX: 'sha256=',
			BOOKING_WEBHOOK_SECRET: 'a-plain-shared-secret-from-the-platform',
		});
		try {
			const text = JSON.stringify(native('booking_abandoned', 'WH-602'));
			const headers = sign(
				'custom',
				{ signatureHeader: 'X-Booking-Signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' },
				text,
				{ secret: secretKeys('a-plain-shared-secret-from-the-platform')[0] },
			);
			const ok = await fetch(`${custom.url}/api/bookings/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
			expect(ok.status).toBe(200);
			const standard = await post(native('booking_abandoned', 'WH-603'), { target: custom });
			expect(standard.status).toBe(401);
		} finally {
			await custom.stop();
		}
	});

	test('the IP allowlist answers 403 before reading anything; the rate limit 429', async () => {
		const guarded = await serve({ BOOKING_IP_ALLOWLIST: '10.0.0.0/8' });
		const limited = await serve({ RATE_LIMIT_BOOKING_PER_MINUTE: '2' });
		try {
			expect((await post(native('booking_abandoned', 'WH-604'), { target: guarded })).status).toBe(403);
			const statuses = [];
			for (let i = 0; i < 3; i++) statuses.push((await post('{}', { target: limited })).status);
			expect(statuses).toEqual([400, 400, 429]);
		} finally {
			await guarded.stop();
			await limited.stop();
		}
	});

	test('requests are counted on /metrics by platform, type and status', async () => {
		const text = await (await fetch(`${server.url}/metrics`)).text();
		expect(text).toMatch(/barnum_booking_webhook_requests_total\{platform="barnum",type="booking_abandoned",status="200"\} \d+/);
		expect(text).toMatch(/barnum_booking_webhook_requests_total\{platform="cloudbeds",type="unknown",status="400"\} 1/);
		expect(text).toMatch(/barnum_booking_webhook_db_retries_total\{platform="barnum"\} [1-9]/);
	});
});
