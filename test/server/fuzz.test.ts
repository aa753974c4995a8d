import fc from 'fast-check';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { anyField, dateLike, encodedBytes, hostileText, instantLike, timeLike } from '../helpers/arbitraries';
import { databaseState, INTERNAL_SECRET, postSigned, serveEverything, type HostileServer } from '../helpers/hostile';
import { linkToken } from '../helpers/server';
import { native, PHONE } from '../resort/fixtures';

/**
 * Property-based fuzzing of every external input of the companion server, over real HTTP against a
 * real PostgreSQL: whatever arrives, validly signed or pressed, the answer is never a server fault,
 * a refused request changes nothing, and what is accepted is stored as sent.
 */

let db: TestDatabase;
let hostile: HostileServer;
let clinic: Awaited<ReturnType<typeof seedClinic>>;
let appointments: string[];
const url = (path: string) => `${hostile.server.url}${path}`;
const RUNS = { numRuns: 80 };

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
	clinic = await seedClinic(db.app);
	appointments = [
		await insertAppointment(db.app, clinic),
		await insertAppointment(db.app, clinic, { status: 'no_show' }),
		await insertAppointment(db.app, clinic, { status: 'completed' }),
	];
	hostile = await serveEverything(db);
});
afterAll(async () => {
	await hostile.server.stop();
	await db.drop();
});

/** The state a refused request must not touch, the de-duplication store aside: it records 404s and 409s by design. */
function withoutDeliveries(state: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(state).filter(([name]) => name !== 'deliveries'));
}

const VALIDATION_REFUSALS = [400, 413, 415];

/** Each action on an appointment in the state it acts from, so that fuzzed fields reach the database. */
const STATE_FOR: Record<string, string> = {
	confirm: 'scheduled',
	cancel: 'scheduled',
	reschedule: 'scheduled',
	no_show_reschedule: 'no_show',
	reactivation: 'scheduled',
	review: 'completed',
	delete: 'scheduled',
};

/** null (take the real one) eight times in nine. */
const mostlyNull = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });

const responsesOf = async (id: string) =>
	(await db.app.query<{ response: string }>('SELECT response FROM whatsapp_workflows WHERE appointment_id = $1 AND response IS NOT NULL', [id])).rows.map((r) => r.response);

test('/api/webhook: any signed payload is answered without a server fault; refused ones change nothing; accepted ones are stored as sent', async () => {
	const request = fc.record({
		action: fc.constantFrom(...Object.keys(STATE_FOR)),
		// Mostly a real appointment, so the fields are acted on; sometimes a made-up id.
		appointmentId: mostlyNull(hostileText),
		patientId: mostlyNull(hostileText),
		fields: fc.record(
			{
				patientResponse: anyField,
				reason: anyField,
				newDate: fc.oneof(dateLike, anyField),
				newTime: fc.oneof(timeLike, anyField),
				attempt: fc.oneof(fc.integer({ min: 1, max: 5 }), anyField),
				rating: fc.oneof(fc.integer({ min: 1, max: 5 }), anyField),
				reviewSubmitted: anyField,
				workflowType: anyField,
				timestamp: anyField,
			},
			{ requiredKeys: [] },
		),
	});
	await fc.assert(
		fc.asyncProperty(request, async ({ action, appointmentId, patientId, fields }) => {
			const id = await insertAppointment(db.app, clinic, { status: STATE_FOR[action] });
			const body = { action, appointmentId: appointmentId ?? id, patientId: patientId ?? clinic.patientId, ...fields };
			const before = await databaseState(db);
			const res = await postSigned(url('/api/webhook'), JSON.stringify(body), 'application/json');
			expect(res.status).toBeLessThan(500);
			if (VALIDATION_REFUSALS.includes(res.status)) expect(await databaseState(db)).toEqual(before);
			else if (res.status !== 200) expect(withoutDeliveries(await databaseState(db))).toEqual(withoutDeliveries(before));
			if (res.status !== 200) return;
			if (action === 'reschedule') {
				const { rows } = await db.app.query("SELECT date::text, to_char(time, 'HH24:MI') AS time FROM appointments WHERE id = $1", [id]);
				expect(rows[0]).toEqual({ date: fields.newDate, time: fields.newTime });
			}
			const response = typeof fields.patientResponse === 'string' ? fields.patientResponse.trim() : '';
			if ((action === 'confirm' || action === 'no_show_reschedule') && response) expect(await responsesOf(id)).toContain(response);
		}),
		RUNS,
	);
});

