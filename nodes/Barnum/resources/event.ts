import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import type pg from 'pg';
import { BarnumError } from '../../../core/errors';
import { enqueueReactivations, recentDeadLetters } from '../../../core/outbox/campaigns';
import { classifyFailure } from '../../../core/outbox/classify';
import {
	ackEvents,
	enqueueEvent,
	failEvent,
	getEvent,
	replayDeadLetters,
	skipEvent,
} from '../../../core/outbox/operations';
import type { FailureKind } from '../../../core/outbox/types';
import { forOperations, uuidField } from './fields';
import { jsonParameter } from '../../shared/json-parameter';

const R = 'event';

export const eventOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [R] } },
	options: [
		{ name: 'Acknowledge', value: 'ack', action: 'Mark an event as sent', description: 'Mark a leased event as sent, with the WhatsApp message ID' },
		{ name: 'Enqueue', value: 'enqueue', action: 'Enqueue an event', description: 'Add a custom event to the outbox' },
		{
			name: 'Enqueue Reactivations',
			value: 'enqueueReactivations',
			action: 'Enqueue reactivation events',
			description: 'One patient.reactivation event per patient with no visit in N days, once per period',
		},
		{ name: 'Fail', value: 'fail', action: 'Record a failed delivery', description: 'Retry later with backoff, or dead-letter a permanent failure' },
		{ name: 'Get', value: 'get', action: 'Get an event', description: 'Read an event and its delivery state' },
		{ name: 'List Dead Letters', value: 'listDeadLetters', action: 'List recent dead letters', description: 'Events dead-lettered in the last N minutes, for alerts' },
		{ name: 'Replay Dead Letters', value: 'replay', action: 'Replay dead letters', description: 'Put dead-lettered events back in the queue' },
		{ name: 'Skip', value: 'skip', action: 'Skip an event', description: 'Settle an event without sending, with a reason' },
	],
	default: 'ack',
};

export const eventFields: INodeProperties[] = [
	forOperations(R, ['enqueueReactivations'], {
		displayName: 'Inactive for (Days)',
		name: 'inactiveDays',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 180,
		description: 'Patients whose last completed appointment is older than this',
	}),
	forOperations(R, ['enqueueReactivations'], {
		displayName: 'Once per (Days)',
		name: 'periodDays',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 90,
		description: 'A patient gets at most one reactivation event in each period of this many days',
	}),
	forOperations(R, ['listDeadLetters'], {
		displayName: 'Since (Minutes)',
		name: 'sinceMinutes',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 15,
	}),
	forOperations(R, ['ack', 'fail', 'skip', 'get'], uuidField('eventId', 'Event ID', 'The event_id of the message the Outbox Trigger emitted')),
	forOperations(R, ['ack'], {
		displayName: 'WhatsApp Message ID',
		name: 'messageId',
		type: 'string',
		default: '',
		placeholder: 'wamid.HBgLMzUxOTEyMzQ1Njc4FQIAERgSQ0Q3',
		description: 'The wamid WhatsApp returned, to match delivery statuses later',
	}),
	forOperations(R, ['fail'], {
		displayName: 'Error Message',
		name: 'errorMessage',
		type: 'string',
		required: true,
		default: '',
		description: 'Kept on the event as last_error',
	}),
	forOperations(R, ['fail'], {
		displayName: 'Failure Kind',
		name: 'failureKind',
		type: 'options',
		options: [
			{ name: 'Decide From the Codes Below', value: 'auto' },
			{ name: 'Permanent (Dead-Letter Now)', value: 'permanent' },
			{ name: 'Throttled (Retry Later, Keep Retries)', value: 'throttled' },
			{ name: 'Transient (Retry With Backoff)', value: 'transient' },
		],
		default: 'auto',
	}),
	forOperations(R, ['fail'], {
		displayName: 'WhatsApp Error Code',
		name: 'whatsappCode',
		type: 'number',
		default: 0,
		description: 'Meta error code, e.g. 131026 (permanent) or 130429 (throttled). 0 if none.',
	}),
	forOperations(R, ['fail'], {
		displayName: 'HTTP Status',
		name: 'httpStatus',
		type: 'number',
		default: 0,
		description: 'HTTP status of the failed request; 429 means throttled. 0 if none.',
	}),
	forOperations(R, ['fail'], {
		displayName: 'Retry After (Seconds)',
		name: 'retryAfterSeconds',
		type: 'number',
		default: 0,
		description: 'The least time to wait before the retry (a Retry-After header). 0 for none.',
	}),
	forOperations(R, ['skip'], {
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'Confirmed by phone',
	}),
	forOperations(R, ['replay'], {
		displayName: 'Replay',
		name: 'replayScope',
		type: 'options',
		options: [
			{ name: 'All Dead Letters', value: 'all' },
			{ name: 'Dead Letters Matching a Filter', value: 'filter' },
			{ name: 'One Event', value: 'one' },
		],
		default: 'one',
	}),
	{
		...uuidField('eventId', 'Event ID', 'The dead-lettered event to replay'),
		displayOptions: { show: { resource: [R], operation: ['replay'], replayScope: ['one'] } },
	},
	{
		displayName: 'Event Type',
		name: 'replayEventType',
		type: 'string',
		default: '',
		placeholder: 'appointment.reminder',
		description: 'Only dead letters of this type. Empty for any type.',
		displayOptions: { show: { resource: [R], operation: ['replay'], replayScope: ['filter'] } },
	},
	{
		displayName: 'Dead Since',
		name: 'replaySince',
		type: 'dateTime',
		default: '',
		description: 'Only events dead-lettered at or after this time. Empty for any time.',
		displayOptions: { show: { resource: [R], operation: ['replay'], replayScope: ['filter'] } },
	},
	forOperations(R, ['enqueue'], {
		displayName: 'Event Type',
		name: 'eventType',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'patient.birthday',
		description: 'Lower-case words separated by dots',
	}),
	forOperations(R, ['enqueue'], {
		displayName: 'Entity Type',
		name: 'entityType',
		type: 'string',
		required: true,
		default: 'patient',
		description: 'What the event is about: appointment and patient events are re-checked before delivery',
	}),
	forOperations(R, ['enqueue'], uuidField('entityId', 'Entity ID', 'The ID of the appointment, patient or other record')),
	forOperations(R, ['enqueue'], {
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{ displayName: 'Dedupe Key', name: 'dedupeKey', type: 'string', default: '', description: 'A second enqueue with the same key does nothing' },
			{ displayName: 'Max Retries', name: 'maxRetries', type: 'number', typeOptions: { minValue: 0 }, default: 3 },
			{ displayName: 'Payload (JSON)', name: 'payload', type: 'json', default: '{}' },
			{ displayName: 'Respect Quiet Hours', name: 'respectQuietHours', type: 'boolean', default: true },
			{ displayName: 'Scheduled For', name: 'scheduledFor', type: 'dateTime', default: '', description: 'When to deliver; empty for now' },
		],
	}),
];

