import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { databaseState, INTERNAL_SECRET, postSigned, serveEverything, type HostileServer } from '../helpers/hostile';
import { linkToken } from '../helpers/server';
import { native } from '../resort/fixtures';

/**
 * Malformed and hostile input, one class at a time, over real HTTP against a real PostgreSQL:
 * refused with a 4xx that names the field, never a 5xx, never stored altered, and a refused
 * request changes nothing.
 */

let db: TestDatabase;
let hostile: HostileServer;
let clinic: Awaited<ReturnType<typeof seedClinic>>;
const url = (path: string) => `${hostile.server.url}${path}`;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
	clinic = await seedClinic(db.app);
	hostile = await serveEverything(db);
});
afterAll(async () => {
	await hostile.server.stop();
	await db.drop();
});

const webhook = (body: unknown, contentType?: string) =>
	postSigned(url('/api/webhook'), typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body), contentType ?? 'application/json');
const booking = (body: unknown, contentType?: string, platform = '') =>
	postSigned(url(`/api/bookings/webhook${platform}`), typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body), contentType ?? 'application/json');

/** The answer, and proof that the database is as it was before the request. */
async function refused<T>(send: () => Promise<T>): Promise<T> {
	const before = await databaseState(db);
	const answer = await send();
	expect(await databaseState(db)).toEqual(before);
	return answer;
}

function formOf(html: string): Record<string, string> {
	const fields: Record<string, string> = {};
	for (const match of html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)) fields[match[1]] = match[2];
	return fields;
}

async function openForm(type: string, token: string) {
	const page = await (await fetch(url(`/api/action?type=${type}&token=${token}`))).text();
	return formOf(page);
}

function postForm(type: string, token: string, body: string | Buffer, contentType = 'application/x-www-form-urlencoded') {
	return fetch(url(`/api/action?type=${type}&token=${token}`), { method: 'POST', headers: { 'content-type': contentType }, body });
}

describe('control characters', () => {
	test('NUL in a webhook text field: 400 naming the field; a line break in free text is kept', async () => {
		const id = await insertAppointment(db.app, clinic);
		const res = await refused(() => webhook({ action: 'cancel', appointmentId: id, reason: 'changed\u0000plans' }));
		expect(res.status).toBe(400);
		expect(res.body).toMatchObject({ success: false, error: 'invalid_input' });
		expect(res.body.message).toMatch(/^reason: must not contain NUL/);

		const bell = await refused(() => webhook({ action: 'confirm', appointmentId: id, patientResponse: 'yes\u0007' }));
		expect(bell.status).toBe(400);
		expect(bell.body.message).toBe('patientResponse: must not contain control characters other than line breaks and tabs');

		const multiline = await webhook({ action: 'confirm', appointmentId: id, patientResponse: 'Sim,\nobrigado' });
		expect(multiline.status).toBe(200);
	});

	test('NUL or another control character in a booking field: 400 naming it, nothing recorded', async () => {
		const nul = await refused(() => booking(native('booking_started', 'CTRL-1', { booking: { roomType: 'Sea\u0000view' } })));
		expect(nul.status).toBe(400);
		expect(nul.body).toMatchObject({ success: false, error: 'invalid_payload' });
		expect(nul.body.message).toMatch(/^booking\.roomType: must not contain NUL/);
		const escape = await refused(() => booking(native('booking_started', 'CTRL-1', { guest: { name: 'Ana\u001b[31m' } })));
		expect(escape.status).toBe(400);
		expect(escape.body.message).toMatch(/^guest\.name: must not contain control characters(;|$)/);
		const cloudbeds = await refused(() =>
			booking({ event: 'reservation/status_changed', timestamp: 1780000000, propertyID: 'p\u0000', reservationID: 1, status: 'confirmed' }, undefined, '/cloudbeds'),
		);
		expect(cloudbeds.status).toBe(400);
		expect(cloudbeds.body.message).toMatch(/propertyID/);
	});

	test('NUL in the action form\'s preferred time: the page again saying so (400), nothing recorded', async () => {
		const id = await insertAppointment(db.app, clinic);
		const token = await linkToken(db, id, 'reschedule');
		const form = await openForm('reschedule', token);
		const res = await refused(() => postForm('reschedule', token, new URLSearchParams({ ...form, preferred_time: 'Tuesday\u0000' }).toString()));
		expect(res.status).toBe(400);
		const html = await res.text();
		expect(html).toContain('Não conseguimos ler o texto que escreveu');
		expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
		// A line break typed in the box is the patient's, and kept.
		const fresh = formOf(html);
		const done = await postForm('reschedule', token, new URLSearchParams({ ...fresh, preferred_time: 'Terça\r\nà tarde' }).toString());
		expect(done.status).toBe(200);
		const record = await db.app.query("SELECT metadata FROM whatsapp_workflows WHERE appointment_id = $1 AND workflow_type = 'pre_confirmation_sent'", [id]);
		expect(record.rows[0].metadata).toEqual({ preferred_time: 'Terça\r\nà tarde' });
	});
});

