import { NodeApiError, type IDataObject, type IExecuteFunctions, type INodeProperties, type JsonObject } from 'n8n-workflow';
import type pg from 'pg';
import { BarnumError } from '../../../core/errors';
import { parseGuestKeyRing } from '../../../core/resort/guest-crypto';
import { deliverTemplate, deliverTemplates, type DeliveryOutcome, type TemplateDelivery } from '../../../core/whatsapp/delivery';
import { processInboundWebhook } from '../../../core/whatsapp/inbound';
import { invalidRecipient } from '../../../core/whatsapp/recipient';
import { eventTemplate } from '../../../core/whatsapp/event-templates';
import type { OutboundMessage } from '../../../core/outbox/types';
import { recordDeliveryStatus, statusesFromWebhook, type DeliveryStatus } from '../../../core/whatsapp/statuses';
import { forOperations } from './fields';
import { jsonParameter } from '../../shared/json-parameter';
import { n8nSender, WHATSAPP_CREDENTIAL } from '../../shared/whatsapp-transport';

const R = 'whatsapp';

export const whatsappOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [R] } },
	options: [
		{
			name: 'Process Inbound Webhook',
			value: 'processInbound',
			action: 'Process an inbound message webhook',
			description: 'Record its delivery statuses and act on replies: Confirm/Cancel buttons, yes to a reschedule prompt, STOP/START',
		},
		{
			name: 'Record Delivery Status',
			value: 'recordStatus',
			action: 'Record a delivery status',
			description: 'Record sent, delivered, read or failed from a WhatsApp status webhook (never moves backwards)',
		},
		{
			name: 'Send Template',
			value: 'sendTemplate',
			action: 'Send a template message',
			description: 'Send an approved template and settle the outbox event it carries',
		},
	],
	default: 'sendTemplate',
};

/** A Send Template field used when the message is defined in the node (not taken from the event). */
const definedBelow = (field: INodeProperties): INodeProperties => ({
	...field,
	displayOptions: { show: { resource: [R], operation: ['sendTemplate'], messageSource: ['fields'] } },
});

export const whatsappFields: INodeProperties[] = [
	forOperations(R, ['sendTemplate'], {
		displayName: 'Message',
		name: 'messageSource',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Define Below',
				value: 'fields',
				description: 'Recipient, template, parameters and buttons set in the fields below, with expressions',
			},
			{
				name: "The Event's Barnum Template",
				value: 'event',
				description:
					"What the bundled workflow for the item's outbox event (or pushed event) sends, built from the event without expressions: far faster on large batches",
			},
		],
		default: 'fields',
	}),
	definedBelow({
		displayName: 'To',
		name: 'to',
		type: 'string',
		required: true,
		default: '={{ $json.appointment?.patient?.phone ?? $json.patient?.phone ?? $json.booking?.guest?.phone }}',
		description: 'The recipient in E.164 form, e.g. +351912345678',
	}),
	definedBelow({
		displayName: 'Template Name',
		name: 'template',
		type: 'string',
		required: true,
		default: 'barnum_appointment_confirmation',
		description: 'An approved template (docs/whatsapp-templates.md)',
	}),
	definedBelow({
		displayName: 'Language Code',
		name: 'language',
		type: 'string',
		required: true,
		default: 'pt_PT',
		description: "Meta's code of the template's language: pt_PT, en, pt_BR, es …",
	}),
	definedBelow({
		displayName: 'Body Parameters',
		name: 'bodyParameters',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Parameter',
		default: {},
		description: 'The values of {{1}}, {{2}} … in order',
		options: [{ displayName: 'Parameter', name: 'parameter', values: [{ displayName: 'Text', name: 'text', type: 'string', default: '' }] }],
	}),
	definedBelow({
		displayName: 'URL Button',
		name: 'urlButton',
		type: 'collection',
		placeholder: 'Add URL Button',
		default: {},
		options: [
			{ displayName: 'Button Index', name: 'index', type: 'number', typeOptions: { minValue: 0, maxValue: 9 }, default: 2 },
			{
				displayName: 'URL Suffix',
				name: 'suffix',
				type: 'string',
				default: "={{ $json.action_links?.confirm?.split('?')[1] }}",
				description: "The dynamic end of the button's link: the part of the action link after the ?",
			},
		],
	}),
	definedBelow({
		displayName: 'Quick Replies',
		name: 'quickReplies',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Quick Reply',
		default: {},
		description: 'The payload each quick-reply button sends back when tapped, e.g. CONFIRM:&lt;appointment ID&gt;',
		options: [
			{
				displayName: 'Quick Reply',
				name: 'reply',
				values: [
					{ displayName: 'Button Index', name: 'index', type: 'number', typeOptions: { minValue: 0, maxValue: 9 }, default: 0 },
					{ displayName: 'Payload', name: 'payload', type: 'string', default: '' },
				],
			},
		],
	}),
	definedBelow({
		displayName: 'Outbox Event ID',
		name: 'eventId',
		type: 'string',
		default: '={{ $json.event_id }}',
		description: 'When set, the event is acked with the wamid, or failed through the engine (retry, throttle or dead letter)',
	}),
	definedBelow({
		displayName: 'Fallback Text',
		name: 'fallbackText',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		description: 'Sent as plain text when the template does not exist (WhatsApp error 132001). Only delivered inside the 24-hour window.',
	}),
	forOperations(R, ['recordStatus'], {
		displayName: 'Source',
		name: 'statusSource',
		type: 'options',
		options: [
			{ name: 'A WhatsApp Webhook Body', value: 'webhook' },
			{ name: 'Fields', value: 'fields' },
		],
		default: 'webhook',
	}),
	{
		displayName: 'Webhook Body',
		name: 'webhookBody',
		type: 'json',
		default: '={{ $json.body }}',
		description: 'The body Meta sent (the Barnum Webhook Trigger outputs it as body); every status in it is recorded',
		displayOptions: { show: { resource: [R], operation: ['recordStatus'], statusSource: ['webhook'] } },
	},
	forOperations(R, ['processInbound'], {
		displayName: 'Webhook Body',
		name: 'webhookBody',
		type: 'json',
		default: '={{ $json.body }}',
		description: 'The body Meta sent, as the Barnum Webhook Trigger outputs it',
	}),
	...(['wamid', 'status', 'timestamp', 'errorCode'] as const).map(
		(name): INodeProperties => ({
			displayName: { wamid: 'Message ID (Wamid)', status: 'Status', timestamp: 'Timestamp', errorCode: 'Error Code' }[name],
			name,
			...(name === 'status'
				? {
						type: 'options' as const,
						options: [
							{ name: 'Delivered', value: 'delivered' },
							{ name: 'Failed', value: 'failed' },
							{ name: 'Read', value: 'read' },
							{ name: 'Sent', value: 'sent' },
						],
						default: 'delivered',
					}
				: name === 'errorCode'
					? { type: 'number' as const, default: 0 }
					: { type: 'string' as const, default: '' }),
			displayOptions: { show: { resource: [R], operation: ['recordStatus'], statusSource: ['fields'] } },
		}),
	),
];