test('/api/webhook and the booking receiver: only JSON acts, and text is taken as its exact UTF-8 or refused', async () => {
	let n = 0;
	const request = fc.record({
		path: fc.constantFrom('/api/webhook', '/api/bookings/webhook'),
		// Raw bytes inside a JSON string: broken UTF-8, control bytes, quotes and backslashes among them.
		bytes: fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.string({ maxLength: 8 }).map((text) => new Uint8Array(Buffer.from(text)))),
		type: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=iso-8859-1', 'application/xml', ''),
	});
	await fc.assert(
		fc.asyncProperty(request, async ({ path, bytes, type }) => {
			const id = await insertAppointment(db.app, clinic);
			const reference = `BYTES-${process.pid}-${++n}`;
			const MARK = '@@bytes@@';
			const template =
				path === '/api/webhook'
					? JSON.stringify({ action: 'confirm', appointmentId: id, patientResponse: MARK })
					: JSON.stringify(native('booking_started', reference, { guest: { name: MARK } }));
			const [head, tail] = template.split(MARK);
			const body = Buffer.concat([Buffer.from(head), bytes, Buffer.from(tail)]);
			const before = await databaseState(db);
			const res = await postSigned(url(path), body, type);
			expect(res.status).toBeLessThan(500);
			if (!type.startsWith('application/json') || type.includes('iso-8859-1')) expect(res.status).toBe(415);
			if (res.status !== 200) {
				expect(await databaseState(db)).toEqual(before);
				return;
			}
			// Accepted: the bytes were UTF-8, and what is stored is exactly what they say.
			const sent = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
			if (path === '/api/webhook' && sent.trim()) expect(await responsesOf(id)).toContain(JSON.parse(`"${sent}"`).trim());
		}),
		RUNS,
	);
});

test('the booking receiver: any native or Cloudbeds event is answered without a server fault; refused ones change nothing', async () => {
	let n = 0;
	// Each field mostly valid, so that one hostile field at a time reaches the database.
	const or = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown> = anyField) => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: hostile });
	const name = or(fc.constantFrom('Ana Costa', 'Hotel Praia Azul', 'Deluxe'), hostileText);
	const native = fc.record(
		{
			id: or(fc.constant(null).map(() => `fuzz_${process.pid}_${++n}`), hostileText),
			type: fc.constantFrom('booking_started', 'booking_abandoned', 'reservation_confirmed', 'guest_checked_in', 'booking_cancelled', 'other'),
			occurredAt: or(fc.constant(null).map(() => new Date().toISOString()), fc.oneof(instantLike, anyField)),
			property: fc.record({ id: or(fc.constant('praia-azul'), hostileText), name, timezone: or(fc.constant('Europe/Lisbon'), hostileText) }, { requiredKeys: ['id'] }),
			booking: fc.record(
				{
					id: or(fc.constant(null).map(() => `FUZZ-${process.pid}-${++n}`), hostileText),
					checkIn: or(fc.constant('2031-07-10'), fc.oneof(dateLike, anyField)),
					checkOut: or(fc.constant('2031-07-14'), fc.oneof(dateLike, anyField)),
					adults: or(fc.integer({ min: 1, max: 4 })),
					roomType: name,
					totalAmount: or(fc.integer({ min: 0, max: 5000 })),
					currency: or(fc.constant('EUR')),
					resumeUrl: or(fc.constant('https://book.example/r/1'), hostileText.map((t) => `https://book.example/${t}`)),
					confirmationCode: name,
				},
				{ requiredKeys: ['id'] },
			),
			guest: fc.record({ name, phone: or(fc.constant(PHONE), hostileText), locale: or(fc.constant('pt-PT')) }),
			lastActivityAt: or(fc.constant(null).map(() => new Date().toISOString()), fc.oneof(instantLike, anyField)),
		},
		{ requiredKeys: ['id', 'type', 'occurredAt', 'property', 'booking', 'guest'] },
	);
	const cloudbeds = fc.record({
		version: anyField,
		event: fc.oneof(fc.constant('reservation/status_changed'), hostileText),
		timestamp: fc.oneof(fc.integer({ min: 1, max: 2_000_000_000 }), anyField),
		propertyID: fc.oneof(fc.integer({ min: 0 }), anyField),
		reservationID: fc.oneof(fc.integer({ min: 0 }), anyField),
		status: fc.oneof(fc.constantFrom('confirmed', 'checked_in', 'canceled'), hostileText),
	});
	const request = fc.oneof(native.map((body) => ({ path: '/api/bookings/webhook', body })), cloudbeds.map((body) => ({ path: '/api/bookings/webhook/cloudbeds', body })));
	await fc.assert(
		fc.asyncProperty(request, async ({ path, body }) => {
			const before = await databaseState(db);
			const res = await postSigned(url(path), JSON.stringify(body), 'application/json');
			expect(res.status).toBeLessThan(500);
			if (VALIDATION_REFUSALS.includes(res.status)) expect(await databaseState(db)).toEqual(before);
		}),
		RUNS,
	);
});

