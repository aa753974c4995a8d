import type pg from 'pg';
import { sql } from '../db/sql';
import { inTransaction } from '../db/transaction';
import type { Queryable } from '../db/types';
import { recordUnreachable, UNREACHABLE_CODE } from '../attention/record';
import { classifyFailure } from '../outbox/classify';
import { ackEvents, failEvent, type FailOutcome } from '../outbox/operations';
import type { FailureKind } from '../outbox/types';
import { sendMessage, templatePayload, textPayload } from './client';
import { WhatsAppApiError } from './errors';
import { InvalidRecipientError, invalidRecipient } from './recipient';
import type { SendResult, TemplateMessage, WhatsAppSender } from './types';

const TEMPLATE_MISSING = 132001;

export interface DeliveryOutcome {
	sent: boolean;
	wamid?: string;
	/** Set when the template was missing and the fallback text went out instead. */
	usedFallback?: boolean;
	error?: { message: string; code?: number; httpStatus?: number; kind: FailureKind };
	/** What happened to the outbox event the message carried, when there was one. */
	event?: { id: string; status: 'sent' | 'pending' | 'dead_letter' | 'not_leased'; retryAt?: Date };
}

/**
 * Sends a template and, when the message carries an outbox event, settles the event in the same
 * step: acked with the wamid, or failed through the engine (retry with backoff, throttling, or
 * dead letter for permanent errors such as 131026 and a missing template). A missing template
 * falls back to `fallbackText` when one is given (the resort properties' fallback message).
 */
export async function deliverTemplate(
	db: Queryable,
	sender: WhatsAppSender,
	message: TemplateMessage,
	options: { eventId?: string | null; fallbackText?: string | null } = {},
): Promise<DeliveryOutcome> {
	const result = await send(sender, { message, ...options });
	if (!result.ok) return settleFailure(db, result.error, options.eventId ?? null);
	const { wamid } = result.value;
	await db.query(sql('message-sent'), [wamid, options.eventId ?? null, message.template]);
	if (!options.eventId) return { sent: true, wamid, usedFallback: result.usedFallback };
	const [ack] = await ackEvents(db, [{ id: options.eventId, messageId: wamid }]);
	return {
		sent: true,
		wamid,
		usedFallback: result.usedFallback,
		event: { id: options.eventId, status: ack.outcome === 'sent' ? 'sent' : 'not_leased' },
	};
}

export interface TemplateDelivery {
	message: TemplateMessage;
	eventId?: string | null;
	fallbackText?: string | null;
	/** The WhatsApp number to send from instead of the credential's (the appointment's location's). */
	phoneNumberId?: string | null;
}

export interface BatchOptions {
	/** Requests to the Cloud API in flight at once. */
	concurrency?: number;
	/** Successful sends settled together, in one transaction. */
	settleEvery?: number;
}

/**
 * deliverTemplate for many messages at once (what one batch execution of the Outbox Trigger
 * hands the Barnum node), with the same outcome per message, in input order. One after another,
 * each message waits for Meta's answer and then for two database commits, which caps a batch at
 * a few hundred messages a second. Here up to `concurrency` requests are in flight, and the
 * successes are settled in groups of `settleEvery`: their wamids
 * recorded and their events acked in one transaction, while the next group is being sent. The
 * window for a duplicate message after a crash grows from one send to one group's sends.
 */
export async function deliverTemplates(
	pool: pg.Pool,
	sender: WhatsAppSender,
	deliveries: TemplateDelivery[],
	options: BatchOptions = {},
): Promise<DeliveryOutcome[]> {
	const concurrency = Math.max(1, options.concurrency ?? 16);
	const groupSize = Math.max(1, options.settleEvery ?? 100);
	const outcomes: DeliveryOutcome[] = new Array(deliveries.length);
	let settling: Promise<void> = Promise.resolve();
	// Once the database refuses a settlement, nothing more is sent: the events still leased are
	// failed by the caller (or come back when their lease ends).
	let refused: { error: unknown } | undefined;
	for (let start = 0; start < deliveries.length && !refused; start += groupSize) {
		const indexes = deliveries.slice(start, start + groupSize).map((_, i) => start + i);
		const results = await mapLimited(indexes, concurrency, (i) => send(sender, deliveries[i]));
		settling = settling
			.then(() => (refused ? undefined : settleGroup(pool, deliveries, indexes, results, outcomes)))
			.catch((error: unknown) => {
				refused ??= { error };
			});
	}
	await settling;
	if (refused) throw refused.error;
	return outcomes;
}