function list<T>(value: unknown, key: string): T[] {
	const entries = (value as Record<string, unknown> | undefined)?.[key];
	return Array.isArray(entries) ? (entries as T[]) : [];
}

export async function executeWhatsApp(this: IExecuteFunctions, pool: pg.Pool, operation: string, i: number): Promise<IDataObject> {
	if (operation === 'processInbound') {
		// The credential's Guest Data Key lets a resort guest's STOP / START find them (blind index).
		const credential = (await this.getCredentials('barnumPostgresApi')) as { guestDataKey?: string };
		const results = await processInboundWebhook(pool, jsonParameter(this.getNodeParameter('webhookBody', i)), {
			guestKeys: parseGuestKeyRing(credential.guestDataKey),
			actor: `n8n:${this.getNode().name}`,
		});
		const unhandled = results.filter((r) => r.kind === 'message' && (r.outcome === 'needs a person' || r.outcome === 'refused'));
		const forTheTeam = results.filter((r) => r.forTheTeam).length;
		return { handled: results.length - unhandled.length, needsAPerson: unhandled.length, forTheTeam, results } as unknown as IDataObject;
	}
	if (operation === 'recordStatus') {
		const reports =
			this.getNodeParameter('statusSource', i) === 'webhook'
				? statusesFromWebhook(jsonParameter(this.getNodeParameter('webhookBody', i)))
				: [
						{
							wamid: String(this.getNodeParameter('wamid', i)),
							status: this.getNodeParameter('status', i) as DeliveryStatus,
							at: timestamp(this.getNodeParameter('timestamp', i, '') as string),
							errorCode: (this.getNodeParameter('errorCode', i, 0) as number) || null,
						},
					];
		const recorded = [];
		for (const report of reports) recorded.push(await recordDeliveryStatus(pool, report));
		return { recorded: recorded.length, statuses: recorded } as unknown as IDataObject;
	}

	const delivery = readTemplateDelivery.call(this, i);
	const sender = n8nSender(this, await this.getCredentials(WHATSAPP_CREDENTIAL, i));
	const outcome = await deliverTemplate(pool, sender, delivery.message, delivery);
	if (!outcome.sent && !delivery.eventId) throw refused(this, outcome, i);
	return outcome as unknown as IDataObject;
}

/**
 * One item's Send Template parameters. A recipient that is not E.164 is the item's error only
 * without an event: with one, the delivery dead-letters the event and reports it.
 */
