import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import type pg from 'pg';
import { feedStatus } from '../../../core/appointments/feed-input';
import {
	appointmentRecord,
	locationRecord,
	patientRecord,
	professionalRecord,
	sourceKey,
	specialtyRecord,
	type Raw,
} from '../../../core/appointments/feed-records';
import {
	setAppointmentStatusByKey,
	upsertAppointment,
	upsertLocation,
	upsertPatient,
	upsertProfessional,
	upsertSpecialty,
} from '../../../core/appointments/upsert';
import { forOperations, operationField } from './fields';

const R = 'clinicData';

export const clinicDataOperations = operationField(
	R,
	[
		{
			name: 'Set Appointment Status',
			value: 'setAppointmentStatus',
			action: 'Set the status of an appointment by its source ID',
			description: 'Mark an appointment found by the source system\'s ID as confirmed, cancelled, no-show or completed',
		},
		{
			name: 'Upsert Appointment',
			value: 'upsertAppointment',
			action: 'Create or update an appointment',
			description: 'Create or update an appointment with its patient, professional and specialty, by the source system\'s ID',
		},
		{ name: 'Upsert Location', value: 'upsertLocation', action: 'Create or update a location', description: 'A clinic site, by its external ID' },
		{ name: 'Upsert Patient', value: 'upsertPatient', action: 'Create or update a patient', description: 'By the source system\'s ID' },
		{ name: 'Upsert Professional', value: 'upsertProfessional', action: 'Create or update a professional', description: 'By the source system\'s ID' },
		{ name: 'Upsert Specialty', value: 'upsertSpecialty', action: 'Create or update a specialty', description: 'By the source system\'s ID' },
	],
	'upsertAppointment',
);

const KEYED = ['setAppointmentStatus', 'upsertAppointment', 'upsertPatient', 'upsertProfessional', 'upsertSpecialty'];
const ALL = [...KEYED, 'upsertLocation'];

const STATUSES = [
	{ name: 'Cancelled', value: 'cancelled', description: 'Cancels its pending pre-confirmation and reminders' },
	{ name: 'Completed', value: 'completed', description: 'Queues the review request' },
	{ name: 'Confirmed', value: 'confirmed' },
	{ name: 'No-Show', value: 'no_show', description: 'Queues the reschedule prompt' },
	{ name: 'Scheduled', value: 'scheduled', description: 'Active: a new one gets its pre-confirmation and reminders' },
];

const LOCALES = [
	{ name: 'Business Default', value: '' },
	{ name: 'English', value: 'en' },
	{ name: 'Portuguese (Brazil)', value: 'pt-BR' },
	{ name: 'Portuguese (Portugal)', value: 'pt-PT' },
	{ name: 'Spanish', value: 'es' },
];

const text = (name: string, displayName: string, extra: Partial<INodeProperties> = {}): INodeProperties =>
	({ displayName, name, type: 'string', default: '', ...extra }) as INodeProperties;

