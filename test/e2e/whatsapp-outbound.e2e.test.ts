import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULTS as SANDBOX_DEFAULTS } from '../../sandbox/options';
import { startStack, type Stack } from './stack/stack';

/**
 * The Barnum node's WhatsApp sends obey n8n's outbound-request settings, as n8n's own nodes do: its
 * SSRF protection (N8N_SSRF_PROTECTION_ENABLED, on here, loopback blocked unless named in
 * N8N_SSRF_ALLOWED_HOSTNAMES) and its proxy (HTTP_PROXY / NO_PROXY). The sandbox stands in for Meta
 * on loopback: the credential reaches it as 127.0.0.1 (a blocked address) or as localhost (allowed,
 * through the proxy).
 */

interface Proxy {
	url: string;
	seen: string[];
	close(): Promise<void>;
}

/** A forward HTTP proxy on loopback that relays to localhost only and records what it relayed. */
async function startProxy(): Promise<Proxy> {
	const seen: string[] = [];
	const server = http.createServer((req, res) => {
		const target = new URL(req.url ?? '/');
		if (target.hostname !== 'localhost') {
			res.writeHead(502).end('this proxy relays to localhost only');
			return;
		}
		seen.push(`${req.method} ${target.href} ${req.headers.authorization ? 'with' : 'without'} authorization`);
		const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
			res.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(res);
		});
		upstream.on('error', () => res.writeHead(502).end());
		req.pipe(upstream);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		seen,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

let stack: Stack;
const PHONE_NUMBER_ID = SANDBOX_DEFAULTS.phoneNumberId;
let proxy: Proxy;

beforeAll(async () => {
	proxy = await startProxy();
	stack = await startStack({
		n8nEnv: {
			N8N_SSRF_PROTECTION_ENABLED: 'true',
			N8N_SSRF_ALLOWED_HOSTNAMES: 'localhost',
			HTTP_PROXY: proxy.url,
			NO_PROXY: '127.0.0.1',
		},
	});
}, 900_000);
afterAll(async () => {
	await stack?.stop();
	await proxy?.close();
});

/** A workflow: a webhook, then the Barnum node sending a template (Continue On Fail) whose output is the answer. */
async function sendingWorkflow(name: string, baseUrl: string): Promise<string> {
	const rest = stack.n8n.rest;
	const port = new URL(stack.sandbox.url).port;
	const credential = await rest.request<{ id: string }>('POST', '/credentials', {
		name,
		type: 'barnumWhatsAppApi',
		data: { accessToken: stack.local.secrets.whatsappAccessToken, phoneNumberId: PHONE_NUMBER_ID, graphApiVersion: 'v21.0', baseUrl: baseUrl.replace('PORT', port) },
	});
	const pg = (await rest.request<Array<{ id: string; type: string }>>('GET', '/credentials')).find((c) => c.type === 'barnumPostgresApi');
	const path = `outbound-${name.toLowerCase().replace(/\W+/g, '-')}`;
	const workflow = await rest.request<{ id: string }>('POST', '/workflows', {
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { Webhook: { main: [[{ node: 'Send', type: 'main', index: 0 }]] } },
		nodes: [
			{
				id: 'a0000000-0000-4000-8000-000000000001',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `a0000000-0000-4000-8000-${String(Date.now()).slice(-12)}`,
				parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'firstEntryJson' },
			},
			{
				id: 'a0000000-0000-4000-8000-000000000002',
				name: 'Send',
				type: 'n8n-nodes-barnum.barnum',
				typeVersion: 1,
				position: [220, 0],
				onError: 'continueRegularOutput',
				parameters: {
					resource: 'whatsapp',
					operation: 'sendTemplate',
					messageSource: 'fields',
					to: '+351912345678',
					template: 'barnum_appointment_confirmation',
					language: 'pt_PT',
					bodyParameters: { parameter: ['João', 'segunda-feira, 1 de julho', '10:30', 'Dr.ª Maria Santos', 'Clínica Sorriso'].map((text) => ({ text })) },
					urlButton: { index: 2, suffix: 'type=confirm&token=e2e-outbound' },
					eventId: '',
				},
				credentials: { barnumWhatsAppApi: { id: credential.id, name }, ...(pg ? { barnumPostgresApi: { id: pg.id, name: 'Barnum Postgres' } } : {}) },
			},
		],
	});
	await rest.activate(workflow.id);
	return `${stack.n8n.url}/webhook/${path}`;
}

async function send(url: string): Promise<Record<string, unknown>> {
	// n8n registers a workflow's webhook a moment after the activation answers.
	for (let attempt = 0; ; attempt++) {
		const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		if (res.status !== 404 || attempt >= 40) return (await res.json()) as Record<string, unknown>;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

test("a send to a blocked address is refused by n8n's SSRF protection and never reaches it", async () => {
	const url = await sendingWorkflow('Blocked sandbox', 'http://127.0.0.1:PORT');
	const before = stack.sandbox.state.outbound.size;
	const out = await send(url);
	expect(out.error).toMatch(/^WhatsApp refused the message: WhatsApp Cloud API unreachable: The request was blocked because it resolves to a restricted IP address/);
	expect(stack.sandbox.state.outbound.size).toBe(before);
	expect(proxy.seen).toEqual([]);
});

test("an allowed host is reached through n8n's proxy, with the credential's Bearer token", async () => {
	const url = await sendingWorkflow('Proxied sandbox', 'http://localhost:PORT');
	const before = stack.sandbox.state.outbound.size;
	const out = await send(url);
	expect(out).toMatchObject({ sent: true, wamid: expect.stringMatching(/^wamid\./) });
	expect(stack.sandbox.state.outbound.size).toBe(before + 1);
	expect(proxy.seen).toEqual([`POST http://localhost:${new URL(stack.sandbox.url).port}/v21.0/${PHONE_NUMBER_ID}/messages with authorization`]);
});
