import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type pg from 'pg';
import { createActionLink, type LinkAction } from '../../../core/action-links/create';
import { forOperations, uuidField } from './fields';

const R = 'actionLink';

export const actionLinkOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [R] } },
	options: [
		{ name: 'Create', value: 'create', action: 'Create an action link', description: 'A one-click confirm, cancel or reschedule link for a patient' },
	],
	default: 'create',
};

export const actionLinkFields: INodeProperties[] = [
	forOperations(R, ['create'], uuidField('appointmentId', 'Appointment ID', 'The appointment the link acts on')),
	forOperations(R, ['create'], {
		displayName: 'Action',
		name: 'linkAction',
		type: 'options',
		options: [
			{ name: 'Cancel', value: 'cancel' },
			{ name: 'Confirm', value: 'confirm' },
			{ name: 'Reschedule', value: 'reschedule' },
		],
		default: 'confirm',
	}),
	forOperations(R, ['create'], {
		displayName: 'Expires in (Days)',
		name: 'expiresInDays',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'How long the link works; 0 for the default in settings (7 days)',
	}),
];

export async function executeActionLink(this: IExecuteFunctions, pool: pg.Pool, _operation: string, i: number): Promise<IDataObject> {
	const link = await createActionLink(pool, {
		appointmentId: this.getNodeParameter('appointmentId', i) as string,
		action: this.getNodeParameter('linkAction', i) as LinkAction,
		expiresInDays: (this.getNodeParameter('expiresInDays', i, 0) as number) || null,
	});
	return link as unknown as IDataObject;
}
