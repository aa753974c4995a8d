import type { IDataObject, INode, INodeExecutionData, IRun, ITriggerResponse } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

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
			throw error;
		},
	};
	return { context, executions };
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
		helpers: {},
	};
}
