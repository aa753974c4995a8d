import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStack, type Stack } from './stack/stack';
import { until } from './stack/run';
import { beds24, channex, hostaway, mews } from '../resort/platform-payloads';

/**
 * Each booking platform as it really sends, through the whole system: its documented webhook →
 * the companion server's receiver (with the platform's own authentication) → the outbox → the
 * bundled workflows in a real n8n 2.40.7 → the WhatsApp sandbox. Also the stay's later messages
 * (corrected confirmation, pre-arrival, check-out), and Cloudbeds, whose webhook has no guest:
 * the bundled details workflow reads the reservation from a stand-in for Cloudbeds' API
 * (getReservation, built from https://developers.cloudbeds.com/reference/get_getreservation-2).
 */

const SECRETS = {
	mews: 'mews-e2e-token-0123456789abcdef',
	cloudbeds: 'cloudbeds-e2e-token-0123456789',
	hostaway: 'hostaway-e2e-password-012345678',
	channex: 'channex-e2e-header-value-0123456',
	beds24: 'beds24-e2e-header-value-01234567',
};
/** The Cloudbeds API credential the stack imports (workflows/credentials.template.json). */
const CLOUDBEDS_KEY = 'replace-with-your-cloudbeds-api-key';

let stack: Stack;
let cloudbedsApi: http.Server;
const apiCalls: Array<{ url: string; key: string | undefined }> = [];

/** getReservation as Cloudbeds documents it: {success, data: {…, guestList: {<id>: {…}}}}. */
function startCloudbedsApi(): Promise<string> {
	cloudbedsApi = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://localhost');
		apiCalls.push({ url: req.url ?? '', key: req.headers['x-api-key'] as string | undefined });
		res.setHeader('content-type', 'application/json');
		if (req.headers['x-api-key'] !== CLOUDBEDS_KEY) {
			res.statusCode = 401;
			res.end(JSON.stringify({ success: false, message: 'Invalid API key' }));
			return;
		}
		if (url.pathname !== '/api/v1.3/getReservation') {
			res.statusCode = 404;
			res.end(JSON.stringify({ success: false, message: 'Unknown method' }));
			return;
		}
		res.end(
			JSON.stringify({
				success: true,
				data: {
					propertyID: url.searchParams.get('propertyID'),
					reservationID: url.searchParams.get('reservationID'),
					guestName: 'Rui Almeida',
					guestEmail: 'rui@example.com',
					status: 'confirmed',
					startDate: '2031-09-01',
					endDate: '2031-09-04',
					total: 480,
					balance: 0,
					guestList: { '9001': { guestFirstName: 'Rui', guestLastName: 'Almeida', guestPhone: '', guestCellPhone: '+351915555555', isMainGuest: true } },
				},
			}),
		);
	});
	return new Promise((resolve) => cloudbedsApi.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(cloudbedsApi.address() as AddressInfo).port}/api/v1.3`)));
}

beforeAll(async () => {
	const apiUrl = await startCloudbedsApi();
	stack = await startStack({
		serverEnv: {
			RATE_LIMIT_ACTION_PER_MINUTE: '10000',
			BOOKING_MEWS_SECRET: SECRETS.mews,
			BOOKING_CLOUDBEDS_AUTH: 'token',
			BOOKING_CLOUDBEDS_SECRET: SECRETS.cloudbeds,
			BOOKING_CLOUDBEDS_API_URL: apiUrl,
			BOOKING_HOSTAWAY_USER: 'barnum',
			BOOKING_HOSTAWAY_SECRET: SECRETS.hostaway,
			BOOKING_CHANNEX_SECRET: SECRETS.channex,
			BOOKING_CHANNEX_HEADER: 'x-channex-key',
			BOOKING_BEDS24_SECRET: SECRETS.beds24,
		},
	});
}, 900_000);
afterAll(async () => {
	await stack?.stop();
	await new Promise((resolve) => cloudbedsApi?.close(resolve));
});

async function deliver(path: string, body: unknown, headers: Record<string, string> = {}) {
	const res = await fetch(`${stack.server.url}/api/bookings/webhook/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify(body),
	});
	const answer: ReturnType<typeof JSON.parse> = await res.json();
	if (res.status !== 200) throw new Error(`the receiver answered ${res.status}: ${JSON.stringify(answer)}`);
	return answer;
}

interface SandboxMessage {
	to: string;
	template?: { name: string; parameters: string[] };
	[key: string]: unknown;
}

async function templatesTo(phone: string): Promise<string[]> {
	const res = await fetch(`${stack.sandbox.url}/_sandbox/messages`);
	const body = (await res.json()) as { messages: SandboxMessage[] } | SandboxMessage[];
	const messages = Array.isArray(body) ? body : body.messages;
	return messages
		.filter((m) => m.to === phone.replace(/^\+/, ''))
		.map((m) => JSON.stringify(m).match(/barnum_[a-z_]+/)?.[0] ?? 'text')
		.sort();
}

