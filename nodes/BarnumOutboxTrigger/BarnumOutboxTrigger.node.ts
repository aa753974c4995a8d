import { hostname } from 'node:os';
import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeType,
	type INodeTypeDescription,
	type IRun,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';
import { connectionConfig, type PostgresCredential } from '../../core/db/connection-config';
import { createPool } from '../../core/db/pool';
import { OutboxConsumer } from '../../core/outbox/consumer';
import { KNOWN_EVENT_TYPES, parseEventTypes } from '../../core/outbox/event-types';
import { peekMessage } from '../../core/outbox/operations';
import { deliverToWorkflow, type AckMode, type EmitMode, type ExecutionOutcome } from '../../core/outbox/trigger-delivery';
import type { OutboundMessage } from '../../core/outbox/types';
import { assertStorable } from '../shared/checked-parameters';
import { barnumConnectionTest } from '../shared/credential-test';
import { nodeLogger } from '../shared/logger';
import { SAMPLE_MESSAGE } from '../shared/sample-message';
import { parseGuestKeyRing, type GuestKeyRing } from '../../core/resort/guest-crypto';
import { readyToSend } from '../../core/resort/ready-to-send';

const DEFAULT_OUTAGE_SECONDS = 60;

/** setTimeout's longest delay (about 24.8 days): a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** `close`, run on the first call only; later calls wait for that one. */
function once(close: () => Promise<void>): () => Promise<void> {
	let closing: Promise<void> | undefined;
	return () => (closing ??= close());
}

