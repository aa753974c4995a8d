import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import express, { type Request, type Response } from 'express';
import type {
	IDataObject,
	INodeCredentialDescription,
	INodeExecutionData,
	INodeProperties,
	IWebhookResponseData,
} from 'n8n-workflow';
import { BarnumWebhookTrigger } from '../../nodes/BarnumWebhookTrigger/BarnumWebhookTrigger.node';

/**
 * n8n's webhook plumbing around the real Express request and response, reduced to what the Barnum
 * Webhook Trigger touches, following n8n 2.40's source:
 * - `rawBodyReader` (cli/middlewares/body-parser.ts): `req.readRawBody()` reads the stream once,
 *   gunzipping or inflating it, into the `req.rawBody` Buffer; `parseIncomingMessage` sets
 *   `req.contentType` and `req.encoding` from Content-Type.
 * - `parseRequestBody` (cli/webhooks/webhook-helpers.ts): for a typeVersion 1 node n8n parses the
 *   body *before* the node runs; malformed `application/json` is answered 422 there.
 * - GET is the 'setup' webhook, POST the 'default' one; other methods are not registered (404).
 * - `handleImmediateWebhookResponse`: `workflowData` starts an execution and, in responseMode
 *   onReceived, is answered 200 `{"message":"Workflow was started"}`; `noWebhookResponse` means
 *   the node answered; a throw is answered 500 and becomes an error execution.
 * - The Workflow constructor fills in parameter defaults and drops parameters hidden by
 *   displayOptions; `getNodeParameter` falls back only when a value is absent.
 * - `getCredentials` refuses a credential hidden by displayOptions, and one not selected.
 */

export type NodeClass = new () => { webhook: BarnumWebhookTrigger['webhook']; description: BarnumWebhookTrigger['description'] };

export interface WebhookNodeSetup {
	parameters?: IDataObject;
	credentials?: Record<string, IDataObject>;
	mode?: 'webhook' | 'manual';
	workflowId?: string;
	nodeId?: string;
	/** Another copy of the node class (a freshly loaded module), to show what survives a restart. */
	nodeClass?: NodeClass;
}

export interface Execution {
	webhookId: string;
	items: INodeExecutionData[];
}

function displayed(property: Pick<INodeProperties, 'displayOptions'>, values: IDataObject): boolean {
	const { show, hide } = property.displayOptions ?? {};
	for (const [name, allowed] of Object.entries(show ?? {})) {
		if (!(allowed as unknown[]).includes(values[name])) return false;
	}
	for (const [name, hidden] of Object.entries(hide ?? {})) {
		if ((hidden as unknown[]).includes(values[name])) return false;
	}
	return true;
}

/** What n8n's Workflow holds as the node's parameters: defaults filled in, hidden ones dropped. */
export function resolveParameters(properties: INodeProperties[], given: IDataObject): IDataObject {
	const values: IDataObject = {};
	for (const property of properties) values[property.name] = property.name in given ? given[property.name] : (property.default as IDataObject[string]);
	for (const property of properties) if (!displayed(property, values)) delete values[property.name];
	return values;
}

const silent = () => undefined;

function webhookContext(
	nodeClass: NodeClass,
	setup: WebhookNodeSetup,
	req: Request,
	res: Response,
	webhookName: 'setup' | 'default',
	warnings: string[],
) {
	const { description } = new nodeClass();
	const parameters = resolveParameters(description.properties, setup.parameters ?? {});
	const credentials = setup.credentials ?? {};
	const node = {
		id: setup.nodeId ?? 'node-webhook-1',
		name: 'Barnum Webhook Trigger',
		type: 'n8n-nodes-barnum.barnumWebhookTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: Object.fromEntries(Object.keys(credentials).map((type) => [type, { id: `cred-${type}`, name: type }])),
	};
	return {
		getRequestObject: () => req,
		getResponseObject: () => res,
		getWebhookName: () => webhookName,
		getQueryData: () => req.query,
		getHeaderData: () => req.headers,
		getBodyData: () => req.body as IDataObject,
		getMode: () => setup.mode ?? 'webhook',
		getNode: () => node,
		getWorkflow: () => ({ id: setup.workflowId ?? 'wf-webhook', name: 'webhook test', active: true }),
		getNodeParameter(name: string, fallback?: unknown) {
			const value = parameters[name] ?? fallback;
			if (value === undefined) throw new Error(`Could not get parameter "${name}"`);
			return value;
		},
		async getCredentials(type: string) {
			const declared = description.credentials?.find((c: INodeCredentialDescription) => c.name === type);
			if (!declared) throw new Error(`Node type does not have any credentials of type "${type}" defined!`);
			if (!displayed(declared, parameters)) throw new Error('Credentials not found');
			if (!credentials[type]) {
				throw new Error(declared.required ? `Node does not have any credentials set for "${type}"!` : 'Node does not require credentials');
			}
			return credentials[type];
		},
		logger: { info: silent, debug: silent, verbose: silent, error: silent, warn: (message: string) => void warnings.push(message) },
		helpers: {},
	};
}