const eventStatus = async (platform: string, reference: string, type: string) =>
	(
		await stack.db.query(
			`SELECT e.id, e.status, e.status_reason, e.last_error FROM barnum.whatsapp_events e JOIN barnum.bookings b ON b.id = e.entity_id
			  WHERE b.platform = $1 AND b.external_id = $2 AND e.event_type = $3 ORDER BY e.created_at DESC LIMIT 1`,
			[platform, reference, type],
		)
	).rows[0] as { id: string; status: string; status_reason: string | null; last_error: string | null } | undefined;

const sent = (platform: string, reference: string, type: string) =>
	until(async () => {
		const e = await eventStatus(platform, reference, type);
		if (e?.status === 'dead_letter') throw new Error(`${type} of ${platform} ${reference} was dead-lettered: ${e.last_error}`);
		return e?.status === 'sent' ? e : undefined;
	}, `${type} of ${platform} ${reference} to be sent`, 90_000);

test.each([
	['mews', 'mews-e2e-1', '+351916000001', () => deliver(`mews/${SECRETS.mews}`, mews([{ id: 'mews-e2e-1', state: 'Confirmed', phone: '+351916000001' }]))],
	['hostaway', '8101', '+351916000002', () => deliver('hostaway', hostaway('reservation.created', 8101, { phone: '+351916000002' }), { authorization: `Basic ${Buffer.from(`barnum:${SECRETS.hostaway}`).toString('base64')}` })],
	['channex', 'chx-e2e-1', '+351916000003', () => deliver('channex', channex('booking_new', 'chx-e2e-1', 'rev-1', { customer: { name: 'Ana', surname: 'Costa', phone: '+351916000003', language: 'en' } }), { 'x-channex-key': SECRETS.channex })],
	['beds24', '8201', '+351916000004', () => deliver('beds24', beds24(8201, { mobile: '+351916000004' }), { 'x-barnum-token': SECRETS.beds24 })],
])('%s: the documented booking webhook → receiver → outbox → bundled workflow → the guest gets the confirmation', async (platform, reference, phone, send) => {
	const answer = await send();
	expect(answer).toMatchObject({ success: true, status: 'confirmed', guest: { phoneStatus: 'valid' } });
	await sent(platform, reference, 'booking.confirmation');
	expect(await templatesTo(phone)).toEqual(['barnum_reservation_confirmation']);
}, 180_000);

test('the rest of the stay: new dates send the corrected confirmation; pre-arrival and check-out go out when due', async () => {
	const phone = '+351916000002';
	const auth = { authorization: `Basic ${Buffer.from(`barnum:${SECRETS.hostaway}`).toString('base64')}` };
	const moved = await deliver('hostaway', hostaway('reservation.updated', 8101, { status: 'modified', phone, arrivalDate: '2031-08-01', departureDate: '2031-08-05' }), auth);
	expect(moved.scheduled.map((m: { eventType: string }) => m.eventType)).toEqual(['booking.modification', 'booking.pre_arrival', 'booking.check_out']);
	await sent('hostaway', '8101', 'booking.modification');
	// The clock jumps instead of the test waiting until 2031.
	for (const type of ['booking.pre_arrival', 'booking.check_out']) {
		const due = await eventStatus('hostaway', '8101', type);
		await stack.db.query('UPDATE barnum.whatsapp_events SET scheduled_for = now() WHERE id = $1', [due!.id]);
		await sent('hostaway', '8101', type);
	}
	expect(await templatesTo(phone)).toEqual(['barnum_booking_modified', 'barnum_check_out', 'barnum_pre_arrival', 'barnum_reservation_confirmation']);
}, 180_000);

test('Cloudbeds: a status webhook without the guest → the details workflow reads the reservation from the API → the confirmation goes out', async () => {
	const answer = await deliver(`cloudbeds?token=${SECRETS.cloudbeds}`, {
		version: '1.0',
		event: 'reservation/status_changed',
		timestamp: Date.now() / 1000,
		propertyID: 200123,
		reservationID: '88120001',
		status: 'confirmed',
	});
	expect(answer).toMatchObject({ status: 'confirmed', guest: null, scheduled: [expect.objectContaining({ eventType: 'booking.details_needed' })] });
	await sent('cloudbeds', '88120001', 'booking.details_needed');
	await sent('cloudbeds', '88120001', 'booking.confirmation');
	expect(apiCalls).toEqual([{ url: '/api/v1.3/getReservation?propertyID=200123&reservationID=88120001', key: CLOUDBEDS_KEY }]);
	expect(await templatesTo('+351915555555')).toEqual(['barnum_reservation_confirmation']);
	const booking = (await stack.db.query("SELECT to_char(check_in, 'YYYY-MM-DD') AS check_in, to_char(check_out, 'YYYY-MM-DD') AS check_out FROM barnum.bookings WHERE platform = 'cloudbeds' AND external_id = '88120001'")).rows[0];
	expect(booking).toEqual({ check_in: '2031-09-01', check_out: '2031-09-04' });
}, 180_000);
