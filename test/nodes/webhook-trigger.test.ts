import { randomBytes, randomUUID } from 'node:crypto';
import { sign, type SignatureScheme, type SchemeOptionsMap } from '../../core/signatures';
import { secretKeys } from '../../core/signatures/secret-list';
import { MemoryDeliveryStore } from '../../core/webhooks/deliveries';
import { receiveWebhook } from '../../core/webhooks/receive';
import { barnumWebhookSecretTest } from '../../nodes/BarnumWebhookTrigger/credential-test';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { startWebhookHarness, type NodeClass, type WebhookHarness, type WebhookNodeSetup } from './webhook-harness';

// Generated per run: nothing secret-looking sits in the source.
const newest = `whsec_${randomBytes(24).toString('base64')}`;
const previous = `whsec_${randomBytes(24).toString('base64')}`;
const plain = randomBytes(20).toString('hex');
const verifyToken = randomBytes(12).toString('hex');

let harness: WebhookHarness;
let db: TestDatabase;

beforeAll(async () => {
	harness = await startWebhookHarness();
	db = await freshDatabase();
});
afterAll(async () => {
	await harness.close();
	await db.drop();
});
afterEach(() => {
	// A node that throws would make n8n record an error execution: never acceptable here.
	expect(harness.errors).toEqual([]);
});

function key(secret: string): Uint8Array {
	return secretKeys(secret)[0];
}

function signed<S extends SignatureScheme>(
	scheme: S,
	body: string | Buffer,
	input: { secret?: string; id?: string; timestamp?: number; options?: SchemeOptionsMap[S] } = {},
): Record<string, string> {
	return sign(scheme, input.options ?? ({} as SchemeOptionsMap[S]), body, {
		secret: key(input.secret ?? newest),
		id: input.id,
		timestamp: input.timestamp,
	});
}

async function send(url: string, body: string | undefined, headers: Record<string, string> = {}, method = 'POST') {
	const response = await fetch(url, {
		method,
		headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
		body,
	});
	const text = await response.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: response.status, text, json, headers: response.headers };
}

function standardNode(setup: Partial<WebhookNodeSetup> = {}): string {
	return harness.register({
		parameters: { profile: 'standard-webhooks', ...setup.parameters },
		credentials: { barnumWebhookSecretApi: { secrets: newest }, ...setup.credentials },
		...setup,
	});
}

const deliveryId = () => `msg_${randomUUID().replaceAll('-', '')}`;

