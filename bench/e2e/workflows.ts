import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../core/paths';

/**
 * The two workflows the benchmark compares. Both send exactly what the bundled pre-confirmation
 * workflow sends: its "Send pre-confirmation" node is copied from workflows/clinic-pre-confirmation.json
 * (same template, same five body parameters with their Luxon expressions, URL button, quick
 * replies, and `eventId`, so the node settles the event with the wamid in the same step). Only the
 * way events reach n8n differs.
 */

export const PUSH_WEBHOOK_ID = 'b3a7e0c2-5d4f-4e61-9a0b-6c1d2e3f4a5b';
export const PUSH_SECRET_CREDENTIAL = { id: 'benchPushSecret1', name: 'Bench push signing secret' };
export const WORKFLOW_IDS = { push: 'benchE2ePush0001', batch: 'benchE2eBatch001' };

type Node = Record<string, unknown> & { name: string; parameters: Record<string, unknown> };

interface Workflow {
	id: string;
	name: string;
	active: boolean;
	nodes: Node[];
	connections: Record<string, unknown>;
	settings: Record<string, unknown>;
	pinData: Record<string, unknown>;
	tags: unknown[];
}

export interface WorkflowOptions {
	/**
	 * n8n's execution data saving for successful runs. 'none' is the production tuning the
	 * benchmark documents (n8n then keeps failed executions only); the same value goes into both
	 * workflows.
	 */
	saveDataSuccessExecution: 'none' | 'all';
	/**
	 * The Send node: `event` (default) builds the message from the event, with no expressions;
	 * `bundled` is the bundled workflow's node as it ships (eleven expressions a message); `static`
	 * (analysis) is that node with constants for all but To and the event id.
	 */
	send?: 'event' | 'bundled' | 'static';
}

function bundledSendNode(): Node {
	const file = path.join(packageRoot(), 'workflows', 'clinic-pre-confirmation.json');
	const workflow = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[] };
	const send = workflow.nodes.find((n) => n.type === 'n8n-nodes-barnum.barnum');
	if (!send) throw new Error(`${file} has no Barnum node`);
	return send;
}

/** The bundled Send node, reading the event from `$json.body` (a webhook's output) instead of `$json`. */
function sendNode(from: '$json' | '$json.body', send: WorkflowOptions['send'] = 'event'): Node {
	const node = bundledSendNode();
	if (send === 'event') node.parameters = { resource: 'whatsapp', operation: 'sendTemplate', messageSource: 'event' };
	if (send === 'static') {
		const keep = new Set(['to', 'eventId']);
		const constant = (value: unknown, key: string): unknown => {
			if (typeof value === 'string' && value.startsWith('=') && !keep.has(key)) return STATIC[key] ?? 'x';
			if (Array.isArray(value)) return value.map((v) => constant(v, key));
			if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, constant(v, k === 'text' || k === 'payload' ? `${key}.${k}` : k)]));
			return value;
		};
		node.parameters = constant(node.parameters, '') as Record<string, unknown>;
	}
	const text = JSON.stringify(node.parameters).replaceAll('$json.', `${from}.`);
	const id = from === '$json' ? 'e0b1c2d3-0000-4a00-8000-0000000000b1' : 'e0b1c2d3-0000-4a00-8000-0000000000a1';
	return { ...node, id, name: 'Send pre-confirmation', position: [260, 0], parameters: JSON.parse(text) };
}

const STATIC: Record<string, string> = {
	language: 'pt_PT',
	suffix: 'type=confirm&token=static',
	'parameter.text': 'Constante',
	'reply.payload': 'CONFIRM:static',
};

function settings(options: WorkflowOptions): Record<string, unknown> {
	return {
		executionOrder: 'v1',
		saveDataSuccessExecution: options.saveDataSuccessExecution,
		saveDataErrorExecution: 'all',
		saveManualExecutions: false,
		saveExecutionProgress: false,
		callerPolicy: 'workflowsFromSameOwner',
	};
}

function connect(from: string, to: string): Record<string, unknown> {
	return { [from]: { main: [[{ node: to, type: 'main', index: 0 }]] } };
}

/**
 * (a) The seed's design: Barnum's push dispatcher POSTs each event, signed (Standard Webhooks), to
 * this workflow's Barnum Webhook Trigger, which verifies it and starts one execution per event.
 */
export function pushWorkflow(options: WorkflowOptions): Workflow {
	const trigger: Node = {
		id: 'e0b1c2d3-0000-4a00-8000-00000000000a',
		name: 'Pushed event',
		type: 'n8n-nodes-barnum.barnumWebhookTrigger',
		typeVersion: 1,
		position: [0, 0],
		webhookId: PUSH_WEBHOOK_ID,
		parameters: { profile: 'standard-webhooks', deduplicate: true, useDatabase: false },
		credentials: { barnumWebhookSecretApi: PUSH_SECRET_CREDENTIAL },
	};
	const send = sendNode('$json.body', options.send);
	return {
		id: WORKFLOW_IDS.push,
		name: 'Bench · (a) push, one execution per event',
		active: false,
		nodes: [trigger, send],
		connections: connect(trigger.name, send.name),
		settings: settings(options),
		pinData: {},
		tags: [],
	};
}

/** (b) Barnum's Outbox Trigger in batch mode: one execution per claimed batch, one item per event. */
export function batchWorkflow(options: WorkflowOptions & { batchSize: number; parallelBatches: number }): Workflow {
	const trigger: Node = {
		id: 'e0b1c2d3-0000-4a00-8000-00000000000b',
		name: 'Due events (batch)',
		type: 'n8n-nodes-barnum.barnumOutboxTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {
			eventTypes: ['appointment.pre_confirmed'],
			otherEventTypes: '',
			emitMode: 'batch',
			batchSize: options.batchSize,
			ackMode: 'executionSucceeds',
			options: { pollIntervalSeconds: 10, parallelBatches: options.parallelBatches },
		},
		credentials: { barnumPostgresApi: { id: 'barnumPgCred0001', name: 'Barnum Postgres' } },
	};
	const send = sendNode('$json', options.send);
	return {
		id: WORKFLOW_IDS.batch,
		name: 'Bench · (b) Outbox Trigger, one execution per batch',
		active: false,
		nodes: [trigger, send],
		connections: connect(trigger.name, send.name),
		settings: settings(options),
		pinData: {},
		tags: [],
	};
}
