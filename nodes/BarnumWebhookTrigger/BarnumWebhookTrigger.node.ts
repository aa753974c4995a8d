import {
	NodeConnectionTypes,
	type IDataObject,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { connectionConfig, type PostgresCredential } from '../../core/db/connection-config';
import { sharedPool } from '../../core/db/shared-pools';
import { DEFAULT_TOLERANCE_SECONDS } from '../../core/signatures';
import type { DigestEncoding, HmacAlgorithm } from '../../core/signatures/types';
import { MemoryDeliveryStore, PostgresDeliveryStore } from '../../core/webhooks/deliveries';
import {
	receiveWebhook,
	unavailableStore,
	type Deduplication,
	type ReceiveOutcome,
	type WebhookProfile,
} from '../../core/webhooks/receive';
import { barnumConnectionTest } from '../shared/credential-test';
import { barnumWebhookSecretTest } from './credential-test';

/** Without the database, de-duplication lives in this process: bounded, and shared by every workflow using the node. */
const memoryDeliveries = new MemoryDeliveryStore(10_000);

const TIMESTAMPED = ['standard-webhooks', 'stripe', 'custom'];

export class BarnumWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Barnum Webhook Trigger',
		name: 'barnumWebhookTrigger',
		icon: { light: 'file:barnum.svg', dark: 'file:barnum.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["profile"]}}',
		description: 'Starts a workflow for each signed webhook, after checking its signature over the exact bytes received',
		defaults: { name: 'Barnum Webhook Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'barnumWebhookSecretApi', required: true, testedBy: 'barnumWebhookSecretTest' },
			{
				name: 'barnumPostgresApi',
				required: false,
				testedBy: 'barnumConnectionTest',
				displayOptions: { show: { deduplicate: [true], useDatabase: [true] } },
			},
		],
		// Meta checks a subscription with a GET on the same URL it later POSTs to (as n8n's Facebook Trigger does).
		webhooks: [
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: 'webhook' },
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' },
		],
		properties: [
			{
				displayName: 'Signature Profile',
				name: 'profile',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Barnum Legacy',
						value: 'barnum-legacy',
						description:
							"X-Webhook-Signature, a hex HMAC-SHA256 of the body. It signs no timestamp or ID, so anyone who saw one request can replay it; prefer Standard Webhooks, which Barnum's dispatcher sends too.",
					},
					{
						name: 'Cal.com',
						value: 'calcom',
						description:
							"X-Cal-Signature-256, a hex HMAC-SHA256 of the body with the webhook's secret. Cal.com signs no timestamp or ID: feed it into idempotent operations (Clinic Data upserts).",
					},
					{
						name: 'Custom',
						value: 'custom',
						description: 'Your own header, algorithm, encoding and optional timestamp and delivery ID headers',
					},
					{
						name: 'GitHub',
						value: 'github',
						description: 'X-Hub-Signature-256, with X-GitHub-Delivery as the delivery ID',
					},
					{
						name: 'Meta / WhatsApp',
						value: 'meta',
						description: "X-Hub-Signature-256 with the app secret, and Meta's GET subscription handshake with the verify token",
					},
					{
						name: 'Standard Webhooks',
						value: 'standard-webhooks',
						description: "A signed ID, timestamp and body in the webhook-* headers: Barnum's push dispatcher, Svix, Resend and others",
					},
					{
						name: 'Stripe-Style',
						value: 'stripe',
						description: 'A t=…,v1=… header: Stripe, and senders that copy its format',
					},
				],
				default: 'standard-webhooks',
			},
			{
				displayName: 'Signature Header',
				name: 'stripeSignatureHeader',
				type: 'string',
				default: 'Stripe-Signature',
				description: 'The header holding t=…,v1=…',
				displayOptions: { show: { profile: ['stripe'] } },
			},
			{
				displayName: 'Signature Header',
				name: 'customSignatureHeader',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'X-Signature',
				displayOptions: { show: { profile: ['custom'] } },
			},
			{
				displayName: 'Algorithm',
				name: 'customAlgorithm',
				type: 'options',
				options: [
					{ name: 'HMAC-SHA256', value: 'sha256' },
					{ name: 'HMAC-SHA512', value: 'sha512' },
				],
				default: 'sha256',
				displayOptions: { show: { profile: ['custom'] } },
			},
			{
				displayName: 'Encoding',
				name: 'customEncoding',
				type: 'options',
				options: [
					{ name: 'Base64', value: 'base64' },
					{ name: 'Hex (Lowercase)', value: 'hex' },
				],
				default: 'hex',
				displayOptions: { show: { profile: ['custom'] } },
			},
			{
				displayName: 'Signature Prefix',
				name: 'customPrefix',
				type: 'string',
				default: '',
				placeholder: 'sha256=',
				description: 'Text the sender puts before the digest, matched exactly',
				displayOptions: { show: { profile: ['custom'] } },
			},
			{
				displayName: 'Timestamp Header',
				name: 'customTimestampHeader',
				type: 'string',
				default: '',
				placeholder: 'X-Timestamp',
				description:
					'When set, the sender signs the timestamp, a dot and the body, and requests older than the tolerance are refused. Leave empty when the sender signs the body alone.',
				displayOptions: { show: { profile: ['custom'] } },
			},
			{
				displayName: 'Delivery ID Header',
				name: 'customDeliveryIdHeader',
				type: 'string',
				default: '',
				placeholder: 'X-Delivery-ID',
				description: 'The header carrying a unique ID per delivery, used to ignore repeats',
				displayOptions: { show: { profile: ['custom'] } },
			},
			{
				displayName: 'Tolerance (Seconds)',
				name: 'toleranceSeconds',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 0 },
				default: DEFAULT_TOLERANCE_SECONDS,
				description:
					'How far the signed timestamp may be from now, either way. Older requests are refused, so a captured one cannot be replayed later.',
				displayOptions: { show: { profile: TIMESTAMPED } },
			},
			{
				displayName: 'Ignore Repeated Deliveries',
				name: 'deduplicate',
				type: 'boolean',
				default: true,
				description:
					"Whether a delivery whose ID was already received is answered without starting another execution. The ID is the sender's delivery ID (Standard Webhooks, GitHub, Custom) or the event's ID in the body (Meta message or status, Stripe event). Test runs in the editor are never de-duplicated.",
				displayOptions: { hide: { profile: ['barnum-legacy'] } },
			},
			{
				displayName: 'Remember Deliveries in the Database',
				name: 'useDatabase',
				type: 'boolean',
				default: false,
				description:
					'Whether received delivery IDs are kept in the Barnum database (select a Barnum Postgres credential), so repeats are caught across restarts and n8n instances. Otherwise this n8n process remembers the latest 10,000.',
				displayOptions: { show: { deduplicate: [true] }, hide: { profile: ['barnum-legacy'] } },
			},
			{
				displayName: 'Include Headers',
				name: 'includeHeaders',
				type: 'string',
				default: 'content-type,user-agent',
				description: 'Request headers to copy into the output, separated by commas',
			},
		],
	};

	methods = { credentialTest: { barnumWebhookSecretTest, barnumConnectionTest } };

	// Nothing to register remotely: the sender is given this URL by hand.
	webhookMethods = {
		default: {
			checkExists: async (): Promise<boolean> => true,
			create: async (): Promise<boolean> => true,
			delete: async (): Promise<boolean> => true,
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const webhookName = this.getWebhookName();
		let rawBody: Buffer | undefined;
		if (webhookName === 'default') {
			try {
				if (!req.rawBody) await req.readRawBody();
				rawBody = req.rawBody;
			} catch (error) {
				return answer(this, {
					kind: 'respond',
					status: 400,
					body: { error: 'unreadable_body', message: (error as Error).message },
				});
			}
		}
		const credential = await secretCredential(this);
		const outcome = await receiveWebhook(
			{ method: req.method, webhookName, headers: req.headers, rawBody, query: this.getQueryData() },
			{
				profile: profile(this),
				secrets: credential.secrets,
				verifyToken: credential.verifyToken,
				toleranceSeconds: this.getNodeParameter('toleranceSeconds', DEFAULT_TOLERANCE_SECONDS) as number,
				includeHeaders: this.getNodeParameter('includeHeaders', '') as string,
				deduplication: webhookName === 'default' ? await deduplication(this) : undefined,
			},
		);
		if (outcome.kind === 'run') return { workflowData: [[{ json: outcome.json as unknown as IDataObject }]] };
		return answer(this, outcome);
	}
}

