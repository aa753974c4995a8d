import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type pg from 'pg';
import { changeAppointmentStatus, getAppointment, rescheduleAppointment, type StatusAction } from '../../../core/appointments/transitions';
import { BarnumError } from '../../../core/errors';
import { forOperations, uuidField } from './fields';

const R = 'appointment';

export const appointmentOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [R] } },
	options: [
		{ name: 'Cancel', value: 'cancel', action: 'Cancel an appointment', description: 'Cancel a scheduled or confirmed appointment' },
		{ name: 'Complete', value: 'complete', action: 'Complete an appointment', description: 'Mark an appointment as attended: queues the review request' },
		{ name: 'Confirm', value: 'confirm', action: 'Confirm an appointment', description: 'The patient confirmed' },
		{ name: 'Get', value: 'get', action: 'Get an appointment', description: 'Read an appointment with its patient, professional and specialty' },
		{ name: 'Mark No-Show', value: 'markNoShow', action: 'Mark an appointment as a no show', description: 'The patient did not come: queues the reschedule prompt' },
		{ name: 'Reschedule', value: 'reschedule', action: 'Reschedule an appointment', description: 'Move it to a new date and time' },
	],
	default: 'confirm',
};

const ALL = ['cancel', 'complete', 'confirm', 'get', 'markNoShow', 'reschedule'];

export const appointmentFields: INodeProperties[] = [
	forOperations(R, ALL, uuidField('appointmentId', 'Appointment ID', 'The appointment to act on')),
	forOperations(R, ['confirm', 'cancel'], {
		displayName: 'Patient Response',
		name: 'patientResponse',
		type: 'string',
		default: '',
		description: 'What the patient said, recorded on the conversation (the seed\'s patientResponse)',
	}),
	forOperations(R, ['cancel'], {
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		placeholder: 'Patient request',
	}),
	forOperations(R, ['reschedule'], {
		displayName: 'New Date',
		name: 'newDate',
		type: 'string',
		required: true,
		default: '',
		placeholder: '2026-02-15',
		description: 'YYYY-MM-DD, in the clinic\'s timezone',
	}),
	forOperations(R, ['reschedule'], {
		displayName: 'New Time',
		name: 'newTime',
		type: 'string',
		required: true,
		default: '',
		placeholder: '14:30',
		description: 'HH:MM (24 h), in the clinic\'s timezone',
	}),
];

const STATUS_ACTIONS: Record<string, StatusAction> = {
	confirm: 'confirm',
	cancel: 'cancel',
	markNoShow: 'mark_no_show',
	complete: 'complete',
};

export async function executeAppointment(this: IExecuteFunctions, pool: pg.Pool, operation: string, i: number): Promise<IDataObject> {
	const appointmentId = this.getNodeParameter('appointmentId', i) as string;
	if (operation === 'get') return (await getAppointment(pool, appointmentId)) as IDataObject;
	if (operation === 'reschedule') {
		const result = await rescheduleAppointment(pool, {
			appointmentId,
			newDate: (this.getNodeParameter('newDate', i) as string).trim(),
			newTime: (this.getNodeParameter('newTime', i) as string).trim(),
		});
		return result as unknown as IDataObject;
	}
	const action = STATUS_ACTIONS[operation];
	if (!action) throw new BarnumError('invalid_input', `Unknown appointment operation "${operation}"`);
	const text = (name: string) => ((this.getNodeParameter(name, i, '') as string) || null);
	const result = await changeAppointmentStatus(pool, {
		appointmentId,
		action,
		reason: operation === 'cancel' ? text('reason') : null,
		response: operation === 'confirm' || operation === 'cancel' ? text('patientResponse') : null,
	});
	return result as unknown as IDataObject;
}
