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

/** POSTs a message to the Cloud API; resolves with the wamid or rejects with a WhatsAppApiError. */
export async function sendMessage(config: WhatsAppConfig, payload: Record<string, unknown>, timeoutMs = 15_000): Promise<SendResult> {
	const url = `${config.baseUrl.replace(/\/+$/, '')}/${config.graphApiVersion}/${encodeURIComponent(config.phoneNumberId)}/messages`;
	const response = await fetch(url, {
		method: 'POST',
		headers: { authorization: `Bearer ${config.accessToken}`, 'content-type': 'application/json' },
		body: JSON.stringify(payload),
		signal: AbortSignal.timeout(timeoutMs),
	}).catch((error: Error) => error);
	if (response instanceof Error) {
		const reason = response.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : response.message;
		throw new WhatsAppApiError(`WhatsApp Cloud API unreachable: ${reason}`, undefined, undefined);
	}
	const text = await response.text();
	let body: { error?: { message?: string; code?: number; error_data?: { details?: string } }; messages?: Array<{ id?: string }>; contacts?: Array<{ wa_id?: string }> } = {};
	try {
		body = JSON.parse(text);
	} catch {
		body = {};
	}
	if (!response.ok || body.error) {
		throw new WhatsAppApiError(
			body.error?.message ?? `HTTP ${response.status} from the WhatsApp Cloud API`,
			response.status,
			body.error?.code,
			body.error?.error_data?.details,
			parseRetryAfter(response.headers.get('retry-after')),
		);
	}
	const wamid = body.messages?.[0]?.id;
	if (!wamid) throw new WhatsAppApiError('The WhatsApp Cloud API accepted the message but returned no message id', response.status, undefined);
	return { wamid, waId: body.contacts?.[0]?.wa_id };
}
