import type { SandboxContext } from './context';
import { invalidParameter, webhookError, whatsappError, type WebhookError } from './errors';
import { wamid } from './ids';
import type { OutboundMessage } from './state';
import { validateSend, type TemplateSend, type TextSend } from './validate';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface GraphAnswer {
	httpStatus: number;
	body: unknown;
	headers?: Record<string, string>;
}

/**
 * `POST /{phone_number_id}/messages` once the caller is authenticated: validation, the 24-hour
 * window, injected faults, then acceptance with a wamid and the status webhooks that follow.
 */
export function handleSend(ctx: SandboxContext, body: unknown): GraphAnswer {
	const validation = validateSend(body, ctx.settings.urlBases);
	if (!validation.ok) {
		if (validation.bug) ctx.logger.error({ err: validation.bug }, 'sandbox bug while validating a send');
		return validation.failure;
	}
	const send = validation.send;
	if (send.kind === 'read') {
		const inbound = ctx.state.inbound.get(send.messageId);
		if (!inbound) return invalidParameter('Invalid parameter', `No inbound message with id ${send.messageId}`);
		inbound.readByBusiness = true;
		return { httpStatus: 200, body: { success: true } };
	}
	if (send.waId === ctx.number.displayPhoneNumber) return whatsappError(131021);

	const fault = ctx.state.takeFault(send.waId, (f) => f.code !== 190);
	if (fault && !fault.async) {
		const failure = whatsappError(fault.code, fault.details, { title: fault.title, httpStatus: fault.httpStatus });
		if (fault.retryAfterSeconds !== undefined) failure.headers = { 'retry-after': String(fault.retryAfterSeconds) };
		return failure;
	}
	let asyncFailure: WebhookError | undefined = fault ? webhookError(fault.code, { title: fault.title, details: fault.details }) : undefined;

	if (send.kind === 'text' && !asyncFailure && !windowOpen(ctx, send.waId)) {
		if (ctx.settings.reengagement === 'sync') return whatsappError(131047);
		asyncFailure = webhookError(131047);
	}
	return accept(ctx, send, body, asyncFailure);
}

/** Free text is allowed for 24 hours after the customer's last message. */
function windowOpen(ctx: SandboxContext, waId: string): boolean {
	const last = ctx.state.phones.get(waId)?.lastInboundAt;
	return last !== undefined && ctx.now() - last < DAY_MS;
}

function accept(ctx: SandboxContext, send: TemplateSend | TextSend, request: unknown, failure: WebhookError | undefined): GraphAnswer {
	const message: OutboundMessage = {
		wamid: wamid(send.waId, 'outbound'),
		waId: send.waId,
		to: send.to,
		kind: send.kind,
		request,
		...(send.kind === 'template'
			? { template: { name: send.template.name, language: send.translation.language, category: send.template.category } }
			: {}),
		rendered: send.rendered,
		...(send.bizOpaqueCallbackData ? { bizOpaqueCallbackData: send.bizOpaqueCallbackData } : {}),
		acceptedAt: ctx.now(),
		statuses: [],
		status: 'accepted',
	};
	ctx.state.addOutbound(message);
	ctx.pipeline.accepted(message, failure);
	return {
		httpStatus: 200,
		body: {
			messaging_product: 'whatsapp',
			contacts: [{ input: send.to, wa_id: send.waId }],
			// Meta reports a pacing status for template messages only.
			messages: [send.kind === 'template' ? { id: message.wamid, message_status: 'accepted' } : { id: message.wamid }],
		},
	};
}