test('the action page: any query is a page (200, 400 or 404), never a fault, and no spelling of a token reaches the log', async () => {
	const token = await linkToken(db, appointments[0], 'confirm');
	const spelledToken = fc
		.array(fc.constantFrom('raw', 'upper', 'hex', 'HEX', 'double'), { minLength: 5, maxLength: 5 })
		.map((ways) =>
			[...'token']
				.map((c, i) => {
					const code = c.charCodeAt(0).toString(16);
					return { raw: c, upper: c.toUpperCase(), hex: `%${code}`, HEX: `%${code.toUpperCase()}`, double: `%25${code}` }[ways[i]];
				})
				.join(''),
		);
	const segment = fc.oneof(
		spelledToken.map((name) => `${name}=${token}`),
		fc.tuple(fc.constantFrom('type', 'token', 'nonce', 'x', 'type[]', ''), encodedBytes).map(([name, value]) => `${name}=${value}`),
		encodedBytes,
		fc.constantFrom('type=confirm', `token=${token}`),
	);
	const query = fc.tuple(fc.array(segment, { maxLength: 5 }), fc.constantFrom('&', ';', '&&')).map(([parts, separator]) => parts.join(separator));
	await fc.assert(
		fc.asyncProperty(query, async (q) => {
			const before = await databaseState(db);
			const res = await fetch(url(`/api/action?${q}`));
			await res.text();
			expect([200, 400, 404]).toContain(res.status);
			expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
			expect(await databaseState(db)).toEqual(before);
		}),
		RUNS,
	);
	await new Promise((resolve) => setTimeout(resolve, 50));
	expect(JSON.stringify(hostile.logs)).not.toContain(token);
});

test('the action form: any fields under any content type are a page, never a fault; a refused press changes nothing', async () => {
	const form = fc.record({
		extra: fc.array(fc.tuple(fc.constantFrom('preferred_time', 'type', 'token', 'nonce', 'x', '%74oken'), encodedBytes).map(([n, v]) => `${n}=${v}`), { maxLength: 3 }),
		preferred: fc.oneof(hostileText.map((t) => encodeURIComponent(t.replace(/[\ud800-\udfff]/g, ''))), encodedBytes),
		type: fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=UTF-8', 'text/plain', 'multipart/form-data', 'application/json'),
	});
	await fc.assert(
		fc.asyncProperty(form, async ({ extra, preferred, type }) => {
			const id = await insertAppointment(db.app, clinic);
			const token = await linkToken(db, id, 'reschedule');
			const page = await (await fetch(url(`/api/action?type=reschedule&token=${token}`))).text();
			const fields = [...page.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => `${m[1]}=${encodeURIComponent(m[2])}`);
			const body = [...fields, `preferred_time=${preferred}`, ...extra].join('&');
			const before = await databaseState(db);
			const res = await fetch(url(`/api/action?type=reschedule&token=${token}`), { method: 'POST', headers: { 'content-type': type }, body });
			const html = await res.text();
			expect(res.status).toBeLessThan(500);
			if (res.status !== 200 || !html.includes('Pedido recebido')) expect(await databaseState(db)).toEqual(before);
		}),
		{ numRuns: 50 },
	);
});

test('/api/internal: any body under any content type is never a server fault', async () => {
	const request = fc.record({
		bytes: fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('{}', '{"a":"\\u0000"}', '[]', 'null')),
		type: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
		authorised: fc.boolean(),
	});
	await fc.assert(
		fc.asyncProperty(request, async ({ bytes, type, authorised }) => {
			const headers: Record<string, string> = type ? { 'content-type': type } : {};
			if (authorised) headers.authorization = `Bearer ${INTERNAL_SECRET}`;
			const res = await fetch(url('/api/internal'), { method: 'POST', headers, body: typeof bytes === 'string' ? bytes : Buffer.from(bytes) });
			const body = (await res.json()) as { error?: string };
			// 503 is this server's configuration (no push dispatcher), said as such: not a fault.
			expect(res.status < 500 || (res.status === 503 && body.error === 'not_configured')).toBe(true);
			const json = type === 'application/json';
			if (authorised && bytes.length > 0 && !json) expect(res.status).toBe(415);
		}),
		RUNS,
	);
});
