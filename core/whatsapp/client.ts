import { parseRetryAfter } from '../outbox/classify';
import { WhatsAppApiError } from './errors';
import type { TransportFailure } from './transport';
import type { SendResult, TemplateMessage, WhatsAppSender } from './types';

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

/**
 * POSTs a message to the Cloud API through the sender's transport; resolves with the wamid or rejects with a
 * WhatsAppApiError (Meta's error, the HTTP status and Retry-After, or unreachable).
 */
export async function sendMessage(
	sender: WhatsAppSender,
	payload: Record<string, unknown>,
	timeoutMs = 15_000,
): Promise<SendResult> {
	const url = `${sender.baseUrl.replace(/\/+$/, '')}/${sender.graphApiVersion}/${encodeURIComponent(sender.phoneNumberId)}/messages`;
	const response = await sender.transport({ url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), timeoutMs }).catch(
		(error: Error): TransportFailure => ({ unreachable: error.message }),
	);
	if ('unreachable' in response) {
		throw new WhatsAppApiError(`WhatsApp Cloud API unreachable: ${response.unreachable}`, undefined, undefined);
	}
	const text = response.body;
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