describe('integers within their column', () => {
	test('an attempt number beyond 32 bits: 400 naming it, nothing recorded', async () => {
		const id = await insertAppointment(db.app, clinic, { status: 'no_show' });
		const res = await refused(() => webhook({ action: 'no_show_reschedule', appointmentId: id, attempt: 2 ** 31 }));
		expect(res.status).toBe(400);
		expect(res.body).toEqual({ success: false, error: 'invalid_input', message: 'attempt: must be from 1 to 2147483647' });
		const huge = await refused(() => webhook({ action: 'no_show_reschedule', appointmentId: id, attempt: 1e300 }));
		expect(huge.status).toBe(400);
	});

	test('a Cloudbeds timestamp past year 9999: 400, not a 500', async () => {
		const res = await refused(() =>
			booking({ event: 'reservation/status_changed', timestamp: 1e15, propertyID: 'p', reservationID: 1, status: 'confirmed' }, undefined, '/cloudbeds'),
		);
		expect(res.status).toBe(400);
		expect(res.body.message).toMatch(/^timestamp/);
	});
});

describe('real calendar dates and times', () => {
	test('30 February in a reschedule: 400 naming newDate, the appointment keeps its day', async () => {
		const id = await insertAppointment(db.app, clinic);
		const res = await refused(() => webhook({ action: 'reschedule', appointmentId: id, newDate: '2031-02-30', newTime: '10:00' }));
		expect(res.status).toBe(400);
		expect(res.body.message).toBe('newDate: must be a real calendar date as YYYY-MM-DD');
		const yearZero = await refused(() => webhook({ action: 'reschedule', appointmentId: id, newDate: '0000-01-10', newTime: '10:00' }));
		expect(yearZero.body.message).toBe('newDate: must be a real calendar date as YYYY-MM-DD');
	});

	test('30 February in a booking\'s occurredAt or checkIn: 400, not stored as 2 March', async () => {
		const occurred = await refused(() => booking(native('booking_started', 'CAL-1', { occurredAt: '2026-02-30T10:00:00Z' })));
		expect(occurred.status).toBe(400);
		expect(occurred.body.message).toMatch(/^occurredAt: must be a real ISO 8601 date-time/);
		const checkIn = await refused(() => booking(native('reservation_confirmed', 'CAL-2', { booking: { checkIn: '2031-02-30', checkOut: '2031-03-04' } })));
		expect(checkIn.status).toBe(400);
		expect(checkIn.body.message).toMatch(/^booking\.checkIn: must be a real calendar date as YYYY-MM-DD(;|$)/);
		const hour = await refused(() => booking(native('booking_started', 'CAL-3', { occurredAt: '2026-03-01T24:30:00Z' })));
		expect(hour.status).toBe(400);
	});
});