/** n8n-core's parseIncomingMessage. */
function parseIncomingMessage(req: Request) {
	const header = req.headers['content-type'];
	if (!header) return;
	const [type, ...parameters] = header.split(';');
	req.contentType = type.trim().toLowerCase();
	const charset = parameters.map((p) => p.trim().split('=')).find(([name]) => name.toLowerCase() === 'charset')?.[1];
	req.encoding = (charset ?? 'utf-8').toLowerCase() as BufferEncoding;
}

async function readStream(stream: Readable): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** n8n's parseBody, for the content types it pre-parses. */
async function parseBody(req: Request) {
	if (req.contentType?.startsWith('multipart/')) return;
	await req.readRawBody();
	if (!req.rawBody?.length) return;
	const text = req.rawBody.toString(req.encoding);
	if (req.contentType === 'application/json') req.body = JSON.parse(text);
	else if (req.contentType === 'application/x-www-form-urlencoded') req.body = Object.fromEntries(new URLSearchParams(text));
	else if (req.contentType === 'text/plain') req.body = text;
}

export async function startWebhookHarness() {
	const nodes = new Map<string, WebhookNodeSetup>();
	const executions: Execution[] = [];
	const errors: Error[] = [];
	const warnings: string[] = [];
	const app = express();
	// No express.json(): like n8n, nothing consumes the stream before the node asks for it.
	app.use((req, _res, next) => {
		parseIncomingMessage(req);
		req.readRawBody = async () => {
			if (req.rawBody) return;
			const encoding = req.headers['content-encoding'];
			const stream = encoding === 'gzip' ? req.pipe(createGunzip()) : encoding === 'deflate' ? req.pipe(createInflate()) : req;
			req.rawBody = await readStream(stream);
			req._body = true;
		};
		next();
	});
	app.all('/webhook/:webhookId/webhook', async (req: Request<{ webhookId: string }>, res: Response) => {
		const setup = nodes.get(req.params.webhookId);
		const webhookName = req.method === 'GET' ? 'setup' : req.method === 'POST' ? 'default' : undefined;
		if (!setup || !webhookName) {
			res.status(404).json({ code: 404, message: `The requested webhook "${req.method} ${req.params.webhookId}/webhook" is not registered.` });
			return;
		}
		try {
			await parseBody(req);
		} catch (error) {
			res.status(422).json({ code: 422, message: 'Failed to parse request body', hint: (error as Error).message });
			return;
		}
		const nodeClass = setup.nodeClass ?? BarnumWebhookTrigger;
		const context = webhookContext(nodeClass, setup, req, res, webhookName, warnings);
		let result: IWebhookResponseData;
		try {
			result = await new nodeClass().webhook.call(context as never);
		} catch (error) {
			errors.push(error as Error);
			if (!res.headersSent) res.status(500).json({ code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' });
			return;
		}
		if (result.workflowData !== undefined) {
			executions.push({ webhookId: req.params.webhookId, items: result.workflowData[0] });
			if (!result.noWebhookResponse && !res.headersSent) res.status(200).json({ message: 'Workflow was started' });
		} else if (!result.noWebhookResponse && !res.headersSent) {
			res.status(200).json(result.webhookResponse ?? { message: 'Webhook call received' });
		}
	});

	const server: Server = await new Promise((resolve) => {
		const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
	});
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	let counter = 0;
	return {
		executions,
		errors,
		warnings,
		/** Registers a node as n8n does on activation and returns its production URL. */
		register(setup: WebhookNodeSetup): string {
			const webhookId = `hook-${++counter}`;
			nodes.set(webhookId, setup);
			return `${base}/webhook/${webhookId}/webhook`;
		},
		executionsOf(url: string): Execution[] {
			return executions.filter((e) => url.endsWith(`/${e.webhookId}/webhook`));
		},
		close: () =>
			new Promise<void>((resolve, reject) => {
				server.close((error) => (error ? reject(error) : resolve()));
				// fetch keeps connections alive; close() alone would wait for them to time out.
				server.closeAllConnections();
			}),
	};
}

export type WebhookHarness = Awaited<ReturnType<typeof startWebhookHarness>>;
