import type { Logger } from 'pino';
import { wamid } from './ids';
import type { Lifecycle } from './lifecycle';
import { messageWebhook, type BusinessNumber, type WebhookInbound } from './payloads';
import type { InboundMessage, OutboundMessage, SandboxState } from './state';
import type { StatusPipeline } from './statuses';
import type { WebhookSender } from './webhooks';

/** What a phone can do: write text, or tap a quick-reply button of a template it received. */
export type PhoneInput =
	| { text: string; name?: string }
	| { button: { payload?: string; text?: string }; context?: string; name?: string };

export type PhoneResult = { ok: true; message: InboundMessage } | { ok: false; error: string };

/**
 * Plays the customer's side: a reply becomes the `messages` webhook Meta would send (a quick-reply
 * tap as `type: 'button'` with the template's wamid in `context`), opens the 24-hour window, and,
 * like opening the chat on a real phone, reads what the business sent.
 */
export class PhoneSimulator {
	constructor(
		private readonly number: BusinessNumber,
		private readonly state: SandboxState,
		private readonly sender: WebhookSender,
		private readonly pipeline: StatusPipeline,
		private readonly lifecycle: Lifecycle,
		private readonly now: () => number,
		private readonly logger: Logger,
	) {}

	write(waId: string, input: PhoneInput): PhoneResult {
		const phone = this.state.phone(waId);
		const profileName = input.name?.trim() || phone.profileName || `WhatsApp user ${waId.slice(-4)}`;
		const base = { wamid: wamid(waId, 'inbound'), waId, profileName, receivedAt: this.now(), readByBusiness: false };
		let message: InboundMessage;
		if ('text' in input) {
			if (!input.text.trim()) return { ok: false, error: 'text must not be empty' };
			message = { ...base, type: 'text', text: input.text };
		} else {
			const tapped = this.findQuickReply(waId, input.button, input.context);
			if (!tapped.ok) return tapped;
			message = {
				...base,
				type: 'button',
				button: { payload: tapped.button.payload, text: tapped.button.text },
				context: { from: this.number.displayPhoneNumber, id: tapped.message.wamid },
			};
		}
		this.state.addInbound(message);
		this.lifecycle.track(
			this.sender.send({ kind: 'message', wamid: message.wamid }, messageWebhook(this.number, { name: profileName, waId }, this.webhookMessage(message))),
			(error) => this.logger.error({ err: error }, 'message webhook failed'),
		);
		this.pipeline.markRead(waId);
		return { ok: true, message };
	}

	/** The quick reply matching the payload and/or text, on the given message or the latest one that has it. */
	private findQuickReply(
		waId: string,
		wanted: { payload?: string; text?: string },
		context: string | undefined,
	): { ok: true; message: OutboundMessage; button: { payload: string; text: string } } | { ok: false; error: string } {
		if (!wanted.payload && !wanted.text) return { ok: false, error: 'a button tap needs its payload or its text' };
		const received = [...this.state.outbound.values()]
			.filter((m) => m.waId === waId && m.kind === 'template' && (m.status === 'delivered' || m.status === 'read'))
			.filter((m) => context === undefined || m.wamid === context)
			.reverse();
		for (const message of received) {
			const button = message.rendered.buttons.find(
				(b) => b.type === 'QUICK_REPLY' && (wanted.payload === undefined || b.payload === wanted.payload) && (wanted.text === undefined || b.text === wanted.text),
			);
			if (button?.type === 'QUICK_REPLY') return { ok: true, message, button };
		}
		return {
			ok: false,
			error: context
				? `message ${context} was not delivered to this phone or has no such quick-reply button`
				: 'no message delivered to this phone has such a quick-reply button',
		};
	}

	private webhookMessage(message: InboundMessage): WebhookInbound {
		const base = { from: message.waId, id: message.wamid, timestamp: String(Math.floor(message.receivedAt / 1000)) };
		if (message.type === 'button' && message.button && message.context) {
			return { context: message.context, ...base, type: 'button', button: message.button };
		}
		return { ...base, type: 'text', text: { body: message.text ?? '' } };
	}
}