describe('valid UTF-8', () => {
	const withBadByte = (id: string) =>
		Buffer.concat([Buffer.from(`{"action":"confirm","appointmentId":"${id}","patientResponse":"Sim `), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);

	test('a signed webhook body with broken UTF-8: 400 naming the field, not stored with U+FFFD', async () => {
		const id = await insertAppointment(db.app, clinic);
		const res = await refused(() => webhook(withBadByte(id)));
		expect(res.status).toBe(400);
		expect(res.body).toEqual({ success: false, error: 'invalid_encoding', message: 'patientResponse: is not valid UTF-8' });
	});

	test('a lone surrogate escaped in JSON: 400 naming the field', async () => {
		const id = await insertAppointment(db.app, clinic);
		const res = await refused(() => webhook(`{"action":"confirm","appointmentId":"${id}","patientResponse":"a\\ud800b"}`));
		expect(res.status).toBe(400);
		expect(res.body.message).toBe('patientResponse: must be valid Unicode text');
	});

	test('a booking with broken UTF-8 in the guest\'s name: 400 naming it', async () => {
		const text = JSON.stringify(native('booking_started', 'UTF-1', { guest: { name: 'Ana@@' } }));
		const bytes = Buffer.from(text);
		const at = bytes.indexOf('@@');
		bytes[at] = 0xc3;
		bytes[at + 1] = 0x28;
		const res = await refused(() => booking(bytes));
		expect(res.status).toBe(400);
		expect(res.body.message).toBe('guest.name: is not valid UTF-8');
	});

	test('broken percent-encoded UTF-8 in a link or a form: refused (400), not replaced', async () => {
		const id = await insertAppointment(db.app, clinic);
		const token = await linkToken(db, id, 'reschedule');
		expect((await fetch(url(`/api/action?type=reschedule&token=${token}&x=%FF`))).status).toBe(400);
		const form = new URLSearchParams(await openForm('reschedule', token)).toString();
		const res = await refused(() => postForm('reschedule', token, `${form}&preferred_time=Ter%E7a`));
		expect(res.status).toBe(400);
	});
});

describe('the JSON content type on JSON endpoints', () => {
	test.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'application/json; charset=latin1'])(
		'a validly signed webhook sent as %s: 415, nothing done',
		async (type) => {
			const id = await insertAppointment(db.app, clinic);
			const res = await refused(() => webhook({ action: 'cancel', appointmentId: id }, type));
			expect(res.status).toBe(415);
			expect(res.body).toMatchObject({ success: false, error: 'unsupported_media_type' });
			const bookingRes = await refused(() => booking(native('booking_started', 'TYPE-1'), type));
			expect(bookingRes.status).toBe(415);
		},
	);

	test('application/json with charset=utf-8 and +json types are JSON', async () => {
		const id = await insertAppointment(db.app, clinic);
		expect((await webhook({ action: 'confirm', appointmentId: id }, 'application/json; charset=UTF-8')).status).toBe(200);
		expect((await booking(native('booking_started', 'TYPE-2'), 'application/vnd.barnum+json')).status).toBe(200);
	});

	test('/api/internal: a body that is not JSON is 415, after the Bearer check', async () => {
		const post = (headers: Record<string, string>, body?: string) => fetch(url('/api/internal'), { method: 'POST', headers, body });
		const auth = { authorization: `Bearer ${INTERNAL_SECRET}` };
		expect((await post({ ...auth, 'content-type': 'text/plain' }, 'run')).status).toBe(415);
		expect((await post({ ...auth, 'content-type': 'application/json' }, '{"a":"\\u0000"}')).status).toBe(400);
		expect((await post({ 'content-type': 'text/plain' }, 'run')).status).toBe(401);
	});
});

