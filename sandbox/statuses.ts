import type { Logger } from 'pino';
import type { WebhookError } from './errors';
import { conversationId } from './ids';
import type { Lifecycle } from './lifecycle';
import type { SandboxSettings } from './options';
import { statusWebhook, type BusinessNumber, type Pricing, type WebhookStatus } from './payloads';
import type { OutboundMessage, SandboxState, StatusEvent, StatusName } from './state';
import type { WebhookSender } from './webhooks';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Plays out what happens to a message after Meta accepts it: sent, delivered, read (or failed),
 * each a signed status webhook, after the configured delays and in the configured order. The
 * webhooks for one message go out one after another, so "in order" really is in order even when
 * the receiver is slow or a retry is needed.
 */
export class StatusPipeline {
	private readonly chains = new Map<string, Promise<void>>();
	private readonly conversations = new Map<string, { id: string; expiresAt: number }>();

	constructor(
		private readonly number: BusinessNumber,
		private readonly settings: SandboxSettings,
		private readonly graphMajor: number,
		private readonly state: SandboxState,
		private readonly sender: WebhookSender,
		private readonly lifecycle: Lifecycle,
		private readonly now: () => number,
		private readonly logger: Logger,
	) {}

	/** Starts the statuses of an accepted message; with `failure`, a single `failed` status instead. */
	accepted(message: OutboundMessage, failure?: WebhookError): void {
		const natural: StatusName[] = this.settings.autoRead ? ['sent', 'delivered', 'read'] : ['sent', 'delivered'];
		const plan: StatusName[] = failure ? ['failed'] : this.settings.statusOrder === 'reversed' ? natural.reverse() : natural;
		const delays = [...this.settings.statusDelaysMs];
		const start = Date.now();
		this.enqueue(message.wamid, async (signal) => {
			for (const [i, status] of plan.entries()) {
				const due = start + (delays[i] ?? delays.at(-1) ?? 0);
				if (!(await this.lifecycle.sleep(due - Date.now(), signal))) return;
				await this.emit(message, status, signal, failure);
			}
		});
	}

	/** The phone opened the chat: every delivered, unread message to it becomes read. */
	markRead(waId: string): number {
		const candidates = [...this.state.outbound.values()].filter((m) => m.waId === waId && m.status !== 'failed' && m.status !== 'read');
		for (const message of candidates) {
			this.enqueue(message.wamid, async (signal) => {
				const seen = new Set(message.statuses.map((s) => s.status));
				if (!signal.aborted && seen.has('delivered') && !seen.has('read') && !seen.has('failed')) await this.emit(message, 'read', signal);
			});
		}
		return candidates.length;
	}

	reset(): void {
		this.chains.clear();
		this.conversations.clear();
	}

	/** Runs `job` after the message's earlier jobs; it gets the signal of the moment it was queued. */
	private enqueue(wamid: string, job: (signal: AbortSignal) => Promise<void>): void {
		const signal = this.lifecycle.signal;
		const previous = this.chains.get(wamid) ?? Promise.resolve();
		const next = previous.then(() => job(signal));
		this.chains.set(wamid, next);
		this.lifecycle.track(
			next.finally(() => {
				if (this.chains.get(wamid) === next) this.chains.delete(wamid);
			}),
			(error) => this.logger.error({ err: error, wamid }, 'status webhook job failed'),
		);
	}

	private async emit(message: OutboundMessage, status: StatusName, signal: AbortSignal, failure?: WebhookError): Promise<void> {
		const event: StatusEvent = { status, timestamp: Math.floor(this.now() / 1000), ...(failure ? { errors: [failure] } : {}) };
		this.state.applyStatus(message.wamid, event);
		await this.sender.send({ kind: 'status', wamid: message.wamid, status }, statusWebhook(this.number, this.webhookStatus(message, event)), signal);
	}

	private webhookStatus(message: OutboundMessage, event: StatusEvent): WebhookStatus {
		const category: Pricing['category'] = message.template ? (message.template.category === 'MARKETING' ? 'marketing' : 'utility') : 'service';
		const billing = event.status === 'sent' || event.status === 'delivered';
		return {
			id: message.wamid,
			status: event.status,
			timestamp: String(event.timestamp),
			recipient_id: message.waId,
			...(message.bizOpaqueCallbackData ? { biz_opaque_callback_data: message.bizOpaqueCallbackData } : {}),
			// Meta stopped sending `conversation` in v24.0 (per-message pricing); older versions carry it.
			...(billing && this.graphMajor < 24 ? { conversation: this.conversation(message, category, event.status === 'sent') } : {}),
			...(billing
				? {
						pricing: {
							billable: category !== 'service',
							pricing_model: 'PMP',
							type: category === 'service' ? 'free_customer_service' : 'regular',
							category,
						},
					}
				: {}),
			...(event.errors ? { errors: event.errors } : {}),
		};
	}

	/** One conversation per phone and category, open 24 hours from its first message. */
	private conversation(message: OutboundMessage, category: Pricing['category'], withExpiry: boolean): NonNullable<WebhookStatus['conversation']> {
		const key = `${message.waId}:${category}`;
		let open = this.conversations.get(key);
		if (!open || open.expiresAt <= this.now()) {
			open = { id: conversationId(), expiresAt: this.now() + DAY_MS };
			this.conversations.set(key, open);
		}
		return {
			id: open.id,
			...(withExpiry ? { expiration_timestamp: String(Math.floor(open.expiresAt / 1000)) } : {}),
			origin: { type: category },
		};
	}
}