describe('Standard Webhooks', () => {
	test('a signed delivery starts one execution with the body as sent, its headers and the verification', async () => {
		const url = standardNode();
		// Not JSON.stringify's output: spacing and key order must survive, and the signature covers these exact bytes.
		const text = '{ "zeta": 1, "alpha": { "name": "João Conceição 😀", "list": [3, 1, 2] }, "mid": null }';
		const id = deliveryId();
		const headers = signed('standard-webhooks', text, { id });
		const response = await send(url, text, headers);

		expect(response.status).toBe(200);
		expect(response.json).toEqual({ message: 'Workflow was started' });
		const executions = harness.executionsOf(url);
		expect(executions).toHaveLength(1);
		const { json } = executions[0].items[0];
		expect(json.body).toEqual({ zeta: 1, alpha: { name: 'João Conceição 😀', list: [3, 1, 2] }, mid: null });
		expect(Object.keys(json.body as object)).toEqual(['zeta', 'alpha', 'mid']);
		expect(json.headers).toEqual({ 'content-type': 'application/json', 'user-agent': expect.any(String) });
		expect(json.verification).toEqual({
			scheme: 'standard-webhooks',
			deliveryId: id,
			timestamp: Number(headers['webhook-timestamp']),
			secretIndex: 0,
		});
		expect(new Date(json.receivedAt as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
	});

	test('the signature is checked over the raw bytes: a body signed after re-serialising is refused', async () => {
		const url = standardNode();
		const text = '{"name":  "Conceição",   "n": 1.50}';
		const response = await send(url, text, signed('standard-webhooks', JSON.stringify(JSON.parse(text))));
		expect(response.status).toBe(401);
		expect(harness.executionsOf(url)).toHaveLength(0);
	});

	test('during a rotation a delivery signed with the old secret is accepted, with secretIndex 1', async () => {
		const url = standardNode({ credentials: { barnumWebhookSecretApi: { secrets: `${newest}\n${previous}` } } });
		const response = await send(url, '{"rotated":true}', signed('standard-webhooks', '{"rotated":true}', { secret: previous }));
		expect(response.status).toBe(200);
		expect(harness.executionsOf(url)[0].items[0].json.verification).toMatchObject({ secretIndex: 1 });
	});

	test.each([
		['a tampered body', () => ({ body: '{"amount":1000}', headers: signed('standard-webhooks', '{"amount":10}') }), 'signature_mismatch'],
		['the wrong secret', () => ({ body: '{"a":1}', headers: signed('standard-webhooks', '{"a":1}', { secret: previous }) }), 'signature_mismatch'],
		['no signature headers', () => ({ body: '{"a":1}', headers: {} }), 'missing_header'],
		[
			'a timestamp ten minutes old (a replay)',
			() => ({ body: '{"a":1}', headers: signed('standard-webhooks', '{"a":1}', { timestamp: Math.floor(Date.now() / 1000) - 600 }) }),
			'timestamp_too_old',
		],
	])('%s is answered 401 and starts nothing', async (_name, build, reason) => {
		const url = standardNode();
		const { body, headers } = build();
		const response = await send(url, body, headers);
		expect(response.status).toBe(401);
		expect(response.json).toEqual({ error: 'invalid_signature', reason, message: expect.any(String) });
		expect(harness.executionsOf(url)).toHaveLength(0);
	});

	test('a credential without a secret refuses everything and logs why', async () => {
		const url = standardNode({ credentials: { barnumWebhookSecretApi: { secrets: '  ' } } });
		const before = harness.warnings.length;
		const response = await send(url, '{"a":1}', signed('standard-webhooks', '{"a":1}'));
		expect(response.status).toBe(401);
		expect(response.json).toMatchObject({ reason: 'no_secret', message: expect.stringContaining('credential has no secret') });
		expect(harness.warnings.slice(before)).toEqual([expect.stringContaining('credential has no secret')]);
		expect(harness.executionsOf(url)).toHaveLength(0);
	});

	test('GET is answered 405 when the profile has no handshake', async () => {
		const url = standardNode();
		const response = await send(`${url}?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`, undefined, {}, 'GET');
		expect(response.status).toBe(405);
		expect(response.headers.get('allow')).toBe('POST');
		expect(harness.executionsOf(url)).toHaveLength(0);
	});
});

describe('repeated deliveries', () => {
	test('the same webhook-id twice: the second is answered as a duplicate and starts nothing', async () => {
		const url = standardNode();
		const id = deliveryId();
		const first = await send(url, '{"n":1}', signed('standard-webhooks', '{"n":1}', { id }));
		const second = await send(url, '{"n":1}', signed('standard-webhooks', '{"n":1}', { id }));
		expect(first.status).toBe(200);
		expect(second.status).toBe(200);
		expect(second.json).toEqual({ received: true, duplicate: true });
		expect(harness.executionsOf(url)).toHaveLength(1);
	});

	test('ids are remembered per node: another node receives the same id', async () => {
		const id = deliveryId();
		const one = standardNode({ nodeId: 'node-a' });
		const two = standardNode({ nodeId: 'node-b' });
		await send(one, '{}', signed('standard-webhooks', '{}', { id }));
		await send(two, '{}', signed('standard-webhooks', '{}', { id }));
		expect(harness.executionsOf(one)).toHaveLength(1);
		expect(harness.executionsOf(two)).toHaveLength(1);
	});

	test('with de-duplication off, or in an editor test run, every copy runs', async () => {
		const off = standardNode({ nodeId: 'node-off', parameters: { deduplicate: false } });
		const manual = standardNode({ nodeId: 'node-manual', mode: 'manual' });
		for (const url of [off, manual]) {
			const id = deliveryId();
			await send(url, '{}', signed('standard-webhooks', '{}', { id }));
			await send(url, '{}', signed('standard-webhooks', '{}', { id }));
			expect(harness.executionsOf(url)).toHaveLength(2);
		}
	});

	function freshNodeClass(): NodeClass {
		// A new copy of the node module is what an n8n restart gives: its in-memory claims are gone.
		let loaded!: NodeClass;
		jest.isolateModules(() => {
			loaded = jest.requireActual<typeof import('../../nodes/BarnumWebhookTrigger/BarnumWebhookTrigger.node')>(
				'../../nodes/BarnumWebhookTrigger/BarnumWebhookTrigger.node',
			).BarnumWebhookTrigger;
		});
		return loaded;
	}

	test('in memory, a restart forgets: the copy after it runs again', async () => {
		const setup = { workflowId: 'wf-memory', nodeId: 'node-memory' };
		const id = deliveryId();
		const before = standardNode(setup);
		const after = standardNode({ ...setup, nodeClass: freshNodeClass() });
		await send(before, '{}', signed('standard-webhooks', '{}', { id }));
		await send(after, '{}', signed('standard-webhooks', '{}', { id }));
		expect(harness.executionsOf(before)).toHaveLength(1);
		expect(harness.executionsOf(after)).toHaveLength(1);
	});

	test('in the database, a repeat is caught across a restart, and the delivery is recorded', async () => {
		const setup: Partial<WebhookNodeSetup> = {
			workflowId: 'wf-durable',
			nodeId: 'node-durable',
			parameters: { useDatabase: true },
			credentials: { barnumWebhookSecretApi: { secrets: newest }, barnumPostgresApi: { connectionString: db.appUrl } },
		};
		const id = deliveryId();
		const before = standardNode(setup);
		const first = await send(before, '{"n":1}', signed('standard-webhooks', '{"n":1}', { id }));
		expect(first.status).toBe(200);

		const after = standardNode({ ...setup, nodeClass: freshNodeClass() });
		const repeat = await send(after, '{"n":1}', signed('standard-webhooks', '{"n":1}', { id }));
		expect(repeat.json).toEqual({ received: true, duplicate: true });
		expect(harness.executionsOf(before)).toHaveLength(1);
		expect(harness.executionsOf(after)).toHaveLength(0);

		const { rows } = await db.admin.query('SELECT scope, delivery_id, status, response_status FROM barnum_webhook_deliveries WHERE delivery_id = $1', [id]);
		expect(rows).toEqual([{ scope: 'n8n:wf-durable:node-durable', delivery_id: id, status: 'done', response_status: 200 }]);
	});

	test('database de-duplication without its credential answers 503 after the signature check, and logs why', async () => {
		const url = standardNode({ parameters: { useDatabase: true } });
		const unsigned = await send(url, '{}', {});
		expect(unsigned.status).toBe(401);
		const before = harness.warnings.length;
		const response = await send(url, '{}', signed('standard-webhooks', '{}', { id: deliveryId() }));
		expect(response.status).toBe(503);
		expect(response.headers.get('retry-after')).toBe('30');
		expect(harness.warnings.slice(before)).toEqual([expect.stringContaining('Barnum Postgres credential is unusable')]);
		expect(harness.executionsOf(url)).toHaveLength(0);
	});
});

describe('other profiles', () => {
	test('Barnum legacy: X-Webhook-Signature over the body, no id or timestamp, so nothing to de-duplicate on', async () => {
		const url = harness.register({ parameters: { profile: 'barnum-legacy' }, credentials: { barnumWebhookSecretApi: { secrets: plain } } });
		const text = '{"action":"confirm","appointmentId":"550e8400-e29b-41d4-a716-446655440000"}';
		const headers = signed('barnum-legacy', text, { secret: plain });
		expect(Object.keys(headers)).toEqual(['X-Webhook-Signature']);
		expect((await send(url, text, headers)).status).toBe(200);
		expect((await send(url, text, headers)).status).toBe(200);
		const executions = harness.executionsOf(url);
		expect(executions).toHaveLength(2);
		expect(executions[0].items[0].json.verification).toEqual({ scheme: 'barnum-legacy', deliveryId: null, timestamp: null, secretIndex: 0 });
	});

	test("Cal.com: X-Cal-Signature-256 over Cal.com's body; a tampered body or Cal.com's no-secret marker is refused", async () => {
		const url = harness.register({ parameters: { profile: 'calcom' }, credentials: { barnumWebhookSecretApi: { secrets: plain } } });
		const text = JSON.stringify({ triggerEvent: 'BOOKING_CREATED', createdAt: '2023-05-24T09:30:00.538Z', payload: { uid: 'bFJeNb2uX8ANpT3JL5EfXw', title: 'Consulta – João' } });
		const headers = signed('calcom', text, { secret: plain });
		expect(Object.keys(headers)).toEqual(['X-Cal-Signature-256']);
		expect((await send(url, text, headers)).status).toBe(200);
		expect((await send(url, text.replace('João', 'Joao'), headers)).status).toBe(401);
		expect((await send(url, text, { 'X-Cal-Signature-256': 'no-secret-provided' })).status).toBe(401);
		const executions = harness.executionsOf(url);
		expect(executions).toHaveLength(1);
		expect(executions[0].items[0].json).toMatchObject({
			body: { triggerEvent: 'BOOKING_CREATED', payload: { uid: 'bFJeNb2uX8ANpT3JL5EfXw' } },
			verification: { scheme: 'calcom', deliveryId: null, timestamp: null, secretIndex: 0 },
		});
	});

	describe('Meta / WhatsApp', () => {
		const meta = () =>
			harness.register({
				parameters: { profile: 'meta' },
				credentials: { barnumWebhookSecretApi: { secrets: plain, verifyToken } },
			});
		const whatsapp = (value: object) =>
			JSON.stringify({
				object: 'whatsapp_business_account',
				entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', ...value } }] }],
			});

		test('a signed message notification runs once, de-duplicated on the message id', async () => {
			const url = meta();
			const messageId = `wamid.${randomBytes(16).toString('base64url')}`;
			const text = whatsapp({
				metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
				contacts: [{ profile: { name: 'João Conceição' }, wa_id: '351912345678' }],
				messages: [{ from: '351912345678', id: messageId, timestamp: '1749416383', type: 'button', button: { text: 'Confirmar ✅' } }],
			});
			const headers = signed('meta', text, { secret: plain });
			expect(Object.keys(headers)).toEqual(['X-Hub-Signature-256']);
			expect((await send(url, text, headers)).status).toBe(200);
			expect((await send(url, text, headers)).json).toEqual({ received: true, duplicate: true });
			const executions = harness.executionsOf(url);
			expect(executions).toHaveLength(1);
			const { json } = executions[0].items[0];
			expect(json.verification).toEqual({ scheme: 'meta', deliveryId: messageId, timestamp: null, secretIndex: 0 });
			expect(json.body).toMatchObject({ entry: [{ changes: [{ value: { contacts: [{ profile: { name: 'João Conceição' } }] } }] }] });
		});

		test('status notifications for one message are told apart by their status', async () => {
			const url = meta();
			const messageId = `wamid.${randomBytes(16).toString('base64url')}`;
			for (const status of ['sent', 'delivered', 'delivered']) {
				const text = whatsapp({ statuses: [{ id: messageId, status, timestamp: '1749416390', recipient_id: '351912345678' }] });
				await send(url, text, signed('meta', text, { secret: plain }));
			}
			expect(harness.executionsOf(url).map((e) => e.items[0].json.verification)).toEqual([
				expect.objectContaining({ deliveryId: `${messageId}:sent` }),
				expect.objectContaining({ deliveryId: `${messageId}:delivered` }),
			]);
		});

		test('the GET subscription handshake echoes the challenge for the right token and is refused otherwise', async () => {
			const url = meta();
			const right = await send(`${url}?hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=1158201444`, undefined, {}, 'GET');
			expect(right.status).toBe(200);
			expect(right.text).toBe('1158201444');
			expect(right.headers.get('content-type')).toMatch(/^text\/plain/);
			const wrong = await send(`${url}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`, undefined, {}, 'GET');
			expect(wrong.status).toBe(403);
			expect(wrong.text).not.toContain('1158201444');
			expect(harness.executionsOf(url)).toHaveLength(0);
		});

		test('a body signed with another secret is refused', async () => {
			const url = meta();
			const text = whatsapp({ messages: [] });
			expect((await send(url, text, signed('meta', text, { secret: newest }))).status).toBe(401);
			expect(harness.executionsOf(url)).toHaveLength(0);
		});
	});

	test('Stripe-style: t=,v1= in the configured header, timestamp checked, event id de-duplicated', async () => {
		const url = harness.register({
			parameters: { profile: 'stripe', stripeSignatureHeader: 'Acme-Signature' },
			credentials: { barnumWebhookSecretApi: { secrets: plain } },
		});
		const eventId = `evt_${randomBytes(12).toString('hex')}`;
		const text = JSON.stringify({ id: eventId, type: 'invoice.paid', data: { object: { amount_paid: 4200 } } });
		const headers = signed('stripe', text, { secret: plain, options: { signatureHeader: 'Acme-Signature' } });
		expect(headers['Acme-Signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
		expect((await send(url, text, headers)).status).toBe(200);
		expect((await send(url, text, headers)).json).toEqual({ received: true, duplicate: true });
		const stale = signed('stripe', text, { secret: plain, timestamp: Math.floor(Date.now() / 1000) - 600, options: { signatureHeader: 'Acme-Signature' } });
		expect((await send(url, text, stale)).json).toMatchObject({ reason: 'timestamp_too_old' });
		const executions = harness.executionsOf(url);
		expect(executions).toHaveLength(1);
		expect(executions[0].items[0].json.verification).toEqual({
			scheme: 'stripe',
			deliveryId: eventId,
			timestamp: Number(/t=(\d+)/.exec(headers['Acme-Signature'])![1]),
			secretIndex: 0,
		});
	});

	test('GitHub: X-GitHub-Delivery is the delivery id, and chosen headers are copied', async () => {
		const url = harness.register({
			parameters: { profile: 'github', includeHeaders: 'X-GitHub-Event, x-github-delivery' },
			credentials: { barnumWebhookSecretApi: { secrets: plain } },
		});
		const id = randomUUID();
		const text = JSON.stringify({ zen: 'Design for failure.', hook_id: 12345678 });
		const headers = { ...signed('github', text, { secret: plain, id }), 'X-GitHub-Event': 'ping' };
		expect((await send(url, text, headers)).status).toBe(200);
		expect((await send(url, text, headers)).json).toEqual({ received: true, duplicate: true });
		const executions = harness.executionsOf(url);
		expect(executions).toHaveLength(1);
		expect(executions[0].items[0].json).toMatchObject({
			headers: { 'x-github-event': 'ping', 'x-github-delivery': id },
			verification: { scheme: 'github', deliveryId: id, timestamp: null, secretIndex: 0 },
		});
	});

	test('Custom: HMAC-SHA512 in base64 with a prefix, a signed timestamp and a delivery id header', async () => {
		const custom = {
			signatureHeader: 'X-Acme-Signature',
			algorithm: 'sha512',
			encoding: 'base64',
			prefix: 'sha512=',
			timestampHeader: 'X-Acme-Timestamp',
			deliveryIdHeader: 'X-Acme-Delivery',
		} as const;
		const url = harness.register({
			parameters: {
				profile: 'custom',
				customSignatureHeader: custom.signatureHeader,
				customAlgorithm: custom.algorithm,
				customEncoding: custom.encoding,
				customPrefix: custom.prefix,
				customTimestampHeader: custom.timestampHeader,
				customDeliveryIdHeader: custom.deliveryIdHeader,
			},
			credentials: { barnumWebhookSecretApi: { secrets: plain } },
		});
		const text = '{"patient":"Conceição","slot":"2026-02-01T10:00"}';
		const headers = signed('custom', text, { secret: plain, id: 'acme-1', options: custom });
		expect(headers[custom.signatureHeader]).toMatch(/^sha512=[A-Za-z0-9+/]{86}==$/);
		expect((await send(url, text, headers)).status).toBe(200);
		expect((await send(url, text, headers)).json).toEqual({ received: true, duplicate: true });
		const stale = signed('custom', text, { secret: plain, id: 'acme-2', timestamp: Math.floor(Date.now() / 1000) - 600, options: custom });
		expect((await send(url, text, stale)).json).toMatchObject({ reason: 'timestamp_too_old' });
		const executions = harness.executionsOf(url);
		expect(executions).toHaveLength(1);
		expect(executions[0].items[0].json.verification).toEqual({
			scheme: 'custom',
			deliveryId: 'acme-1',
			timestamp: Number(headers[custom.timestampHeader]),
			secretIndex: 0,
		});
	});

	test('Custom with an invalid header name is a configuration error: 500 and a warning, no execution', async () => {
		const url = harness.register({
			parameters: { profile: 'custom', customSignatureHeader: 'Not A Header' },
			credentials: { barnumWebhookSecretApi: { secrets: plain } },
		});
		const before = harness.warnings.length;
		const response = await send(url, '{}', { 'X-Signature': 'abc' });
		expect(response.status).toBe(500);
		expect(response.json).toMatchObject({ error: 'configuration_error' });
		expect(harness.warnings.slice(before)).toEqual([expect.stringContaining('misconfigured')]);
		expect(harness.executionsOf(url)).toHaveLength(0);
	});
});

describe('bodies', () => {
	test('malformed JSON sent as application/json is refused by n8n itself (422) before the node runs', async () => {
		const url = standardNode();
		const text = '{"broken": ';
		const response = await send(url, text, signed('standard-webhooks', text));
		expect(response.status).toBe(422);
		expect(harness.executionsOf(url)).toHaveLength(0);
	});

	test('malformed JSON under a +json media type, validly signed, is answered 400 by the node and starts nothing', async () => {
		const url = standardNode();
		const text = '{"broken": ';
		const response = await send(url, text, { ...signed('standard-webhooks', text), 'content-type': 'application/vnd.acme+json' });
		expect(response.status).toBe(400);
		expect(response.json).toEqual({ error: 'invalid_json', message: expect.stringContaining('not valid JSON') });
		expect(harness.executionsOf(url)).toHaveLength(0);
	});

	test('a body that is not JSON reaches the workflow as the text received', async () => {
		const url = standardNode();
		const text = 'name=Jo%C3%A3o&status=ok';
		const response = await send(url, text, { ...signed('standard-webhooks', text), 'content-type': 'application/x-www-form-urlencoded' });
		expect(response.status).toBe(200);
		expect(harness.executionsOf(url)[0].items[0].json.body).toBe(text);
	});
});

describe('core receiveWebhook, as a host other than n8n calls it', () => {
	test('malformed JSON labelled application/json, validly signed, is a 400 (n8n never lets it through)', async () => {
		const text = '{"broken": ';
		const outcome = await receiveWebhook(
			{ method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...lower(signed('standard-webhooks', text)) }, rawBody: Buffer.from(text) },
			{ profile: { scheme: 'standard-webhooks' }, secrets: newest, deduplication: { store: new MemoryDeliveryStore(10), scope: 'server:test' } },
		);
		expect(outcome).toMatchObject({ kind: 'respond', status: 400, body: { error: 'invalid_json' } });
	});

	test('a validly signed body that is not UTF-8 is a 400 naming the encoding, not text with U+FFFD in it', async () => {
		const bytes = Buffer.concat([Buffer.from('status=ok&name=Jo'), Buffer.from([0xe3, 0x6f])]);
		for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json']) {
			const outcome = await receiveWebhook(
				{ method: 'POST', headers: { 'content-type': type, ...lower(signed('standard-webhooks', bytes)) }, rawBody: bytes },
				{ profile: { scheme: 'standard-webhooks' }, secrets: newest },
			);
			expect({ type, outcome }).toMatchObject({ type, outcome: { kind: 'respond', status: 400, body: { error: 'invalid_encoding', message: 'the body is not valid UTF-8 text' } } });
		}
		// Declared as Latin-1, the same bytes are text: ã.
		const latin1 = await receiveWebhook(
			{ method: 'POST', headers: { 'content-type': 'text/plain; charset=iso-8859-1', ...lower(signed('standard-webhooks', bytes)) }, rawBody: bytes },
			{ profile: { scheme: 'standard-webhooks' }, secrets: newest },
		);
		expect(latin1).toMatchObject({ kind: 'run', json: { body: 'status=ok&name=João' } });
	});

	test('a store failure is a 503 with a warning, never a throw', async () => {
		const text = '{}';
		const broken = new MemoryDeliveryStore(10);
		broken.claim = async () => {
			throw new Error('connection refused');
		};
		const outcome = await receiveWebhook(
			{ method: 'POST', headers: { 'content-type': 'application/json', ...lower(signed('standard-webhooks', text, { id: 'msg_1' })) }, rawBody: Buffer.from(text) },
			{ profile: { scheme: 'standard-webhooks' }, secrets: newest, deduplication: { store: broken, scope: 'server:test' } },
		);
		expect(outcome).toMatchObject({ kind: 'respond', status: 503, warning: expect.stringContaining('connection refused') });
	});

	test('a copy arriving while the first still holds its claim is told to retry (409), then gets the duplicate answer', async () => {
		const text = '{}';
		const store = new MemoryDeliveryStore(10);
		const request = {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...lower(signed('standard-webhooks', text, { id: 'msg_concurrent' })) },
			rawBody: Buffer.from(text),
		};
		const options = { profile: { scheme: 'standard-webhooks' as const }, secrets: newest, deduplication: { store, scope: 'server:test' } };
		await store.claim('server:test', 'msg_concurrent');
		expect(await receiveWebhook(request, options)).toMatchObject({ kind: 'respond', status: 409, headers: { 'Retry-After': '5' } });
		await store.complete('server:test', 'msg_concurrent', 200, { received: true });
		expect(await receiveWebhook(request, options)).toEqual({ kind: 'respond', status: 200, body: { received: true, duplicate: true } });
	});

	function lower(headers: Record<string, string>): Record<string, string> {
		return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
	}
});

describe('the credential test', () => {
	const run = (data: object) => barnumWebhookSecretTest.call({} as never, { id: '1', name: 'c', type: 'barnumWebhookSecretApi', data } as never);

	test('usable secrets pass; none, a broken whsec_ or a repeat fail', async () => {
		await expect(run({ secrets: `${newest}\n${plain}`, verifyToken })).resolves.toEqual({
			status: 'OK',
			message: '2 secrets (the first is the newest) and a Meta verify token ready',
		});
		await expect(run({ secrets: '' })).resolves.toMatchObject({ status: 'Error' });
		await expect(run({ secrets: 'whsec_not*base64' })).resolves.toMatchObject({ status: 'Error', message: expect.stringContaining('not base64') });
		await expect(run({ secrets: `${plain},${plain}` })).resolves.toMatchObject({ status: 'Error', message: expect.stringContaining('twice') });
	});
});
