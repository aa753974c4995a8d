import type { IDataObject } from 'n8n-workflow';
import { Barnum } from '../../nodes/Barnum/Barnum.node';
import { KNOWN_EVENT_TYPES } from '../../core/outbox/event-types';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { fakeExecuteContext } from '../nodes/fakes';
import { eventsOf, GUEST_KEY, native, nextId, PHONE } from './fixtures';

/** The Barnum node's Booking resource, through n8n's execution contract, against a real database. */

let db: TestDatabase;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
});
afterAll(() => db.drop());

async function run(parameters: IDataObject | IDataObject[], options: { continueOnFail?: boolean; credential?: IDataObject } = {}) {
	const context = fakeExecuteContext({
		parameters,
		credential: { connectionString: db.appUrl, ...options.credential },
		continueOnFail: options.continueOnFail,
	});
	const [items] = await new Barnum().execute.call(context as never);
	return items;
}

const recordFields = (overrides: IDataObject = {}): IDataObject => ({
	resource: 'booking',
	operation: 'recordEvent',
	source: 'fields',
	eventType: 'booking_abandoned',
	eventId: nextId('n8n'),
	platform: 'barnum',
	propertyId: 'praia-azul',
	bookingReference: 'N8N-1',
	occurredAt: '',
	guestName: 'Ana Costa',
	guestPhone: PHONE,
	guestDataKey: GUEST_KEY,
	additionalFields: {},
	...overrides,
});

test('the Booking resource and the booking event types are offered in the editor', () => {
	const resource = new Barnum().description.properties.find((p) => p.name === 'resource')!;
	expect(resource.options).toEqual(expect.arrayContaining([{ name: 'Booking', value: 'booking' }]));
	expect(KNOWN_EVENT_TYPES.map((t) => t.value)).toEqual(
		expect.arrayContaining(['booking.reminder', 'booking.confirmation', 'booking.review_request']),
	);
});

describe('Record Event', () => {
	test('from fields: the same processing as the receiver (reminders planned, guest encrypted), once per event id', async () => {
		const parameters = recordFields();
		const [item] = await run(parameters);
		expect(item.json).toMatchObject({ type: 'booking_abandoned', status: 'abandoned', outcome: 'applied', duplicate: false, guest: { phoneStatus: 'valid' } });
		expect(item.pairedItem).toEqual({ item: 0 });
		const bookingId = item.json.bookingId as string;
		expect((await eventsOf(db, bookingId)).map((e) => e.payload.number)).toEqual([1, 2]);
		const activity = await db.admin.query('SELECT actor FROM booking_activities WHERE booking_id = $1', [bookingId]);
		expect(activity.rows).toEqual([{ actor: 'n8n:Barnum' }]);

		const [again] = await run(parameters);
		expect(again.json).toEqual({ ...item.json, duplicate: true });
		expect(await eventsOf(db, bookingId)).toHaveLength(2);
	});

	test('from the native JSON, as a platform calling n8n would send it', async () => {
		const event = native('reservation_confirmed', 'N8N-2', { booking: { checkIn: '2031-09-01', checkOut: '2031-09-03', confirmationCode: 'X-1' } });
		const [item] = await run({ resource: 'booking', operation: 'recordEvent', source: 'json', eventJson: JSON.stringify(event), guestDataKey: GUEST_KEY });
		expect(item.json).toMatchObject({ type: 'reservation_confirmed', status: 'confirmed' });
		expect((item.json.scheduled as Array<{ eventType: string }>).map((m) => m.eventType)).toEqual(['booking.confirmation', 'booking.pre_arrival', 'booking.check_out']);
	});

	test('the guest data key may come from the credential', async () => {
		const [item] = await run(recordFields({ bookingReference: 'N8N-3', guestDataKey: '' }), { credential: { guestDataKey: GUEST_KEY } });
		expect(item.json).toMatchObject({ status: 'abandoned', guest: { phoneStatus: 'valid' } });
	});

	test('a phone number without a key is refused with a clear error; bad input names the field', async () => {
		await expect(run(recordFields({ bookingReference: 'N8N-4', guestDataKey: '' }))).rejects.toThrow(
			'Recording a guest phone number needs the guest data key (GUEST_DATA_KEY) to encrypt it',
		);
		await expect(run(recordFields({ eventType: 'reservation_confirmed', bookingReference: 'N8N-4' }))).rejects.toThrow(
			'booking.checkIn: is required for reservation_confirmed; booking.checkOut: is required for reservation_confirmed',
		);
		await expect(run(recordFields({ guestDataKey: 'not-a-key' }))).rejects.toThrow(/Guest data key 1 must be 32 random bytes in base64/);
		const [failed] = await run(recordFields({ source: 'json', eventJson: '{"id": ' }), { continueOnFail: true });
		expect(failed.json).toMatchObject({ code: 'invalid_input', error: expect.stringMatching(/^Event JSON is not valid JSON/) });
	});
});

describe('Get and Cancel Reminders', () => {
	let bookingId: string;

	beforeAll(async () => {
		const [item] = await run(recordFields({ bookingReference: 'N8N-10', eventType: 'booking_abandoned' }));
		bookingId = item.json.bookingId as string;
	});

	test('Get by id shows the phone only with the key; by platform reference too', async () => {
		const [masked] = await run({ resource: 'booking', operation: 'get', findBy: 'id', bookingId, guestDataKey: '' });
		expect(masked.json).toMatchObject({ id: bookingId, status: 'abandoned', guest: { name: 'Ana Costa', phone: '(encrypted: give the guest data key to read it)' } });
		const [open] = await run({
			resource: 'booking',
			operation: 'get',
			findBy: 'reference',
			platform: 'barnum',
			propertyId: 'praia-azul',
			bookingReference: 'N8N-10',
			guestDataKey: GUEST_KEY,
		});
		expect(open.json).toMatchObject({ id: bookingId, guest: { phone: PHONE } });
		const reads = await db.admin.query("SELECT fields FROM guest_audit_log WHERE action = 'read' AND actor = 'n8n:Barnum' ORDER BY id");
		expect(reads.rows.map((r) => r.fields)).toEqual([
			['locale', 'name'],
			['locale', 'name', 'phone'],
		]);
	});

	test('Cancel Reminders cancels the pending ones with the reason', async () => {
		const [item] = await run({ resource: 'booking', operation: 'cancelReminders', bookingId, reason: 'Booked by phone' });
		expect(item.json).toEqual({ bookingId, cancelled: 2 });
		expect((await eventsOf(db, bookingId)).map((e) => [e.status, e.status_reason])).toEqual([
			['cancelled', 'Booked by phone'],
			['cancelled', 'Booked by phone'],
		]);
		await expect(run({ resource: 'booking', operation: 'cancelReminders', bookingId: 'nope', reason: '' })).rejects.toThrow(
			'bookingId must be a UUID, got "nope"',
		);
	});
});
