import http from 'node:http';
import https from 'node:https';
import { parseRetryAfter } from '../outbox/classify';
import { WhatsAppApiError } from './errors';
import type { SendResult, TemplateMessage, WhatsAppConfig } from './types';

/** The Cloud API's body for a template message, with its components in Meta's shape. */
export function templatePayload(message: TemplateMessage): Record<string, unknown> {
	const components: Array<Record<string, unknown>> = [];
	if (message.bodyParameters.length > 0) {
		components.push({ type: 'body', parameters: message.bodyParameters.map((text) => ({ type: 'text', text })) });
	}
	if (message.urlButton) {
		components.push({
			type: 'button',
			sub_type: 'url',
			index: String(message.urlButton.index),
			parameters: [{ type: 'text', text: message.urlButton.suffix }],
		});
	}
	for (const reply of message.quickReplies ?? []) {
		components.push({ type: 'button', sub_type: 'quick_reply', index: String(reply.index), parameters: [{ type: 'payload', payload: reply.payload }] });
	}
	return {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to: message.to.replace(/^\+/, ''),
		type: 'template',
		template: { name: message.template, language: { code: message.language }, components },
	};
}

export function textPayload(to: string, body: string): Record<string, unknown> {
	return { messaging_product: 'whatsapp', recipient_type: 'individual', to: to.replace(/^\+/, ''), type: 'text', text: { preview_url: true, body } };
}

// One keep-alive agent per protocol for the whole process: a batch of sends reuses a handful of
// connections instead of opening one per message. Node's fetch would do the same, but it streams
// every request body through WHATWG streams, which cost more CPU than the rest of a send.
const agents = {
	'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
	'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

interface RawResponse {
	status: number;
	headers: http.IncomingHttpHeaders;
	text: string;
}

function post(target: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<RawResponse> {
	return new Promise((resolve, reject) => {
		const url = new URL(target);
		const transport = url.protocol === 'https:' ? https : http;
		const request = transport.request(
			url,
			{ method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: agents[url.protocol as 'http:' | 'https:'] },
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('error', fail);
				response.on('end', () => {
					clearTimeout(timer);
					resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') });
				});
			},
		);
		const timer = setTimeout(() => request.destroy(new WhatsAppApiError(`no answer within ${timeoutMs} ms`, undefined, undefined)), timeoutMs);
		function fail(error: Error) {
			clearTimeout(timer);
			reject(error);
		}
		request.on('error', fail);
		request.end(body);
	});
}

/** POSTs a message to the Cloud API; resolves with the wamid or rejects with a WhatsAppApiError. */
export async function sendMessage(config: WhatsAppConfig, payload: Record<string, unknown>, timeoutMs = 15_000): Promise<SendResult> {
	const url = `${config.baseUrl.replace(/\/+$/, '')}/${config.graphApiVersion}/${encodeURIComponent(config.phoneNumberId)}/messages`;
	const response = await post(url, { authorization: `Bearer ${config.accessToken}`, 'content-type': 'application/json' }, JSON.stringify(payload), timeoutMs).catch(
		(error: Error) => error,
	);
	if (response instanceof Error) {
		throw new WhatsAppApiError(`WhatsApp Cloud API unreachable: ${response.message}`, undefined, undefined);
	}
	const { text } = response;
	let body: { error?: { message?: string; code?: number; error_data?: { details?: string } }; messages?: Array<{ id?: string }>; contacts?: Array<{ wa_id?: string }> } = {};
	try {
		body = JSON.parse(text);
	} catch {
		body = {};
	}
	if (response.status < 200 || response.status >= 300 || body.error) {
		throw new WhatsAppApiError(
			body.error?.message ?? `HTTP ${response.status} from the WhatsApp Cloud API`,
			response.status,
			body.error?.code,
			body.error?.error_data?.details,
			parseRetryAfter(headerValue(response.headers['retry-after'])),
		);
	}
	const wamid = body.messages?.[0]?.id;
	if (!wamid) throw new WhatsAppApiError('The WhatsApp Cloud API accepted the message but returned no message id', response.status, undefined);
	return { wamid, waId: body.contacts?.[0]?.wa_id };
}

function headerValue(value: string | string[] | undefined): string | null {
	return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}