async function settleGroup(
	pool: pg.Pool,
	deliveries: TemplateDelivery[],
	indexes: number[],
	results: SendAttempt[],
	outcomes: DeliveryOutcome[],
): Promise<void> {
	const sent: Array<{ index: number; wamid: string; usedFallback: boolean }> = [];
	for (const [k, index] of indexes.entries()) {
		const result = results[k];
		if (result.ok) sent.push({ index, wamid: result.value.wamid, usedFallback: result.usedFallback });
		else outcomes[index] = await settleFailure(pool, result.error, deliveries[index].eventId ?? null);
	}
	if (sent.length === 0) return;
	const acked = await inTransaction(pool, async (client) => {
		for (const s of sent) await client.query(sql('message-sent'), [s.wamid, deliveries[s.index].eventId ?? null, deliveries[s.index].message.template]);
		const acks = sent.filter((s) => deliveries[s.index].eventId).map((s) => ({ id: deliveries[s.index].eventId!, messageId: s.wamid }));
		return ackEvents(client, acks);
	});
	const outcomeById = new Map(acked.map((a) => [a.id, a.outcome]));
	for (const s of sent) {
		const eventId = deliveries[s.index].eventId;
		outcomes[s.index] = {
			sent: true,
			wamid: s.wamid,
			usedFallback: s.usedFallback,
			...(eventId ? { event: { id: eventId, status: outcomeById.get(eventId) === 'sent' ? ('sent' as const) : ('not_leased' as const) } } : {}),
		};
	}
}

/** Runs `work` over `items` with at most `limit` running at once; results in input order. */
async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
	const results: R[] = new Array(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const i = next++;
			results[i] = await work(items[i]);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
	return results;
}

type SendAttempt = ({ ok: true; value: SendResult } | { ok: false; error: unknown }) & { usedFallback: boolean };

/** The template, or its fallback text when the template does not exist (132001) and one is given. */
async function send(sender: WhatsAppSender, delivery: TemplateDelivery): Promise<SendAttempt> {
	const invalid = invalidRecipient(delivery.message.to);
	if (invalid) return { ok: false, error: new InvalidRecipientError(invalid), usedFallback: false };
	const from = delivery.phoneNumberId ? { ...sender, phoneNumberId: delivery.phoneNumberId } : sender;
	const result = await attempt(sendMessage(from, templatePayload(delivery.message)));
	if (!result.ok && result.error instanceof WhatsAppApiError && result.error.code === TEMPLATE_MISSING && delivery.fallbackText) {
		const fallback = await attempt(sendMessage(from, textPayload(delivery.message.to, delivery.fallbackText)));
		return { ...fallback, usedFallback: fallback.ok };
	}
	return { ...result, usedFallback: false };
}

function attempt<T>(work: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
	return work.then(
		(value) => ({ ok: true as const, value }),
		(error: unknown) => ({ ok: false as const, error }),
	);
}

async function settleFailure(db: Queryable, error: unknown, eventId: string | null): Promise<DeliveryOutcome> {
	const api = error instanceof WhatsAppApiError ? error : new WhatsAppApiError((error as Error).message, undefined, undefined);
	// No retry can fix the number: dead-letter now rather than spend every retry on it.
	const kind = classifyFailure({ whatsappCode: api.code, httpStatus: api.httpStatus, kind: api instanceof InvalidRecipientError ? 'permanent' : undefined });
	const outcome: DeliveryOutcome = { sent: false, error: { message: api.summary, code: api.code, httpStatus: api.httpStatus, kind } };
	if (!eventId) return outcome;
	const failed: FailOutcome | undefined = await failEvent(db, { id: eventId, error: api.summary, kind, retryAfterSeconds: api.retryAfterSeconds ?? null });
	outcome.event = failed ? { id: eventId, status: failed.status, retryAt: failed.status === 'pending' ? failed.scheduledFor : undefined } : { id: eventId, status: 'not_leased' };
	// No retry reaches a number that is not on WhatsApp: the team is told to reach the patient another way.
	if (api.code === UNREACHABLE_CODE) await recordUnreachable(db, { eventId, error: api.summary });
	return outcome;
}
