import http from 'node:http';
import https from 'node:https';
import type { IAdditionalCredentialOptions, IDataObject, IHttpRequestOptions, INode, INodeExecutionData, IRun, ITriggerResponse } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { BarnumWhatsAppApi } from '../../credentials/BarnumWhatsAppApi.credentials';

/**
 * Faithful stand-ins for the contexts n8n 2.40 hands a node, reduced to what Barnum's nodes use.
 * They follow n8n's behaviour where it matters (read from n8n-core 2.40.3 and the CLI's
 * trigger-execution-context factory): `emit(data, responsePromise, donePromise)` starts an
 * execution and n8n resolves the done promise with the finished IRun, whose
 * `data.resultData.error` is set when the execution failed. The real n8n runs these nodes in
 * test/e2e.
 */

export function deferred<T>() {
	let resolve!: (value: T) => void;
	let reject!: (error: Error) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

const silentLogger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, verbose: () => {} };

export function fakeNode(type: string, parameters: IDataObject = {}): INode {
	return { id: 'node-1', name: 'Barnum', type, typeVersion: 1, position: [0, 0], parameters } as INode;
}

/** What the workflow does with one execution's items: return normally for success, throw to fail. */
export type WorkflowRun = (items: INodeExecutionData[]) => Promise<void> | void;

export function fakeTriggerContext(options: {
	parameters: IDataObject;
	credential: IDataObject;
	mode?: 'trigger' | 'manual';
	workflow?: WorkflowRun;
}) {
	const executions: INodeExecutionData[][] = [];
	/** What the trigger reported with emitError (n8n then closes it and runs the error workflow). */
	const errors: Array<{ error: Error; at: number }> = [];
	const context = {
		getNodeParameter: (name: string, fallback?: unknown) => (name in options.parameters ? options.parameters[name] : fallback),
		getCredentials: async () => options.credential,
		getMode: () => options.mode ?? 'trigger',
		getNode: () => fakeNode('n8n-nodes-barnum.barnumOutboxTrigger', options.parameters),
		getWorkflow: () => ({ id: 'wf-test', name: 'test', active: true }),
		logger: silentLogger,
		helpers: { createDeferredPromise: deferred },
		emit(data: INodeExecutionData[][], _response?: unknown, done?: ReturnType<typeof deferred<IRun>>) {
			const items = data[0];
			executions.push(items);
			void (async () => {
				let error: Error | undefined;
				try {
					await options.workflow?.(items);
				} catch (caught) {
					error = caught as Error;
				}
				done?.resolve({
					data: { resultData: { runData: {}, ...(error ? { error: new NodeOperationError(context.getNode(), error.message) } : {}) } },
					mode: 'trigger',
					startedAt: new Date(),
					status: error ? 'error' : 'success',
				} as unknown as IRun);
			})();
		},
		emitError: (error: Error) => {
			errors.push({ error, at: Date.now() });
		},
	};
	return { context, executions, errors };
}

export async function startTrigger(
	trigger: { trigger: (this: never) => Promise<ITriggerResponse> },
	context: unknown,
): Promise<ITriggerResponse> {
	return trigger.trigger.call(context as never);
}

export function fakeExecuteContext(options: {
	parameters: IDataObject | IDataObject[];
	credential: IDataObject;
	continueOnFail?: boolean;
}) {
	const perItem = Array.isArray(options.parameters) ? options.parameters : [options.parameters];
	return {
		getInputData: () => perItem.map(() => ({ json: {} })),
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const params = perItem[itemIndex];
			if (name in params) return params[name];
			if (fallback !== undefined) return fallback;
			throw new Error(`test forgot parameter "${name}"`);
		},
		getCredentials: async () => options.credential,
		getNode: () => fakeNode('n8n-nodes-barnum.barnum', perItem[0]),
		continueOnFail: () => options.continueOnFail ?? false,
		logger: silentLogger,
		helpers: { httpRequestWithAuthentication },
	};
}

const CREDENTIAL_TYPES: Record<string, { authenticate?: unknown }> = { barnumWhatsAppApi: new BarnumWhatsAppApi() };

/**
 * n8n's `helpers.httpRequestWithAuthentication` (n8n-core 2.40.7, request-helpers/authentication.ts
 * and @n8n/backend-network's axios request), for what Barnum asks of it: the credential type's
 * `authenticate` (a function, or generic headers resolved from the credential), a POST over a new connection, a
 * timeout failing with axios's ECONNABORTED, non-2xx answers thrown unless
 * `ignoreHttpStatusErrors`, `{ body, headers, statusCode, statusMessage }` with
 * `returnFullResponse`, and every failure wrapped in a NodeApiError whose cause is the original.
 * No proxy and no SSRF filter: test/e2e/whatsapp-outbound.e2e.test.ts checks those in n8n itself.
 */
async function httpRequestWithAuthentication(
	this: { getNode(): INode; getCredentials(type: string): Promise<IDataObject> },
	credentialsType: string,
	request: IHttpRequestOptions,
	additional?: IAdditionalCredentialOptions,
): Promise<unknown> {
	const credential = (additional?.credentialsDecrypted?.data ?? (await this.getCredentials(credentialsType))) as IDataObject;
	const authenticate = CREDENTIAL_TYPES[credentialsType]?.authenticate as
		| ((credentials: IDataObject, options: IHttpRequestOptions) => Promise<IHttpRequestOptions>)
		| { properties?: { headers?: Record<string, string> } }
		| undefined;
	const resolve = (value: string) =>
		value.startsWith('=') ? value.slice(1).replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, key: string) => String(credential[key] ?? '')) : value;
	const authenticated =
		typeof authenticate === 'function'
			? await authenticate(credential, { ...request })
			: {
					...request,
					headers: {
						...request.headers,
						...Object.fromEntries(Object.entries(authenticate?.properties?.headers ?? {}).map(([k, v]) => [k, resolve(v)])),
					},
				};
	const headers = authenticated.headers as Record<string, string>;
	const body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? '');
	try {
		const response = await new Promise<{ statusCode: number; statusMessage: string; headers: http.IncomingHttpHeaders; body: string }>((resolved, reject) => {
			const url = new URL(request.url);
			const client = url.protocol === 'https:' ? https : http;
			const req = client.request(url, { method: request.method ?? 'GET', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('error', reject);
				res.on('end', () =>
					resolved({ statusCode: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
				);
			});
			if (request.timeout) {
				req.setTimeout(request.timeout, () => req.destroy(Object.assign(new Error(`timeout of ${request.timeout}ms exceeded`), { code: 'ECONNABORTED' })));
			}
			req.on('error', reject);
			req.end(body);
		});
		const ok = response.statusCode >= 200 && response.statusCode < 300;
		if (!ok && !request.ignoreHttpStatusErrors) {
			throw Object.assign(new Error(`Request failed with status code ${response.statusCode}`), { response: { status: response.statusCode, data: response.body } });
		}
		const parsed = request.encoding === 'text' ? response.body : parseJson(response.body);
		return request.returnFullResponse ? { body: parsed, headers: response.headers, statusCode: response.statusCode, statusMessage: response.statusMessage } : parsed;
	} catch (error) {
		throw new NodeApiError(this.getNode(), error as never);
	}
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}