export const clinicDataFields: INodeProperties[] = [
	forOperations(R, KEYED, text('source', 'Source', {
		required: true,
		placeholder: 'cal.com',
		description: 'Whose IDs these are: the system the records come from. Records are found again by source and external ID.',
	})),
	forOperations(R, ALL, text('externalId', 'External ID', {
		required: true,
		placeholder: 'bFJeNb2uX8ANpT3JL5EfXw',
		description: 'The ID the source system gives the record (a location\'s: the ID it is known by, such as clinic-lisboa)',
	})),
	forOperations(R, ['upsertAppointment'], text('startsAt', 'Starts At', {
		required: true,
		placeholder: '2026-05-25T09:30:00Z',
		description:
			'An ISO 8601 instant with its offset (placed on the location\'s wall clock), or the clinic\'s wall-clock date and time without one (2026-05-25 09:30)',
	})),
	forOperations(R, ['upsertAppointment', 'setAppointmentStatus'], {
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: STATUSES,
		default: 'scheduled',
		description:
			'Barnum\'s status. Scheduled at the same time keeps a confirmation the patient already gave through Barnum; the trigger plans what a change means.',
	}),
	forOperations(R, ['upsertAppointment'], text('patientName', 'Patient Name', { required: true })),
	forOperations(R, ['upsertAppointment'], text('patientPhone', 'Patient Phone', {
		required: true,
		placeholder: '+351912345678',
		description: 'International form, with + (or 00) and the country code; spaces and dashes are dropped',
	})),
	forOperations(R, ['upsertPatient', 'upsertProfessional', 'upsertSpecialty', 'upsertLocation'], text('name', 'Name', { required: true })),
	forOperations(R, ['upsertPatient'], text('phone', 'Phone', {
		required: true,
		placeholder: '+351912345678',
		description: 'International form, with + (or 00) and the country code; spaces and dashes are dropped',
	})),
	forOperations(R, ['upsertAppointment'], {
		displayName: 'Additional Fields',
		name: 'appointmentFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			text('cancellationReason', 'Cancellation Reason'),
			{ displayName: 'Duration (Minutes)', name: 'durationMinutes', type: 'number', typeOptions: { minValue: 1 }, default: 30 },
			text('locationExternalId', 'Location External ID', { description: 'A location upserted before (Upsert Location)' }),
			text('notes', 'Notes'),
			text('patientEmail', 'Patient Email', { placeholder: 'name@email.com' }),
			text('patientExternalId', 'Patient External ID', { description: 'The source\'s ID of the patient; without one, the phone number identifies the patient' }),
			{ displayName: 'Patient Language', name: 'patientLocale', type: 'string', default: '', placeholder: 'pt-PT', description: 'A language tag (pt, pt-BR, en-GB, es); others use the location\'s language' },
			text('previousExternalId', 'Previous External ID', {
				description: 'The ID the source gave this appointment before it moved it (Cal.com\'s rescheduleUid): that appointment is moved rather than a new one created',
			}),
			text('professionalExternalId', 'Professional External ID'),
			text('professionalName', 'Professional Name', { description: 'Needed with Professional External ID' }),
			text('specialtyExternalId', 'Specialty External ID'),
			text('specialtyName', 'Specialty Name'),
		],
	}),
	forOperations(R, ['setAppointmentStatus'], text('reason', 'Cancellation Reason', { description: 'Kept when the status is Cancelled' })),
	forOperations(R, ['upsertPatient'], {
		displayName: 'Additional Fields',
		name: 'patientFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			text('email', 'Email', { placeholder: 'name@email.com' }),
			{ displayName: 'Language', name: 'locale', type: 'options', options: LOCALES, default: '' },
		],
	}),
	forOperations(R, ['upsertProfessional'], text('specialtyExternalId', 'Specialty External ID', {
		description: 'A specialty of the same source, upserted before',
	})),
	forOperations(R, ['upsertLocation'], {
		displayName: 'Additional Fields',
		name: 'locationFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{ displayName: 'Language', name: 'locale', type: 'options', options: LOCALES, default: '' },
			text('publicBaseUrl', 'Public Base URL', { placeholder: 'https://lisboa.clinic.example', description: 'The address of this site\'s action links' }),
			text('quietHoursEnd', 'Quiet Hours End', { placeholder: '08:00' }),
			text('quietHoursStart', 'Quiet Hours Start', { placeholder: '21:00' }),
			text('timezone', 'Timezone', { placeholder: 'Europe/Lisbon' }),
			text('whatsappPhoneNumberId', 'WhatsApp Phone Number ID', { description: 'The WhatsApp number this site sends from' }),
		],
	}),
];

export async function executeClinicData(this: IExecuteFunctions, pool: pg.Pool, operation: string, i: number): Promise<IDataObject> {
	const param = (name: string) => this.getNodeParameter(name, i, '') as unknown;
	const collection = (name: string) => this.getNodeParameter(name, i, {}) as Raw;
	const key = () => ({ source: param('source'), externalId: param('externalId') });
	switch (operation) {
		case 'upsertAppointment': {
			const record = appointmentRecord({
				...collection('appointmentFields'),
				...key(),
				startsAt: param('startsAt'),
				status: param('status'),
				patientName: param('patientName'),
				patientPhone: param('patientPhone'),
			});
			return (await upsertAppointment(pool, record)) as unknown as IDataObject;
		}
		case 'setAppointmentStatus': {
			const { source, externalId } = sourceKey(key(), 'appointment');
			const status = feedStatus(param('status'));
			const reason = String(param('reason') ?? '').trim() || undefined;
			return (await setAppointmentStatusByKey(pool, { source, externalId, status, reason })) as unknown as IDataObject;
		}
		case 'upsertPatient':
			return (await upsertPatient(pool, patientRecord({ ...collection('patientFields'), ...key(), name: param('name'), phone: param('phone') }))) as unknown as IDataObject;
		case 'upsertProfessional':
			return (await upsertProfessional(
				pool,
				professionalRecord({ ...key(), name: param('name'), specialtyExternalId: param('specialtyExternalId') }),
			)) as unknown as IDataObject;
		case 'upsertSpecialty':
			return (await upsertSpecialty(pool, specialtyRecord({ ...key(), name: param('name') }))) as unknown as IDataObject;
		case 'upsertLocation':
			return (await upsertLocation(pool, locationRecord({ ...collection('locationFields'), externalId: param('externalId'), name: param('name') }))) as unknown as IDataObject;
	}
	throw new NodeOperationError(this.getNode(), `Unknown clinic data operation "${operation}"`, { itemIndex: i });
}