function readTemplateDelivery(this: IExecuteFunctions, i: number): TemplateDelivery {
	if (this.getNodeParameter('messageSource', i, 'fields') === 'event') {
		// No expressions: the message is built from the item itself (core/whatsapp/event-templates.ts):
		// the Outbox Trigger's event, or one the push dispatcher delivered (the webhook's body).
		const json = (this.getInputData()[i]?.json ?? {}) as { event_type?: unknown; body?: { event_type?: unknown } };
		const event = (json.event_type === undefined && json.body?.event_type !== undefined ? json.body : json) as unknown as OutboundMessage;
		const { message, fallbackText } = eventTemplate(event);
		// A clinic group's site sends from its own number (barnum.locations.whatsapp_phone_number_id).
		const phoneNumberId = event.appointment?.location?.whatsapp_phone_number_id ?? null;
		return { message, eventId: event.event_id || null, fallbackText, phoneNumberId };
	}
	const to = String(this.getNodeParameter('to', i) ?? '').trim();
	const eventId = String(this.getNodeParameter('eventId', i, '') ?? '').trim() || null;
	const invalid = invalidRecipient(to);
	if (invalid && !eventId) throw new BarnumError('invalid_input', invalid, { field: 'to' });
	const url = (this.getNodeParameter('urlButton', i, {}) as { index?: number; suffix?: string }) ?? {};
	return {
		message: {
			to,
			template: this.getNodeParameter('template', i) as string,
			language: this.getNodeParameter('language', i) as string,
			bodyParameters: list<{ text: string }>(this.getNodeParameter('bodyParameters', i, {}), 'parameter').map((p) => String(p.text ?? '')),
			urlButton: url.suffix ? { index: url.index ?? 0, suffix: url.suffix } : undefined,
			quickReplies: list<{ index: number; payload: string }>(this.getNodeParameter('quickReplies', i, {}), 'reply'),
		},
		eventId,
		fallbackText: (this.getNodeParameter('fallbackText', i, '') as string) || null,
	};
}

/** Nothing in the outbox will retry a message sent without an event: the failure is the workflow's to see. */
function refused(context: IExecuteFunctions, outcome: DeliveryOutcome, i: number): NodeApiError {
	const error = new NodeApiError(context.getNode(), { message: outcome.error?.message, code: outcome.error?.code } as JsonObject, {
		itemIndex: i,
		message: `WhatsApp refused the message: ${outcome.error?.message}`,
		description: outcome.error?.kind === 'permanent' ? 'Retrying will not help: check the number and the template.' : 'Try again later.',
		httpCode: outcome.error?.httpStatus ? String(outcome.error.httpStatus) : undefined,
	});
	// The item's code with Continue On Fail: Meta's error code, so a workflow can branch on it.
	error.context.code = `whatsapp_${outcome.error?.code ?? 'error'}`;
	return error;
}

/** One item's result: its output, or the error the node reports for it. */
export type ItemResult = { json: IDataObject } | { error: unknown };

/**
 * Send Template for every item at once (a batch from the Outbox Trigger): the parameters are read
 * item by item, the messages are sent concurrently and their events settled in groups
 * (core/whatsapp/delivery.ts deliverTemplates). Results come back per item, in order; an item
 * whose parameters are wrong stops the node there, as it would one item at a time, after the items
 * before it were sent.
 */
export async function sendTemplates(this: IExecuteFunctions, pool: pg.Pool, count: number): Promise<ItemResult[]> {
	const results: ItemResult[] = new Array(count);
	const deliveries: TemplateDelivery[] = [];
	const indexes: number[] = [];
	let stop: { index: number; error: unknown } | undefined;
	for (let i = 0; i < count; i++) {
		try {
			deliveries.push(readTemplateDelivery.call(this, i));
			indexes.push(i);
		} catch (error) {
			results[i] = { error };
			if (!this.continueOnFail()) {
				stop = { index: i, error };
				break;
			}
		}
	}
	if (deliveries.length > 0) {
		// The credential cannot differ between items of one node run: read (and decrypt) it once.
		const sender = n8nSender(this, await this.getCredentials(WHATSAPP_CREDENTIAL, indexes[0]));
		const outcomes = await deliverTemplates(pool, sender, deliveries);
		for (const [k, i] of indexes.entries()) {
			const outcome = outcomes[k];
			results[i] = !outcome.sent && !deliveries[k].eventId ? { error: refused(this, outcome, i) } : { json: outcome as unknown as IDataObject };
		}
	}
	return stop ? results.slice(0, stop.index + 1) : results;
}

function timestamp(value: string): Date {
	if (/^\d{9,11}$/.test(value)) return new Date(Number(value) * 1000);
	const parsed = value ? new Date(value) : new Date();
	return Number.isNaN(parsed.getTime()) ? new Date() : parsed;
}
