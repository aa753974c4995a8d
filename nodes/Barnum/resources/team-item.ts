import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type pg from 'pg';
import { claimTeamNotices, listOpenItems, markHandled, markNotified } from '../../../core/attention/notices';
import { ATTENTION_KINDS, recordAttention, type AttentionKind } from '../../../core/attention/record';
import { BarnumError } from '../../../core/errors';
import { forOperations, operationField, uuidField } from './fields';

const R = 'teamItem';

export const teamItemOperations = operationField(
	R,
	[
		{
			name: 'Claim Notices',
			value: 'claimNotices',
			action: 'Claim what to tell the team',
			description:
				'One output item per notice due: each new item for places told at once, and each digest whose hour has come. Text, chat payload, staff WhatsApp parameters and handled links included.',
		},
		{ name: 'List Open', value: 'listOpen', action: 'List items not yet handled', description: 'One output item per item waiting for a person, oldest first' },
		{ name: 'Mark Handled', value: 'markHandled', action: 'Mark an item handled', description: 'It leaves the team’s list and every later digest' },
		{
			name: 'Mark Notified',
			value: 'markNotified',
			action: 'Mark items notified',
			description: 'The team was told: the items leave the notice queue (unmarked, they are told again once their hold ends)',
		},
		{ name: 'Record', value: 'record', action: 'Record an item for the team', description: 'Something else that needs a person, told like the rest' },
	],
	'claimNotices',
);

const KIND_NAMES: Record<AttentionKind, string> = {
	reschedule_request: 'Reschedule Request',
	cancellation: 'Cancellation',
	reply: 'Reply to Read',
	no_show_answer: 'No-Show Answer',
	opt_out: 'Opt-Out',
	unreachable: 'Unreachable on WhatsApp',
};

export const teamItemFields: INodeProperties[] = [
	forOperations(R, ['claimNotices'], {
		displayName: 'Options',
		name: 'claimOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{ displayName: 'Hold (Seconds)', name: 'leaseSeconds', type: 'number', typeOptions: { minValue: 10 }, default: 600, description: 'How long a claimed item waits for Mark Notified before it is told again' },
			{ displayName: 'Link Lifetime (Days)', name: 'linkDays', type: 'number', typeOptions: { minValue: 1, maxValue: 365 }, default: 30, description: 'How long each handled link works' },
			{ displayName: 'Limit', name: 'limit', type: 'number', typeOptions: { minValue: 1 }, default: 50, description: 'Max number of results to return' },
		],
	}),
	forOperations(R, ['markNotified'], {
		displayName: 'Item IDs',
		name: 'itemIds',
		type: 'string',
		default: '={{ $json.itemIds }}',
		description: 'The items the team was told about: a list, or IDs separated by commas',
	}),
	forOperations(R, ['markHandled'], uuidField('itemId', 'Item ID', 'The item a person took care of')),
	forOperations(R, ['markHandled'], {
		displayName: 'Handled By',
		name: 'handledBy',
		type: 'string',
		default: '',
		placeholder: 'Ana (front desk)',
	}),
	forOperations(R, ['listOpen'], {
		displayName: 'Location ID',
		name: 'locationId',
		type: 'string',
		default: '',
		description: 'Only this location’s items; empty for all',
	}),
	forOperations(R, ['listOpen'], {
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
	}),
	forOperations(R, ['record'], {
		displayName: 'Kind',
		name: 'kind',
		type: 'options',
		options: ATTENTION_KINDS.map((value) => ({ name: KIND_NAMES[value], value })),
		default: 'reply',
	}),
	forOperations(R, ['record'], {
		displayName: 'Source Key',
		name: 'sourceKey',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'crm:ticket:4711',
		description: 'What makes it the same item if it is recorded again (the team is told once per key)',
	}),
	forOperations(R, ['record'], { ...uuidField('appointmentId', 'Appointment ID', 'The appointment it concerns, when there is one'), required: false }),
	forOperations(R, ['record'], { ...uuidField('patientId', 'Patient ID', 'The patient, when there is no appointment'), required: false }),
	forOperations(R, ['record'], {
		displayName: 'Detail',
		name: 'detail',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		description: 'What the patient said or what happened, shown in the notice',
	}),
];

function ids(value: unknown): string[] {
	if (Array.isArray(value)) return value.map(String);
	return String(value ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

export async function executeTeamItem(this: IExecuteFunctions, pool: pg.Pool, operation: string, i: number): Promise<IDataObject | IDataObject[]> {
	const param = <T>(name: string, fallback?: T) => this.getNodeParameter(name, i, fallback) as T;
	switch (operation) {
		case 'claimNotices': {
			const options = param<{ limit?: number; leaseSeconds?: number; linkDays?: number }>('claimOptions', {});
			return (await claimTeamNotices(pool, options)) as unknown as IDataObject[];
		}
		case 'markNotified': {
			const itemIds = ids(param('itemIds'));
			if (itemIds.length === 0) throw new BarnumError('invalid_input', 'Item IDs is empty: give the IDs of the items the team was told about', { field: 'itemIds' });
			return { notified: await markNotified(pool, itemIds) };
		}
		case 'markHandled':
			return (await markHandled(pool, { itemId: param<string>('itemId'), handledBy: param<string>('handledBy', '') || null, via: 'n8n' })) as unknown as IDataObject;
		case 'listOpen':
			return (await listOpenItems(pool, { locationId: param<string>('locationId', '') || null, limit: param<number>('limit', 50) })) as unknown as IDataObject[];
		case 'record': {
			const item = await recordAttention(pool, {
				kind: param<AttentionKind>('kind'),
				channel: 'n8n',
				sourceKey: param<string>('sourceKey'),
				appointmentId: param<string>('appointmentId', '') || null,
				patientId: param<string>('patientId', '') || null,
				detail: param<string>('detail', '') || null,
			});
			return { recorded: item !== undefined, id: item?.id ?? null };
		}
	}
	throw new BarnumError('invalid_input', `Unknown team item operation "${operation}"`, { field: 'operation' });
}
