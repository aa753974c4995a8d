import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { enqueueEvent } from '../../core/outbox/operations';
import { RestartableProxy, throughProxy } from '../helpers/restartable-proxy';
import { until } from './stack/run';
import { startStack, type Stack } from './stack/stack';

/**
 * An Outbox Trigger that loses its database, in a real n8n: once "Report Database Outage After"
 * has passed, n8n runs the workflow's error workflow (it hears of it through emitError), and once
 * the database is back n8n re-activates the workflow and events flow again. The trigger reaches
 * the stack's PostgreSQL through a proxy the test takes down and brings back.
 */

let stack: Stack;
let proxy: RestartableProxy;
let receiver: { url: string; bodies: Array<Record<string, unknown>>; close(): Promise<void> };

/** Where the error workflow tells the test what it received. */
async function startReceiver(): Promise<typeof receiver> {
	const bodies: Array<Record<string, unknown>> = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>);
			res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/error`,
		bodies,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

beforeAll(async () => {
	stack = await startStack();
	const target = new URL(stack.local.database.n8nUrl);
	proxy = new RestartableProxy({ host: target.hostname, port: Number(target.port) });
	await proxy.up();
	receiver = await startReceiver();
}, 900_000);
afterAll(async () => {
	await stack?.stop();
	await proxy?.down();
	await receiver?.close();
});

test('a trigger without its database runs the error workflow, and n8n re-activates it once the database is back', async () => {
	const rest = stack.n8n.rest;
	const credential = await rest.request<{ id: string }>('POST', '/credentials', {
		name: 'Barnum Postgres (through a proxy)',
		type: 'barnumPostgresApi',
		data: { connectionString: throughProxy(stack.local.database.n8nUrl, proxy), ssl: 'disable' },
	});
	const errorWorkflow = await rest.request<{ id: string }>('POST', '/workflows', {
		name: 'Outage alert',
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { 'Error Trigger': { main: [[{ node: 'Tell the test', type: 'main', index: 0 }]] } },
		nodes: [
			{ id: 'b0000000-0000-4000-8000-000000000001', name: 'Error Trigger', type: 'n8n-nodes-base.errorTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'b0000000-0000-4000-8000-000000000002',
				name: 'Tell the test',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				parameters: { method: 'POST', url: receiver.url, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify($json) }}' },
			},
		],
	});
	// n8n 2.x runs the published version of an error workflow, and none of one never published.
	await rest.activate(errorWorkflow.id);
	const watched = await rest.request<{ id: string }>('POST', '/workflows', {
		name: 'Outbox with an outage',
		active: false,
		settings: { executionOrder: 'v1', errorWorkflow: errorWorkflow.id },
		connections: {},
		nodes: [
			{
				id: 'b0000000-0000-4000-8000-000000000003',
				name: 'Outbox',
				type: 'n8n-nodes-barnum.barnumOutboxTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					eventTypes: [],
					otherEventTypes: 'e2e.outage',
					emitMode: 'event',
					ackMode: 'immediately',
					options: { pollIntervalSeconds: 1, outageSeconds: 2 },
				},
				credentials: { barnumPostgresApi: { id: credential.id, name: 'Barnum Postgres (through a proxy)' } },
			},
		],
	});
	await rest.activate(watched.id);
	const entity = (n: number) => `00000000-0000-4000-8000-0000000e2e0${n}`;
	const delivered = async (id: string) => (await stack.db.query('SELECT status FROM barnum.whatsapp_events WHERE id = $1', [id])).rows[0]?.status === 'sent';
	const before = (await enqueueEvent(stack.db, { eventType: 'e2e.outage', entityType: 'custom', entityId: entity(1) }))!;
	await until(() => delivered(before), 'an event delivered before the outage', 30_000);

	await proxy.down();
	const alert = await until(async () => receiver.bodies[0], 'the error workflow to run', 60_000);
	// n8n's WorkflowActivationError, as the Error Trigger's item carries it: the trigger's node, and
	// the description the trigger gave (the database's own error first).
	expect(alert).toMatchObject({
		workflow: { id: watched.id, name: 'Outbox with an outage' },
		trigger: {
			error: {
				name: 'WorkflowActivationError',
				node: { name: 'Outbox', type: 'n8n-nodes-barnum.barnumOutboxTrigger' },
				description: expect.stringMatching(/ECONNREFUSED.*Events wait in the outbox meanwhile; nothing is lost/),
			},
		},
	});

	await proxy.up();
	const after = (await enqueueEvent(stack.db, { eventType: 'e2e.outage', entityType: 'custom', entityId: entity(2) }))!;
	await until(() => delivered(after), 'an event delivered once n8n has re-activated the workflow', 60_000);
	// One outage, one alert.
	expect(receiver.bodies).toHaveLength(1);
});
