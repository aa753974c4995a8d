import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import type pg from 'pg';
import { cancelBookingReminders, getBooking } from '../../../core/resort/bookings';
import { parseGuestKeyRing, type GuestKeyRing } from '../../../core/resort/guest-crypto';
import { recordBookingEvent } from '../../../core/resort/record';
import { nativeEventFromFields, parseNativeJson } from '../../../core/resort/native-fields';
import { parseBookingEvent } from '../../../core/resort/schema';
import { forOperations, uuidField } from './fields';

const R = 'booking';

export const bookingOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [R] } },
	options: [
		{
			name: 'Cancel Reminders',
			value: 'cancelReminders',
			action: 'Cancel the reminders of a booking',
			description: 'Cancel its pending abandoned-booking reminders (the guest booked another way)',
		},
		{ name: 'Get', value: 'get', action: 'Get a booking', description: 'Read a booking with its guest, status history and messages' },
		{
			name: 'Record Event',
			value: 'recordEvent',
			action: 'Record a booking event',
			description: 'Record what a booking platform reported: the same processing as the companion server\'s receiver',
		},
	],
	default: 'recordEvent',
};

const LOCALES = [
	{ name: 'English', value: 'en' },
	{ name: 'Portuguese (Brazil)', value: 'pt-BR' },
	{ name: 'Portuguese (Portugal)', value: 'pt-PT' },
	{ name: 'Spanish', value: 'es' },
];

const fromFields = (field: INodeProperties): INodeProperties => ({
	...field,
	displayOptions: { show: { resource: [R], operation: ['recordEvent'], source: ['fields'] } },
});
const byReference = (field: INodeProperties): INodeProperties => ({
	...field,
	displayOptions: { show: { resource: [R], operation: ['get'], findBy: ['reference'] } },
});

const platformField: INodeProperties = {
	displayName: 'Platform',
	name: 'platform',
	type: 'string',
	default: 'barnum',
	placeholder: 'cloudbeds',
	description: 'Whose IDs the property and booking references are (lower case)',
};
const propertyField: INodeProperties = {
	displayName: 'Property ID',
	name: 'propertyId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'praia-azul',
	description: 'The platform\'s ID of the resort; a new one is created with Barnum\'s defaults',
};
const referenceField: INodeProperties = {
	displayName: 'Booking Reference',
	name: 'bookingReference',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'BK-1042',
	description: 'The platform\'s ID of the booking or reservation',
};

