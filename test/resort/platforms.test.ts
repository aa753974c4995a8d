import { ConfigError, loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/serve';
import { capturingLogger } from '../helpers/captured-logs';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { eventsOf, GUEST_KEY } from './fixtures';
import { beds24, channex, hostaway, mews } from './platform-payloads';

/**
 * The booking platforms as they really send, over real HTTP against a real PostgreSQL: each
 * authentication mode (URL token, HTTP Basic, secret header, allowlist-only, with and without the
 * platform's IP allowlist), each platform's documented payloads mapped onto the stay, and the
 * settings that cannot work refused at start.
 */

const MEWS_TOKEN = 'mews-token-0123456789abcdef';
const MEWS_OLD_TOKEN = 'mews-old-token-0123456789ab';
const HOSTAWAY = { user: 'barnum', password: 'hostaway-password-0123456789' };
const CHANNEX_KEY = 'channex-header-value-0123456';
const BEDS24_KEY = 'beds24-header-value-01234567';

const platformEnv = {
	BOOKING_MEWS_SECRET: `${MEWS_TOKEN},${MEWS_OLD_TOKEN}`,
	BOOKING_HOSTAWAY_USER: HOSTAWAY.user,
	BOOKING_HOSTAWAY_SECRET: HOSTAWAY.password,
	BOOKING_CHANNEX_SECRET: CHANNEX_KEY,
	BOOKING_CHANNEX_HEADER: 'X-Channex-Key',
	BOOKING_BEDS24_SECRET: BEDS24_KEY,
};

let db: TestDatabase;
let server: RunningServer;
const logs: Array<Record<string, unknown>> = [];

const serve = (env: Record<string, string> = {}) =>
	startServer(loadConfig({ PORT: '0', DATABASE_URL: db.appUrl, GUEST_DATA_KEY: GUEST_KEY, ...platformEnv, ...env }), capturingLogger(logs));

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
	server = await serve();
});
afterAll(async () => {
	await server.stop();
	await db.drop();
});

/** The receiver's answer as JSON.parse gives it: the tests read whichever fields they check. */
type Answer = ReturnType<typeof JSON.parse>;

