import type { WebhookError } from './errors';
import type { TemplateCategory } from './templates';
import type { RenderedMessage } from './validate';

/**
 * What the sandbox remembers: every message the business sent and its statuses, every message a
 * phone sent, each phone's conversation and the time of its last message (the 24-hour window),
 * the faults waiting to fire, and the log of webhook deliveries. In memory only: a sandbox run
 * starts empty, and `reset()` empties it again between tests.
 */

export type StatusName = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusEvent {
	status: StatusName;
	/** Unix seconds, as the webhook carried it. */
	timestamp: number;
	errors?: WebhookError[];
}

export interface OutboundMessage {
	wamid: string;
	waId: string;
	/** `to` as the request gave it. */
	to: string;
	kind: 'template' | 'text';
	/** The request body, exactly as received (parsed). */
	request: unknown;
	template?: { name: string; language: string; category: TemplateCategory };
	rendered: RenderedMessage;
	bizOpaqueCallbackData?: string;
	acceptedAt: number;
	/** Status webhooks in the order they were emitted (which may not be the natural order). */
	statuses: StatusEvent[];
	/** The furthest status reached: a late `sent` never moves a `read` message back. */
	status: 'accepted' | StatusName;
}

export interface InboundMessage {
	wamid: string;
	waId: string;
	profileName: string;
	type: 'text' | 'button';
	text?: string;
	button?: { payload: string; text: string };
	/** The template message a quick reply answers. */
	context?: { from: string; id: string };
	receivedAt: number;
	/** The business marked it read (POST /messages `{ status: 'read' }`). */
	readByBusiness: boolean;
}

export type ConversationEntry = { direction: 'outbound'; message: OutboundMessage } | { direction: 'inbound'; message: InboundMessage };

export interface Phone {
	waId: string;
	profileName?: string;
	/** When the phone last wrote (ms): the 24-hour customer service window runs from here. */
	lastInboundAt?: number;
	conversation: ConversationEntry[];
}

export interface Fault {
	id: string;
	/** Only sends to this number (digits); any number when absent. */
	waId?: string;
	code: number;
	/** How many more sends it fails; it is removed when this reaches 0. */
	remaining: number;
	/** Answer 200 with a wamid and report the error as a `failed` status webhook. */
	async: boolean;
	httpStatus?: number;
	retryAfterSeconds?: number;
	title?: string;
	details?: string;
}

export interface WebhookAttempt {
	at: number;
	status?: number;
	error?: string;
}

export interface WebhookDelivery {
	id: number;
	kind: 'status' | 'message';
	/** The message the webhook is about. */
	wamid: string;
	/** The status, for status webhooks. */
	status?: StatusName;
	url?: string;
	body: string;
	attempts: WebhookAttempt[];
	outcome: 'pending' | 'delivered' | 'failed' | 'no-webhook-url' | 'cancelled';
}

const RANK: Record<OutboundMessage['status'], number> = { accepted: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

export class SandboxState {
	readonly outbound = new Map<string, OutboundMessage>();
	readonly inbound = new Map<string, InboundMessage>();
	readonly phones = new Map<string, Phone>();
	faults: Fault[] = [];
	readonly webhooks: WebhookDelivery[] = [];
	private nextFaultId = 1;
	private nextDeliveryId = 1;

	phone(waId: string): Phone {
		let phone = this.phones.get(waId);
		if (!phone) {
			phone = { waId, conversation: [] };
			this.phones.set(waId, phone);
		}
		return phone;
	}

	addOutbound(message: OutboundMessage): void {
		this.outbound.set(message.wamid, message);
		this.phone(message.waId).conversation.push({ direction: 'outbound', message });
	}

	addInbound(message: InboundMessage): void {
		this.inbound.set(message.wamid, message);
		const phone = this.phone(message.waId);
		phone.profileName = message.profileName;
		phone.lastInboundAt = message.receivedAt;
		phone.conversation.push({ direction: 'inbound', message });
	}

	/** Records a status as emitted; the message's current status only ever moves forward. */
	applyStatus(wamid: string, event: StatusEvent): void {
		const message = this.outbound.get(wamid);
		if (!message) return;
		message.statuses.push(event);
		if (RANK[event.status] > RANK[message.status]) message.status = event.status;
	}

	addFault(fault: Omit<Fault, 'id'>): Fault {
		const added = { ...fault, id: `fault_${this.nextFaultId++}` };
		this.faults.push(added);
		return added;
	}

	/** The first fault for this number that should fire now, counted down; undefined when none. */
	takeFault(waId: string | undefined, which: (fault: Fault) => boolean): Fault | undefined {
		const fault = this.faults.find((f) => which(f) && (f.waId === undefined || f.waId === waId));
		if (!fault) return undefined;
		fault.remaining -= 1;
		if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
		return fault;
	}

	addDelivery(delivery: Omit<WebhookDelivery, 'id' | 'attempts' | 'outcome'>): WebhookDelivery {
		const added: WebhookDelivery = { ...delivery, id: this.nextDeliveryId++, attempts: [], outcome: 'pending' };
		this.webhooks.push(added);
		return added;
	}

	reset(): void {
		this.outbound.clear();
		this.inbound.clear();
		this.phones.clear();
		this.faults = [];
		this.webhooks.length = 0;
	}
}