describe('ambiguous queries and masked secrets', () => {
	test('a link whose token name is percent-encoded is refused, and logged without the token', async () => {
		const id = await insertAppointment(db.app, clinic);
		const token = await linkToken(db, id, 'confirm');
		const res = await fetch(url(`/api/action?type=confirm&%74oken=${token}`));
		expect(res.status).toBe(400);
		expect(await res.text()).not.toContain('Confirmar presença');
		await new Promise((resolve) => setTimeout(resolve, 50));
		const lines = hostile.logs.filter((l) => JSON.stringify(l).includes('%74oken'));
		expect(lines.length).toBeGreaterThan(0);
		expect(JSON.stringify(hostile.logs)).not.toContain(token);
	});

	test('the same parameter twice, or in two spellings: refused, not guessed', async () => {
		const id = await insertAppointment(db.app, clinic);
		const token = await linkToken(db, id, 'cancel');
		expect((await fetch(url(`/api/action?type=cancel&token=${token}&token=other`))).status).toBe(400);
		expect((await fetch(url(`/api/action?type=cancel&type=confirm&token=${token}`))).status).toBe(400);
		// A form that names another token than its link changes nothing.
		const form = await openForm('cancel', token);
		const other = await linkToken(db, await insertAppointment(db.app, clinic), 'cancel');
		const res = await refused(() => postForm('cancel', other, new URLSearchParams(form).toString()));
		expect(res.status).toBe(400);
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(JSON.stringify(hostile.logs)).not.toContain(token);
	});
});

describe('metric labels from fixed sets', () => {
	test('unknown booking-platform paths and unknown routes add no series of their own', async () => {
		for (let i = 0; i < 3; i++) {
			await fetch(url(`/api/bookings/webhook/made-up-${i}`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
			await fetch(url(`/no-such-page-${i}`));
		}
		const metrics = await (await fetch(url('/metrics'))).text();
		expect(metrics).not.toMatch(/made-up-|no-such-page-/);
		expect(metrics).toMatch(/barnum_booking_webhook_requests_total\{platform="unknown",type="unknown",status="404"\} 3/);
	});
});

describe('every answer carries the security headers', () => {
	const apiHeadersOf = (res: Response) => ({
		type: res.headers.get('content-type'),
		csp: res.headers.get('content-security-policy'),
		nosniff: res.headers.get('x-content-type-options'),
		cache: res.headers.get('cache-control'),
	});
	const API = { type: expect.stringMatching(/^application\/json/), csp: "default-src 'none';frame-ancestors 'none'", nosniff: 'nosniff', cache: 'no-store' };

	test('404 for an unknown path, 405 for a method a JSON endpoint does not serve: JSON with the API headers', async () => {
		const unknown = await fetch(url('/wp-login.php'));
		expect(unknown.status).toBe(404);
		expect(apiHeadersOf(unknown)).toEqual(API);
		expect(await unknown.json()).toMatchObject({ success: false, error: 'not_found' });
		const cases = [
			['GET', '/api/webhook', 'POST'],
			['PUT', '/api/bookings/webhook', 'POST'],
			['DELETE', '/api/bookings/webhook/cloudbeds', 'POST'],
			['PUT', '/api/internal', 'GET, POST'],
			['POST', '/healthz', 'GET, HEAD'],
			['DELETE', '/metrics', 'GET, HEAD'],
		];
		for (const [method, path, allow] of cases) {
			const res = await fetch(url(path), { method });
			expect({ method, path, status: res.status, allow: res.headers.get('allow') }).toEqual({ method, path, status: 405, allow });
			expect(apiHeadersOf(res)).toEqual(API);
			expect(await res.json()).toMatchObject({ success: false, error: 'method_not_allowed' });
		}
		const health = await fetch(url('/healthz'));
		expect(apiHeadersOf(health)).toEqual(API);
		// A path Express cannot decode is refused as JSON too, with the headers.
		const undecodable = await fetch(url('/api/bookings/webhook/%E0%A4%A'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		expect(undecodable.status).toBe(400);
		expect(apiHeadersOf(undecodable)).toEqual(API);
	});

	test('405 on the action page: a page in the patient\'s language with the page headers', async () => {
		const res = await fetch(url('/api/action?type=confirm&token=abc'), { method: 'PUT', headers: { 'accept-language': 'en-GB,en;q=0.9' } });
		expect(res.status).toBe(405);
		expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
		expect(res.headers.get('content-security-policy')).toMatch(/style-src 'sha256-/);
		expect(res.headers.get('referrer-policy')).toBe('no-referrer');
		const html = await res.text();
		expect(html).toContain('<html lang="en">');
	});
});
