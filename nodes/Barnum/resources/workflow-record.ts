import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import type pg from 'pg';
import {
	recordNoShowRescheduleAttempt,
	recordReactivation,
	recordRescheduleRequest,
	recordReview,
} from '../../../core/appointments/records';
import { forOperations, uuidField } from './fields';

const R = 'workflowRecord';

export const workflowRecordOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [R] } },
	options: [
		{ name: 'Record No-Show Reschedule Attempt', value: 'noShowRescheduleAttempt', action: 'Record a no show reschedule attempt', description: 'The patient answered the reschedule prompt' },
		{ name: 'Record Reactivation', value: 'reactivation', action: 'Record a reactivation', description: 'Record a reactivation conversation with a patient' },
		{ name: 'Record Reschedule Request', value: 'rescheduleRequest', action: 'Record a reschedule request', description: 'The patient asked for another time; the clinic calls back' },
		{ name: 'Record Review', value: 'review', action: 'Record a review answer', description: 'Whether the patient left a review, and the rating' },
	],
	default: 'noShowRescheduleAttempt',
};

export const workflowRecordFields: INodeProperties[] = [
	forOperations(R, ['noShowRescheduleAttempt', 'review', 'rescheduleRequest'], uuidField('appointmentId', 'Appointment ID', 'The appointment the conversation is about')),
	forOperations(R, ['reactivation'], uuidField('patientId', 'Patient ID', 'The patient being reactivated')),
	forOperations(R, ['noShowRescheduleAttempt'], {
		displayName: 'Attempt',
		name: 'attempt',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
	}),
	forOperations(R, ['noShowRescheduleAttempt', 'reactivation'], {
		displayName: 'Patient Response',
		name: 'patientResponse',
		type: 'string',
		default: '',
		placeholder: 'yes',
	}),
	forOperations(R, ['reactivation'], {
		displayName: 'Workflow Type',
		name: 'workflowType',
		type: 'string',
		default: 'reactivation',
		placeholder: 'reactivation_30d',
	}),
	forOperations(R, ['review'], {
		displayName: 'Review Submitted',
		name: 'reviewSubmitted',
		type: 'boolean',
		default: true,
	}),
	forOperations(R, ['review'], {
		displayName: 'Rating',
		name: 'rating',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 5 },
		default: 0,
		description: 'From 1 to 5; 0 when the patient gave none',
	}),
	forOperations(R, ['rescheduleRequest'], {
		displayName: 'Preferred Time',
		name: 'preferredTime',
		type: 'string',
		default: '',
		placeholder: 'Tuesday afternoon',
	}),
	forOperations(R, ['rescheduleRequest'], {
		displayName: 'Request ID',
		name: 'requestId',
		type: 'string',
		default: '',
		placeholder: 'wamid.HBgM…',
		description:
			"What identifies this request where it came from (a message's ID): the team is told once per request. Empty: once per execution.",
	}),
];

export async function executeWorkflowRecord(this: IExecuteFunctions, pool: pg.Pool, operation: string, i: number): Promise<IDataObject> {
	const param = <T>(name: string, fallback?: T) => this.getNodeParameter(name, i, fallback) as T;
	switch (operation) {
		case 'noShowRescheduleAttempt':
			return {
				records: await recordNoShowRescheduleAttempt(pool, {
					appointmentId: param<string>('appointmentId'),
					attempt: param<number>('attempt', 1),
					response: param<string>('patientResponse', '') || null,
					channel: 'n8n',
				}),
			} as unknown as IDataObject;
		case 'rescheduleRequest': {
			const appointmentId = param<string>('appointmentId');
			// A retry of the same execution (or the same request id) records the request once.
			const requestId = param<string>('requestId', '').trim() || `execution-${this.getExecutionId()}`;
			return {
				records: await recordRescheduleRequest(pool, {
					appointmentId,
					preferredTime: param<string>('preferredTime', '') || null,
					channel: 'n8n',
					sourceKey: `n8n:reschedule_request:${appointmentId}:${requestId}`,
				}),
			} as unknown as IDataObject;
		}
		case 'review':
			return {
				records: await recordReview(pool, {
					appointmentId: param<string>('appointmentId'),
					reviewSubmitted: param<boolean>('reviewSubmitted', true),
					rating: param<number>('rating', 0) || null,
				}),
			} as unknown as IDataObject;
		case 'reactivation':
			return (await recordReactivation(pool, {
				patientId: param<string>('patientId'),
				workflowType: param<string>('workflowType', '') || null,
				response: param<string>('patientResponse', '') || null,
			})) as unknown as IDataObject;
	}
	throw new NodeOperationError(this.getNode(), `Unknown workflow record operation "${operation}"`, { itemIndex: i });
}