/** Answers the request here, so n8n starts no execution for it. */
function answer(context: IWebhookFunctions, outcome: Extract<ReceiveOutcome, { kind: 'respond' }>): IWebhookResponseData {
	if (outcome.warning) {
		context.logger.warn(outcome.warning, { workflowId: context.getWorkflow().id, node: context.getNode().name });
	}
	const res = context.getResponseObject();
	res.status(outcome.status);
	if (outcome.headers) res.set(outcome.headers);
	if (outcome.contentType) res.type(outcome.contentType).send(outcome.body);
	else res.json(outcome.body);
	return { noWebhookResponse: true };
}

async function secretCredential(context: IWebhookFunctions): Promise<{ secrets?: string; verifyToken?: string }> {
	try {
		return (await context.getCredentials('barnumWebhookSecretApi')) as { secrets?: string; verifyToken?: string };
	} catch {
		// No credential selected: receiveWebhook answers 401 and logs that no secret is configured.
		return {};
	}
}

function profile(context: IWebhookFunctions): WebhookProfile {
	const scheme = context.getNodeParameter('profile', 'standard-webhooks') as WebhookProfile['scheme'];
	const text = (name: string, fallback = '') => (context.getNodeParameter(name, fallback) as string).trim();
	const optional = (name: string) => text(name) || undefined;
	switch (scheme) {
		case 'stripe':
			return { scheme, signatureHeader: text('stripeSignatureHeader', 'Stripe-Signature') };
		case 'custom':
			return {
				scheme,
				custom: {
					signatureHeader: text('customSignatureHeader'),
					algorithm: context.getNodeParameter('customAlgorithm', 'sha256') as HmacAlgorithm,
					encoding: context.getNodeParameter('customEncoding', 'hex') as DigestEncoding,
					prefix: optional('customPrefix'),
					timestampHeader: optional('customTimestampHeader'),
					deliveryIdHeader: optional('customDeliveryIdHeader'),
				},
			};
		default:
			return { scheme } as WebhookProfile;
	}
}

async function deduplication(context: IWebhookFunctions): Promise<Deduplication | undefined> {
	if (context.getMode() === 'manual' || !(context.getNodeParameter('deduplicate', true) as boolean)) return undefined;
	const scope = `n8n:${context.getWorkflow().id ?? 'workflow'}:${context.getNode().id}`;
	if (!(context.getNodeParameter('useDatabase', false) as boolean)) return { store: memoryDeliveries, scope };
	try {
		const credential = (await context.getCredentials('barnumPostgresApi')) as PostgresCredential;
		return { store: new PostgresDeliveryStore(sharedPool(connectionConfig(credential), { preparedStatements: credential.preparedStatements })), scope };
	} catch (error) {
		// Answered with a 503 (after the signature check), so the sender retries once this is fixed.
		return {
			store: unavailableStore(`Remember Deliveries in the Database is on, but the Barnum Postgres credential is unusable: ${(error as Error).message}`),
			scope,
		};
	}
}