export class BarnumOutboxTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Barnum Outbox Trigger',
		name: 'barnumOutboxTrigger',
		icon: { light: 'file:barnum.svg', dark: 'file:barnum.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["emitMode"] === "batch" ? "one execution per batch" : "one execution per event"}}',
		description: 'Starts a workflow for each WhatsApp event in the Barnum outbox, within milliseconds of the database commit',
		defaults: { name: 'Barnum Outbox Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'barnumPostgresApi', required: true, testedBy: 'barnumConnectionTest' }],
		properties: [
			{
				displayName: 'Event Types',
				name: 'eventTypes',
				type: 'multiOptions',
				options: KNOWN_EVENT_TYPES.map((t) => ({ name: t.name, value: t.value, description: t.description })),
				default: [],
				description: 'Which events start this workflow. Leave empty for every type.',
			},
			{
				displayName: 'Other Event Types',
				name: 'otherEventTypes',
				type: 'string',
				default: '',
				placeholder: 'booking.abandoned, custom.birthday',
				description: 'More event types, separated by commas (for events your own code enqueues)',
			},
			{
				displayName: 'Emit',
				name: 'emitMode',
				type: 'options',
				options: [
					{
						name: 'One Execution per Batch',
						value: 'batch',
						description: 'Each claimed batch runs as one execution with one item per event: far higher throughput',
					},
					{
						name: 'One Execution per Event',
						value: 'event',
						description: 'Each event runs as its own execution',
					},
				],
				default: 'event',
			},
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 1000 },
				default: 50,
				description: 'How many events are claimed at once',
			},
			{
				displayName: 'Acknowledge',
				name: 'ackMode',
				type: 'options',
				options: [
					{
						name: 'Immediately',
						value: 'immediately',
						description: 'Mark events sent as soon as the execution starts. A failed execution is not retried.',
					},
					{
						name: 'Manually with the Barnum Node',
						value: 'manually',
						description: 'The workflow acks, fails or skips each event itself. Unsettled events come back when the lease ends.',
					},
					{
						name: 'When the Execution Succeeds',
						value: 'executionSucceeds',
						description: 'Mark events sent when the workflow succeeds; retry them with backoff when it fails',
					},
				],
				default: 'executionSucceeds',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Execution Wait Limit (Seconds)',
						name: 'executionWaitSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 900,
						description:
							"The longest the trigger waits for an execution's end, to settle its events and free the batch's slot. In queue mode, if the worker running it dies, n8n never reports its end: after this time the events come back when their lease runs out. Set it above your longest execution.",
					},
					{
						displayName: 'Lease (Seconds)',
						name: 'leaseSeconds',
						type: 'number',
						typeOptions: { minValue: 5 },
						default: 300,
						description:
							'How long a claimed event stays reserved for this workflow. It is renewed while the execution runs; if n8n dies, another consumer takes the event after this time.',
					},
					{
						displayName: 'Parallel Batches',
						name: 'parallelBatches',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 32 },
						default: 1,
						description: 'How many claimed batches may be running at once',
					},
					{
						displayName: 'Poll Interval (Seconds)',
						name: 'pollIntervalSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 30,
						description: 'The longest the trigger waits between checks if a database notification is missed',
					},
					{
						displayName: 'Report Database Outage After (Seconds)',
						name: 'outageSeconds',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: DEFAULT_OUTAGE_SECONDS,
						description:
							"How long the trigger keeps retrying an unreachable database before it reports the failure to n8n: n8n then runs the workflow's error workflow and re-activates the workflow once the database answers. 0 only logs.",
					},
				],
			},
		],
	};

	methods = { credentialTest: { barnumConnectionTest } };

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const credential = (await this.getCredentials('barnumPostgresApi')) as PostgresCredential;
		let config;
		let guestKeys: GuestKeyRing | undefined;
		try {
			config = connectionConfig(credential);
			guestKeys = parseGuestKeyRing(credential.guestDataKey);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), (error as Error).message);
		}
		// Guests' phone numbers leave the database encrypted; they are opened here, just before sending.
		const reveal = (message: OutboundMessage): IDataObject =>
			readyToSend(message, guestKeys) as unknown as IDataObject;
		const eventTypes = parseEventTypes(
			this.getNodeParameter('eventTypes', []) as string[],
			this.getNodeParameter('otherEventTypes', '') as string,
		);
		const emitMode = this.getNodeParameter('emitMode', 'event') as EmitMode;
		const ackMode = this.getNodeParameter('ackMode', 'executionSucceeds') as AckMode;
		const batchSize = this.getNodeParameter('batchSize', 50) as number;
		const options = this.getNodeParameter('options', {}) as {
			leaseSeconds?: number;
			executionWaitSeconds?: number;
			pollIntervalSeconds?: number;
			parallelBatches?: number;
			outageSeconds?: number;
		};
		// What reaches a claim as SQL parameters: refused here, naming it, rather than failing every claim.
		assertStorable(this.getNode(), { eventTypes, batchSize, ...options });
		const pool = createPool(config, {
			applicationName: 'barnum-n8n-trigger',
			logger: nodeLogger(this.logger),
			preparedStatements: credential.preparedStatements,
		});

		if (this.getMode() === 'manual') {
			// The editor's test: show what the next event would look like, without claiming it.
			const manualTriggerFunction = async () => {
				const message = (await peekMessage(pool, eventTypes)) ?? SAMPLE_MESSAGE;
				this.emit([[{ json: reveal(message) }]]);
			};
			return { manualTriggerFunction, closeFunction: once(() => pool.end()) };
		}

		const outageSeconds = options.outageSeconds ?? DEFAULT_OUTAGE_SECONDS;
		const consumerId = `n8n:${this.getWorkflow().id ?? 'workflow'}:${hostname()}:${process.pid}`;
		const logger = nodeLogger(this.logger);

		const emit = async (messages: OutboundMessage[]): Promise<ExecutionOutcome> => {
			const done = this.helpers.createDeferredPromise<IRun>();
			this.emit([messages.map((message) => ({ json: reveal(message) }))], undefined, done);
			const run = (await done.promise) as IRun | undefined;
			if (!run) return undefined;
			const error = run.data?.resultData?.error;
			return error ? { error: error.message } : {};
		};

		const consumer = new OutboxConsumer({
			pool,
			listen: { config },
			consumerId,
			eventTypes,
			batchSize,
			leaseSeconds: options.leaseSeconds ?? 300,
			pollIntervalMs: (options.pollIntervalSeconds ?? 30) * 1000,
			maxInFlight: options.parallelBatches ?? 1,
			logger,
			handle: (events) =>
				deliverToWorkflow(events, { pool, consumerId, ackMode, emitMode, emit, logger, waitMs: Math.min((options.executionWaitSeconds ?? 900) * 1000, MAX_TIMER_MS) }),
			outage: {
				afterMs: outageSeconds * 1000,
				// n8n closes this trigger, runs the error workflow and re-activates the workflow with
				// backoff; an activation that cannot reach the database fails and is retried the same way.
				report: (error, downForMs) =>
					this.emitError(
						// The database's own words go in the description: n8n would replace a message naming
						// ECONNREFUSED with its generic wording.
						new NodeOperationError(this.getNode(), `The Barnum outbox database has not answered for ${Math.round(downForMs / 1000)} s`, {
							description: `${error.message}. Events wait in the outbox meanwhile; nothing is lost. n8n re-activates this workflow once the database answers again.`,
						}),
					),
			},
		});
		try {
			await consumer.start();
		} catch (error) {
			await pool.end();
			throw new NodeOperationError(this.getNode(), `Could not listen to the Barnum outbox: ${(error as Error).message}`);
		}

		return {
			// n8n may close a trigger twice (an emitError, then a deactivation): once is enough.
			closeFunction: once(async () => {
				// Executions still running keep their leases until they finish or the wait ends;
				// anything unsettled is delivered again once its lease runs out.
				await consumer.stop(30_000);
				await pool.end();
			}),
		};
	}
}