export const bookingFields: INodeProperties[] = [
	forOperations(R, ['recordEvent'], {
		displayName: 'Input',
		name: 'source',
		type: 'options',
		options: [
			{ name: 'Fields Below', value: 'fields' },
			{ name: 'JSON (Barnum Native Event)', value: 'json', description: 'A booking event in the schema of docs/resort.md' },
		],
		default: 'fields',
	}),
	{
		displayName: 'Event JSON',
		name: 'eventJson',
		type: 'json',
		default: '{}',
		description: 'A native booking event: ID, type, occurredAt, property, booking, guest',
		displayOptions: { show: { resource: [R], operation: ['recordEvent'], source: ['json'] } },
	},
	fromFields({
		displayName: 'Event Type',
		name: 'eventType',
		type: 'options',
		options: [
			{ name: 'Booking Abandoned', value: 'booking_abandoned', description: 'Send reminder #1 now and plan reminder #2' },
			{ name: 'Booking Cancelled', value: 'booking_cancelled', description: 'Cancel every pending message of the booking' },
			{ name: 'Booking Modified', value: 'booking_modified', description: 'New dates or details: a corrected confirmation, and the stay\'s messages moved' },
			{ name: 'Booking Started', value: 'booking_started', description: 'Record the booking and plan the abandonment check' },
			{ name: 'Guest Checked In', value: 'guest_checked_in', description: 'Plan the post-stay review request' },
			{ name: 'Guest Checked Out', value: 'guest_checked_out', description: 'Record the departure; the review request follows' },
			{ name: 'Reservation Confirmed', value: 'reservation_confirmed', description: 'Send the confirmation and cancel the reminders' },
		],
		default: 'booking_started',
	}),
	fromFields({
		displayName: 'Event ID',
		name: 'eventId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'evt_01J5Z7',
		description: 'The platform\'s ID of this event: an event recorded again with the same ID changes nothing',
	}),
	fromFields(platformField),
	fromFields(propertyField),
	fromFields(referenceField),
	fromFields({
		displayName: 'Occurred At',
		name: 'occurredAt',
		type: 'dateTime',
		default: '',
		description: 'When it happened on the platform; empty for now',
	}),
	fromFields({ displayName: 'Guest Name', name: 'guestName', type: 'string', default: '' }),
	fromFields({
		displayName: 'Guest Phone',
		name: 'guestPhone',
		type: 'string',
		default: '',
		placeholder: '+351912345678',
		description: 'E.164. Stored encrypted: needs the guest data key.',
	}),
	fromFields({
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{ displayName: 'Adults', name: 'adults', type: 'number', typeOptions: { minValue: 1 }, default: 2 },
			{ displayName: 'Check-In Date', name: 'checkIn', type: 'string', default: '', placeholder: '2026-07-10', description: 'YYYY-MM-DD, the property\'s date' },
			{ displayName: 'Check-Out Date', name: 'checkOut', type: 'string', default: '', placeholder: '2026-07-14', description: 'YYYY-MM-DD, the property\'s date' },
			{ displayName: 'Children', name: 'children', type: 'number', typeOptions: { minValue: 0 }, default: 0 },
			{ displayName: 'Confirmation Code', name: 'confirmationCode', type: 'string', default: '' },
			{ displayName: 'Currency', name: 'currency', type: 'string', default: 'EUR', placeholder: 'EUR' },
			{ displayName: 'Guest Locale', name: 'guestLocale', type: 'options', options: LOCALES, default: 'pt-PT' },
			{ displayName: 'Last Activity At', name: 'lastActivityAt', type: 'dateTime', default: '', description: 'Booking abandoned: when the guest was last active' },
			{ displayName: 'Property Name', name: 'propertyName', type: 'string', default: '' },
			{ displayName: 'Property Timezone', name: 'propertyTimezone', type: 'string', default: '', placeholder: 'Europe/Lisbon' },
			{ displayName: 'Resume URL', name: 'resumeUrl', type: 'string', default: '', description: 'Where the guest finishes the booking (for reminders)' },
			{ displayName: 'Room Type', name: 'roomType', type: 'string', default: '' },
			{ displayName: 'Total Amount', name: 'totalAmount', type: 'number', typeOptions: { minValue: 0, numberPrecision: 2 }, default: 0 },
		],
	}),
	forOperations(R, ['get'], {
		displayName: 'Find Booking By',
		name: 'findBy',
		type: 'options',
		options: [
			{ name: 'Barnum ID', value: 'id' },
			{ name: 'Platform Reference', value: 'reference' },
		],
		default: 'id',
	}),
	{
		...uuidField('bookingId', 'Booking ID', 'Barnum\'s ID of the booking (bookingId in Record Event\'s output)'),
		displayOptions: { show: { resource: [R], operation: ['get'], findBy: ['id'] } },
	},
	byReference(platformField),
	byReference(propertyField),
	byReference(referenceField),
	forOperations(R, ['cancelReminders'], uuidField('bookingId', 'Booking ID', 'Barnum\'s ID of the booking')),
	forOperations(R, ['cancelReminders'], {
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		placeholder: 'Booked by phone',
	}),
	forOperations(R, ['recordEvent', 'get'], {
		displayName: 'Guest Data Key',
		name: 'guestDataKey',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description:
			'The GUEST_DATA_KEY guests\' phone numbers are encrypted with (32 bytes, base64). Needed to record a phone number, and for Get to show it.',
	}),
];

async function guestKeys(this: IExecuteFunctions, i: number): Promise<GuestKeyRing | undefined> {
	const given = this.getNodeParameter('guestDataKey', i, '') as string;
	// Read from the credential too, for when the Barnum Postgres credential carries the key.
	const credential = given ? undefined : ((await this.getCredentials('barnumPostgresApi')) as { guestDataKey?: string });
	return parseGuestKeyRing(given || credential?.guestDataKey);
}

export async function executeBooking(this: IExecuteFunctions, pool: pg.Pool, operation: string, i: number): Promise<IDataObject> {
	const param = <T>(name: string, fallback?: T) => this.getNodeParameter(name, i, fallback) as T;
	const actor = `n8n:${this.getNode().name}`;
	switch (operation) {
		case 'recordEvent': {
			const native =
				param<string>('source', 'fields') === 'json'
					? parseNativeJson(param<unknown>('eventJson'))
					: nativeEventFromFields({
							eventType: param<string>('eventType'),
							eventId: param<string>('eventId'),
							platform: param<string>('platform', 'barnum'),
							propertyId: param<string>('propertyId'),
							bookingReference: param<string>('bookingReference'),
							occurredAt: param<string>('occurredAt', ''),
							guestName: param<string>('guestName', ''),
							guestPhone: param<string>('guestPhone', ''),
							...param<IDataObject>('additionalFields', {}),
						});
			const { duplicate, result } = await recordBookingEvent(pool, parseBookingEvent(native), { actor, keys: await guestKeys.call(this, i) });
			return { ...result, duplicate } as unknown as IDataObject;
		}
		case 'get': {
			const lookup =
				param<string>('findBy', 'id') === 'id'
					? { bookingId: param<string>('bookingId') }
					: { platform: param<string>('platform', 'barnum'), propertyId: param<string>('propertyId'), reference: param<string>('bookingReference') };
			return (await getBooking(pool, lookup, { actor, keys: await guestKeys.call(this, i) })) as IDataObject;
		}
		case 'cancelReminders':
			return (await cancelBookingReminders(pool, { bookingId: param<string>('bookingId'), reason: param<string>('reason', ''), actor })) as IDataObject;
	}
	throw new NodeOperationError(this.getNode(), `Unknown booking operation "${operation}"`, { itemIndex: i });
}