interface Sent {
	status: number;
	body: Answer;
	headers: Headers;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}, target = server): Promise<Sent> {
	const response = await fetch(`${target.url}/api/bookings/webhook/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
	return { status: response.status, body: (await response.json()) as Answer, headers: response.headers };
}

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const asHostaway = basic(HOSTAWAY.user, HOSTAWAY.password);
const asChannex = { 'x-channex-key': CHANNEX_KEY };
const asBeds24 = { 'x-barnum-token': BEDS24_KEY };

const bookingCount = async () => Number((await db.admin.query('SELECT count(*) FROM bookings')).rows[0].count);
const booking = async (platform: string, reference: string) =>
	(
		await db.admin.query(
			"SELECT b.id, b.status, to_char(b.check_in, 'YYYY-MM-DD') AS check_in, to_char(b.check_out, 'YYYY-MM-DD') AS check_out, g.phone_status FROM bookings b LEFT JOIN guests g ON g.id = b.guest_id WHERE b.platform = $1 AND b.external_id = $2",
			[platform, reference],
		)
	).rows[0] as { id: string; status: string; check_in: string; check_out: string; phone_status: string } | undefined;
const pendingTypes = async (bookingId: string) =>
	(await eventsOf(db, bookingId)).filter((e) => e.status === 'pending').map((e) => e.event_type).sort();

describe('authentication modes', () => {
	test('token: in the path or the query, either secret during a rotation; the path token never reaches the log', async () => {
		const inPath = await post(`mews/${MEWS_TOKEN}`, mews([{ id: 'mews-auth-1', state: 'Confirmed' }]));
		expect(inPath.status).toBe(200);
		const inQuery = await post(`mews?token=${MEWS_OLD_TOKEN}`, mews([{ id: 'mews-auth-2', state: 'Confirmed' }]));
		expect(inQuery.status).toBe(200);
		const lines = logs.filter((l) => typeof (l.req as { url?: string } | undefined)?.url === 'string').map((l) => (l.req as { url: string }).url);
		expect(lines.some((url) => url.includes(MEWS_TOKEN) || url.includes(MEWS_OLD_TOKEN))).toBe(false);
		expect(lines).toContain('/api/bookings/webhook/mews/[redacted]');
	});

	test.each([
		['a wrong token', `mews/not-the-token-0123456789`, 'invalid_token'],
		['no token', 'mews', 'missing_token'],
	])('token: %s is 401 and creates nothing', async (_what, path, reason) => {
		const before = await bookingCount();
		const res = await post(path, mews([{ id: 'mews-auth-x', state: 'Confirmed' }]));
		expect(res.status).toBe(401);
		expect(res.body).toMatchObject({ success: false, error: 'unauthorized' });
		expect(await bookingCount()).toBe(before);
		expect(logs.some((l) => l.msg === 'booking webhook' && l.status === 401 && l.reason === reason)).toBe(true);
	});

	test('a token in the path of a platform that takes none, or of no platform, is 404 and creates nothing', async () => {
		const before = await bookingCount();
		expect((await post(`hostaway/${MEWS_TOKEN}`, hostaway('reservation.created', 9001), asHostaway)).status).toBe(404);
		expect((await post(`expedia/${MEWS_TOKEN}`, {})).status).toBe(404);
		expect((await post('expedia', hostaway('reservation.created', 9002))).body).toMatchObject({ error: 'unknown_platform' });
		expect(await bookingCount()).toBe(before);
	});

	test('basic: the right user and password pass; a wrong one is 401 with a Basic challenge', async () => {
		expect((await post('hostaway', hostaway('reservation.created', 9101), asHostaway)).status).toBe(200);
		for (const headers of [basic(HOSTAWAY.user, 'wrong-password-0123456789'), basic('someone', HOSTAWAY.password), {}]) {
			const res = await post('hostaway', hostaway('reservation.created', 9102), headers);
			expect(res.status).toBe(401);
			expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
		}
		expect(await booking('hostaway', '9102')).toBeUndefined();
	});

	test('header: the configured header with the secret passes; a wrong or missing one is 401', async () => {
		expect((await post('channex', channex('booking_new', 'chx-auth-1', 'rev-1'), asChannex)).status).toBe(200);
		expect((await post('channex', channex('booking_new', 'chx-auth-2', 'rev-1'), { 'x-channex-key': 'wrong-value-0123456789abc' })).status).toBe(401);
		expect((await post('channex', channex('booking_new', 'chx-auth-2', 'rev-1'), asBeds24)).body).toMatchObject({ message: 'the x-channex-key header is required' });
		expect(await booking('channex', 'chx-auth-2')).toBeUndefined();
	});

	test('the platform\'s IP allowlist comes first (403), then its secret (401)', async () => {
		const elsewhere = await serve({ BOOKING_HOSTAWAY_IP_ALLOWLIST: '10.0.0.0/8' });
		const here = await serve({ BOOKING_HOSTAWAY_IP_ALLOWLIST: '127.0.0.1' });
		try {
			expect((await post('hostaway', hostaway('reservation.created', 9201), asHostaway, elsewhere)).status).toBe(403);
			expect((await post('hostaway', hostaway('reservation.created', 9201), basic(HOSTAWAY.user, 'nope-nope-nope-nope-1'), here)).status).toBe(401);
			expect((await post('hostaway', hostaway('reservation.created', 9201), asHostaway, here)).status).toBe(200);
			// Another platform is not held to Hostaway's addresses.
			expect((await post('beds24', beds24(9201), asBeds24, elsewhere)).status).toBe(200);
		} finally {
			await elsewhere.stop();
			await here.stop();
		}
	});

	test('allowlist-only: chosen explicitly, warned about at start, and lets in the listed addresses alone', async () => {
		const open = await serve({ BOOKING_BEDS24_AUTH: 'allowlist-only', BOOKING_BEDS24_SECRET: '', BOOKING_BEDS24_IP_ALLOWLIST: '127.0.0.1' });
		const closed = await serve({ BOOKING_BEDS24_AUTH: 'allowlist-only', BOOKING_BEDS24_SECRET: '', BOOKING_BEDS24_IP_ALLOWLIST: '192.0.2.0/24' });
		try {
			expect((await post('beds24', beds24(9301), {}, open)).status).toBe(200);
			expect((await post('beds24', beds24(9302), asBeds24, closed)).status).toBe(403);
			expect(await booking('beds24', '9302')).toBeUndefined();
			expect(logs.some((l) => l.level === 40 && l.platform === 'beds24' && String(l.msg).includes('BOOKING_BEDS24_AUTH=allowlist-only'))).toBe(true);
		} finally {
			await open.stop();
			await closed.stop();
		}
	});

	test('a platform with no secret is not configured: 503, nothing read', async () => {
		const bare = await serve({ BOOKING_BEDS24_SECRET: '' });
		try {
			const res = await post('beds24', beds24(9401), asBeds24, bare);
			expect(res.status).toBe(503);
			expect(res.body.message).toContain('BOOKING_BEDS24_SECRET');
		} finally {
			await bare.stop();
		}
	});
});

describe('settings that cannot work fail the start, each named', () => {
	const base = { GUEST_DATA_KEY: GUEST_KEY };
	test.each([
		[{ BOOKING_BEDS24_AUTH: 'allowlist-only' }, 'BOOKING_BEDS24_IP_ALLOWLIST: is required with BOOKING_BEDS24_AUTH=allowlist-only'],
		[{ BOOKING_BEDS24_AUTH: 'allowlist-only', BOOKING_BEDS24_IP_ALLOWLIST: '127.0.0.1', BOOKING_BEDS24_SECRET: BEDS24_KEY }, 'BOOKING_BEDS24_SECRET: allowlist-only checks no secret'],
		[{ BOOKING_HOSTAWAY_SECRET: HOSTAWAY.password }, 'BOOKING_HOSTAWAY_USER: is required with basic authentication'],
		[{ BOOKING_HOSTAWAY_AUTH: 'basic' }, 'BOOKING_HOSTAWAY_SECRET: is required with basic authentication'],
		[{ BOOKING_MEWS_SECRET: 'short' }, 'BOOKING_MEWS_SECRET: each must be at least 16 characters'],
		[{ BOOKING_MEWS_SECRET: 'has/slash/0123456789abcdef' }, 'BOOKING_MEWS_SECRET: a URL token may use only'],
		[{ BOOKING_MEWS_USER: 'someone' }, 'BOOKING_MEWS_USER: is set, but mews authenticates with token, not basic'],
		[{ BOOKING_CHANNEX_AUTH: 'hmac' }, 'BOOKING_CHANNEX_AUTH: must be one of signature, token, basic, header, allowlist-only'],
		[{ BOOKING_CHANNEX_HEADER: 'Authorization', BOOKING_CHANNEX_SECRET: CHANNEX_KEY }, 'BOOKING_CHANNEX_HEADER: authorization is not a header'],
		[{ BOOKING_HOSTAWY_SECRET: HOSTAWAY.password }, 'BOOKING_HOSTAWY_SECRET: there is no booking platform "hostawy"'],
		[{ BOOKING_BEDS24_AUTH: 'signature' }, 'BOOKING_BEDS24_SECRET: is required with signature authentication (or BOOKING_WEBHOOK_SECRET)'],
	])('%j', (env, message) => {
		expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
		expect(() => loadConfig({ ...base, ...env })).toThrow(message);
	});
});

describe('Mews: general webhooks with their entities', () => {
	test('Confirmed → the confirmation and the stay\'s messages; Started → checked in; Processed → checked out', async () => {
		const confirmed = await post(`mews/${MEWS_TOKEN}`, mews([{ id: 'mews-r-1', state: 'Confirmed' }]));
		expect(confirmed.body).toMatchObject({ type: 'booking_modified', platform: 'mews', status: 'confirmed', previousStatus: null, guest: { phoneStatus: 'valid' } });
		const row = await booking('mews', 'mews-r-1');
		expect(row).toMatchObject({ status: 'confirmed', check_in: '2031-07-10', check_out: '2031-07-14', phone_status: 'valid' });
		expect(await pendingTypes(row!.id)).toEqual(['booking.check_out', 'booking.confirmation', 'booking.pre_arrival']);

		const started = await post(`mews/${MEWS_TOKEN}`, mews([{ id: 'mews-r-1', state: 'Started' }]));
		expect(started.body).toMatchObject({ type: 'guest_checked_in', status: 'checked_in' });
		expect(await pendingTypes(row!.id)).toEqual(['booking.check_out', 'booking.confirmation', 'booking.review_request']);

		const processed = await post(`mews/${MEWS_TOKEN}`, mews([{ id: 'mews-r-1', state: 'Processed' }]));
		expect(processed.body).toMatchObject({ type: 'guest_checked_out', status: 'checked_out' });
		expect(await pendingTypes(row!.id)).toEqual(['booking.confirmation', 'booking.review_request']);
	});

	test('one message naming several reservations records each; Canceled cancels', async () => {
		await post(`mews/${MEWS_TOKEN}`, mews([{ id: 'mews-r-2', state: 'Confirmed' }]));
		const res = await post(`mews/${MEWS_TOKEN}`, mews([{ id: 'mews-r-2', state: 'Canceled' }, { id: 'mews-r-3', state: 'Confirmed' }, { id: 'mews-r-4', state: 'Optional' }]));
		expect(res.status).toBe(200);
		expect(res.body.events).toEqual([
			expect.objectContaining({ type: 'booking_cancelled', status: 'cancelled' }),
			expect.objectContaining({ type: 'booking_modified', status: 'confirmed' }),
			expect.objectContaining({ ignored: true, reason: 'Mews state "Optional" needs no message' }),
		]);
		expect(await pendingTypes((await booking('mews', 'mews-r-2'))!.id)).toEqual([]);
	});

	test('a message without the reservation\'s details is answered 200 with the reason; a malformed one is 400 naming Mews\' field', async () => {
		const bare = { EnterpriseId: 'ent-7f2c', Events: [{ Discriminator: 'ServiceOrderUpdated', Value: { Id: 'mews-r-9' } }] };
		expect((await post(`mews/${MEWS_TOKEN}`, bare)).body).toMatchObject({ ignored: true, reason: expect.stringContaining('Mews sent no details of reservation mews-r-9') });
		const broken = await post(`mews/${MEWS_TOKEN}`, { EnterpriseId: 'ent-7f2c' });
		expect(broken.status).toBe(400);
		expect(broken.body).toMatchObject({ error: 'invalid_payload', message: 'Events: is required' });
	});
});

describe('Hostaway: unified webhooks', () => {
	test('created → confirmed; updated with new dates → a corrected confirmation and the stay\'s messages moved', async () => {
		const created = await post('hostaway', hostaway('reservation.created', 7001), asHostaway);
		expect(created.body).toMatchObject({ type: 'reservation_confirmed', status: 'confirmed' });
		const id = created.body.bookingId as string;
		const before = (await eventsOf(db, id)).find((e) => e.event_type === 'booking.pre_arrival')!;

		const moved = await post('hostaway', hostaway('reservation.updated', 7001, { status: 'modified', arrivalDate: '2031-08-01', departureDate: '2031-08-05' }), asHostaway);
		expect(moved.body).toMatchObject({ type: 'booking_modified', status: 'confirmed', cancelled: 2 });
		expect(moved.body.scheduled.map((m: { eventType: string }) => m.eventType)).toEqual(['booking.modification', 'booking.pre_arrival', 'booking.check_out']);
		const events = await eventsOf(db, id);
		expect(events.find((e) => e.id === before.id)).toMatchObject({ status: 'cancelled', status_reason: 'moved: the dates changed' });
		// 2 days before 1 August at 10:00 in Lisbon (summer time).
		expect(events.find((e) => e.event_type === 'booking.pre_arrival' && e.status === 'pending')!.scheduled_for.toISOString()).toBe('2031-07-30T09:00:00.000Z');

		const unchanged = await post('hostaway', hostaway('reservation.updated', 7001, { status: 'modified', arrivalDate: '2031-08-01', departureDate: '2031-08-05', totalPrice: 700 }), asHostaway);
		expect(unchanged.body).toMatchObject({ scheduled: [], notes: ['the dates did not change: no corrected confirmation'] });

		const cancelled = await post('hostaway', hostaway('reservation.updated', 7001, { status: 'cancelled' }), asHostaway);
		expect(cancelled.body).toMatchObject({ type: 'booking_cancelled', status: 'cancelled' });
		expect(await pendingTypes(id)).toEqual([]);
	});

	test('the same delivery twice is recognised by its bytes; a reservation without dates is 400 naming Hostaway\'s field', async () => {
		const body = JSON.stringify(hostaway('reservation.created', 7002));
		const first = await post('hostaway', body, asHostaway);
		const again = await post('hostaway', body, asHostaway);
		expect(again.headers.get('idempotent-replayed')).toBe('true');
		expect(again.body).toEqual(first.body);
		const broken = await post('hostaway', hostaway('reservation.created', 7003, { arrivalDate: undefined }), asHostaway);
		expect(broken.status).toBe(400);
		expect(broken.body.message).toBe('data.arrivalDate: is required');
		expect(await booking('hostaway', '7003')).toBeUndefined();
	});
});

describe('Channex: booking revisions', () => {
	test('booking_new → confirmed; booking_modification → corrected; booking_cancellation → cancelled; other events ignored', async () => {
		const created = await post('channex', channex('booking_new', 'chx-1', 'rev-1'), asChannex);
		expect(created.body).toMatchObject({ type: 'reservation_confirmed', status: 'confirmed', guest: { phoneStatus: 'valid' } });
		const modified = await post('channex', channex('booking_modification', 'chx-1', 'rev-2', { departure_date: '2031-07-16' }), asChannex);
		expect(modified.body.scheduled.map((m: { eventType: string }) => m.eventType)).toContain('booking.modification');
		const cancelled = await post('channex', channex('booking_cancellation', 'chx-1', 'rev-3'), asChannex);
		expect(cancelled.body).toMatchObject({ type: 'booking_cancelled', status: 'cancelled' });
		expect((await post('channex', { event: 'ari', property_id: 'chx-prop-1', payload: [] }, asChannex)).body).toMatchObject({ ignored: true, reason: 'Channex event "ari" is not handled' });
	});

	test('without "send data" the booking is recorded with the reason nothing was sent; a payload without booking_id is 400', async () => {
		const res = await post('channex', channex('booking_new', 'chx-2', 'rev-1', null), asChannex);
		expect(res.body).toMatchObject({ status: 'confirmed', scheduled: [] });
		expect(res.body.notes).toContain('confirmation not scheduled: no guest is known for this booking');
		const broken = await post('channex', { event: 'booking_new', property_id: 'chx-prop-1', payload: { revision_id: 'r' } }, asChannex);
		expect(broken).toMatchObject({ status: 400, body: { message: 'payload.booking_id: is required' } });
	});
});

describe('Beds24: booking webhook v2', () => {
	test('the first word about a booking confirms it; the same dates again send nothing; new dates correct it; cancelled cancels', async () => {
		const first = await post('beds24', beds24(5001), asBeds24);
		expect(first.body).toMatchObject({ type: 'booking_modified', status: 'confirmed', previousStatus: null });
		expect(first.body.scheduled.map((m: { eventType: string }) => m.eventType)).toEqual(['booking.confirmation', 'booking.pre_arrival', 'booking.check_out']);
		const same = await post('beds24', beds24(5001, { modifiedTime: new Date(Date.now() + 1000).toISOString() }), asBeds24);
		expect(same.body).toMatchObject({ scheduled: [], notes: ['the dates did not change: no corrected confirmation'] });
		const moved = await post('beds24', beds24(5001, { arrival: '2031-07-11', modifiedTime: new Date(Date.now() + 2000).toISOString() }), asBeds24);
		expect(moved.body.scheduled.map((m: { eventType: string }) => m.eventType)).toEqual(['booking.modification', 'booking.pre_arrival', 'booking.check_out']);
		const cancelled = await post('beds24', beds24(5001, { status: 'cancelled', modifiedTime: new Date(Date.now() + 3000).toISOString() }), asBeds24);
		expect(cancelled.body).toMatchObject({ type: 'booking_cancelled', status: 'cancelled' });
	});

	test('a request needs no message; a booking without an arrival is 400 naming Beds24\'s field', async () => {
		expect((await post('beds24', beds24(5002, { status: 'request' }), asBeds24)).body).toMatchObject({ ignored: true, reason: 'Beds24 status "request" needs no message' });
		const broken = await post('beds24', beds24(5003, { arrival: undefined }), asBeds24);
		expect(broken).toMatchObject({ status: 400, body: { error: 'invalid_payload', message: 'booking.arrival: is required' } });
	});
});