function parsePayload(raw: unknown): Record<string, unknown> {
	if (raw === undefined || raw === '' || raw === null) return {};
	// Invalid JSON reads as undefined, reported below as "must be a JSON object".
	const value = jsonParameter(raw);
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new BarnumError('invalid_input', 'Payload must be a JSON object, e.g. {"campaign": "spring"}', { field: 'payload' });
	}
	return value as Record<string, unknown>;
}


export async function executeEvent(this: IExecuteFunctions, pool: pg.Pool, operation: string, i: number): Promise<IDataObject> {
	const param = <T>(name: string, fallback?: T) => this.getNodeParameter(name, i, fallback) as T;
	switch (operation) {
		case 'ack': {
			const id = param<string>('eventId');
			const [result] = await ackEvents(pool, [{ id, messageId: param<string>('messageId', '') || null }]);
			if (result.outcome === 'missing') throw new BarnumError('not_found', `Event ${id} does not exist`);
			if (result.outcome !== 'sent') {
				throw new BarnumError('conflict', `Event ${id} is ${result.outcome}, not leased: nothing to acknowledge`, { status: result.outcome });
			}
			return { eventId: id, status: 'sent' };
		}
		case 'fail': {
			const id = param<string>('eventId');
			const chosen = param<string>('failureKind', 'auto');
			const kind: FailureKind =
				chosen === 'auto'
					? classifyFailure({ whatsappCode: param<number>('whatsappCode', 0) || undefined, httpStatus: param<number>('httpStatus', 0) || undefined })
					: (chosen as FailureKind);
			const outcome = await failEvent(pool, {
				id,
				error: param<string>('errorMessage'),
				kind,
				retryAfterSeconds: param<number>('retryAfterSeconds', 0) || null,
			});
			if (!outcome) throw new BarnumError('conflict', `Event ${id} is not leased (already settled, or unknown): nothing to fail`);
			return { eventId: id, kind, ...outcome };
		}
		case 'skip': {
			const id = param<string>('eventId');
			if (!(await skipEvent(pool, id, param<string>('reason')))) {
				throw new BarnumError('conflict', `Event ${id} is already settled or does not exist: nothing to skip`);
			}
			return { eventId: id, status: 'skipped' };
		}
		case 'get': {
			const id = param<string>('eventId');
			const row = await getEvent(pool, id);
			if (!row) throw new BarnumError('not_found', `Event ${id} does not exist`);
			return row as IDataObject;
		}
		case 'replay': {
			const scope = param<string>('replayScope', 'one');
			const since = param<string>('replaySince', '');
			const ids = await replayDeadLetters(
				pool,
				scope === 'one'
					? { id: param<string>('eventId') }
					: scope === 'filter'
						? { eventType: param<string>('replayEventType', '') || undefined, since: since ? new Date(since) : undefined }
						: {},
			);
			return { replayed: ids.length, eventIds: ids };
		}
		case 'enqueueReactivations': {
			const patients = await enqueueReactivations(pool, { inactiveDays: param<number>('inactiveDays'), periodDays: param<number>('periodDays') });
			return { enqueued: patients.length, patientIds: patients };
		}
		case 'listDeadLetters': {
			const events = await recentDeadLetters(pool, param<number>('sinceMinutes'));
			return { count: events.length, events } as unknown as IDataObject;
		}
		case 'enqueue': {
			const extra = param<IDataObject>('additionalFields', {});
			const id = await enqueueEvent(pool, {
				eventType: param<string>('eventType'),
				entityType: param<string>('entityType'),
				entityId: param<string>('entityId'),
				payload: parsePayload(extra.payload),
				scheduledFor: extra.scheduledFor ? new Date(extra.scheduledFor as string) : null,
				maxRetries: (extra.maxRetries as number | undefined) ?? null,
				dedupeKey: (extra.dedupeKey as string) || null,
				respectQuietHours: (extra.respectQuietHours as boolean | undefined) ?? true,
			});
			return { eventId: id, enqueued: id !== null };
		}
	}
	throw new NodeOperationError(this.getNode(), `Unknown event operation "${operation}"`, { itemIndex: i });
}
