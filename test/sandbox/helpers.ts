import type { Server } from 'node:http';
import express from 'express';
import { verifyWebhook } from '../../core/signatures';
import { startSandbox, type RunningSandbox, type StartOptions } from '../../sandbox';

export const ACCESS_TOKEN = 'test-access-token';
export const APP_SECRET = 'test-app-secret-for-signatures';
export const PHONE_NUMBER_ID = '100000000000001';
export const PATIENT = '+351912345678';
export const PATIENT_DIGITS = '351912345678';

export interface ReceivedWebhook {
	headers: Record<string, string | string[] | undefined>;
	rawBody: Buffer;
	// Webhook bodies are Meta's JSON; tests read into them freely.
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	body: any;
	/** The signature checked with Barnum's own verifier, against the sandbox's app secret. */
	signed: boolean;
}

/** A webhook receiver, as Barnum's Webhook Trigger would be: records every request it is sent. */
export interface Receiver {
	url: string;
	received: ReceivedWebhook[];
	/** The next requests are answered with these statuses (then 200 again). */
	answerNext(...statuses: number[]): void;
	/** Forgets what was received and the answers still queued. */
	clear(): void;
	/** Every status notification received, in arrival order. */
	statuses(): Array<{ id: string; status: string; [key: string]: unknown }>;
	/** Every message notification received, in arrival order. */
	messages(): Array<{ value: Record<string, unknown>; message: Record<string, unknown> }>;
	close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
	const received: ReceivedWebhook[] = [];
	const answers: number[] = [];
	const app = express();
	app.post('/webhook', express.raw({ type: () => true }), (req, res) => {
		const rawBody = req.body as Buffer;
		const verification = verifyWebhook('meta', { headers: req.headers, rawBody, secrets: APP_SECRET });
		received.push({ headers: req.headers, rawBody, body: JSON.parse(rawBody.toString('utf8')), signed: verification.ok });
		res.status(answers.shift() ?? 200).end();
	});
	const server = await new Promise<Server>((resolve) => {
		const s = app.listen(0, '127.0.0.1', () => resolve(s));
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	const values = () => received.map((r) => r.body.entry[0].changes[0].value as Record<string, unknown>);
	return {
		url: `http://127.0.0.1:${port}/webhook`,
		received,
		answerNext: (...statuses) => answers.push(...statuses),
		clear() {
			received.length = 0;
			answers.length = 0;
		},
		statuses: () => values().flatMap((value) => (value.statuses as Array<{ id: string; status: string }>) ?? []),
		messages: () =>
			values().flatMap((value) => ((value.messages as Array<Record<string, unknown>>) ?? []).map((message) => ({ value, message }))),
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeIdleConnections();
			}),
	};
}

/** A sandbox with fast status delays and retries, and the test credentials. */
export function startTestSandbox(options: Partial<StartOptions> = {}): Promise<RunningSandbox> {
	return startSandbox({
		accessToken: ACCESS_TOKEN,
		appSecret: APP_SECRET,
		publicBaseUrl: 'https://clinic.example',
		statusDelaysMs: [10, 30, 60],
		webhookRetryDelaysMs: [20, 40],
		...options,
	});
}

export interface GraphResponse {
	status: number;
	headers: Headers;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	body: any;
}

/** POST /{version}/{phone_number_id}/messages, as the Barnum node does. */
export async function sendMessage(
	sandbox: RunningSandbox,
	body: unknown,
	options: { token?: string | null; phoneNumberId?: string; version?: string } = {},
): Promise<GraphResponse> {
	const token = options.token === undefined ? ACCESS_TOKEN : options.token;
	const response = await fetch(`${sandbox.url}/${options.version ?? 'v21.0'}/${options.phoneNumberId ?? PHONE_NUMBER_ID}/messages`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
	return { status: response.status, headers: response.headers, body: await response.json() };
}

/** A call to the sandbox's own /_sandbox API. */
export async function control(sandbox: RunningSandbox, method: string, path: string, body?: unknown): Promise<GraphResponse> {
	const response = await fetch(`${sandbox.url}/_sandbox${path}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** The pre-confirmation as Barnum sends it, for the given action-link suffix. */
export function confirmationTemplate(overrides: { to?: string; language?: string; suffix?: string; name?: string } = {}) {
	return {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to: overrides.to ?? PATIENT,
		type: 'template',
		template: {
			name: 'barnum_appointment_confirmation',
			language: { code: overrides.language ?? 'pt_PT' },
			components: [
				{
					type: 'body',
					parameters: [
						{ type: 'text', text: overrides.name ?? 'Maria' },
						{ type: 'text', text: 'segunda-feira, 1 de julho' },
						{ type: 'text', text: '10:30' },
						{ type: 'text', text: 'Dr.ª Ana Costa' },
						{ type: 'text', text: 'Clínica Sorriso' },
					],
				},
				{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'confirm:appt-1' }] },
				{ type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'cancel:appt-1' }] },
				{ type: 'button', sub_type: 'url', index: '2', parameters: [{ type: 'text', text: overrides.suffix ?? 'type=confirm&token=tok_123' }] },
			],
		},
	};
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = check();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) throw new Error('waitFor: timed out');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
