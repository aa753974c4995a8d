import type pg from 'pg';
import { classifyFailure, parseRetryAfter } from '../../core/outbox/classify';
import { ackEvents, failEvent, releaseEvents, type FailOutcome } from '../../core/outbox/operations';
import type { ClaimedEvent } from '../../core/outbox/types';
import { sign } from '../../core/signatures';
import type { Logger } from '../logger';
import type { GuestKeyRing } from '../../core/resort/guest-crypto';
import { readyToSend } from '../../core/resort/ready-to-send';

export interface PushTarget {
	url: string;
	/** Opens guests' encrypted phone numbers before the message leaves (resort channel). */
	guestKeys?: GuestKeyRing;
	/** HMAC keys (core/signatures/secret-list.ts): the first one signs. */
	keys: Uint8Array[];
	timeoutMs: number;
}

/** Counts deliveries by result (barnum_push_deliveries_total in server/metrics.ts). */
export interface PushCounter {
	inc(labels: { result: 'sent' | 'failed' | 'gone' }, value?: number): void;
}

export interface PushSummary {
	processed: number;
	failed: number;
	errors: string[];
	/** The endpoint answered 410 Gone: stop delivering to it. */
	endpointGone: boolean;
}

/**
 * Delivers events to n8n (the seed's push design, done right): one signed POST per event with
 * Standard Webhooks headers and the seed's X-Webhook-Signature, X-Event-Id, X-Event-Type and
 * X-Idempotency-Key (= the event id, stable across retries, so n8n can de-duplicate). A 2xx acks;
 * 429 retries after Retry-After without spending a retry; 410 stops the dispatcher and hands the
 * events back; anything else retries with backoff until the retries are spent.
 */
export async function pushEvents(
	events: ClaimedEvent[],
	context: { pool: pg.Pool; target: PushTarget; consumerId: string; logger: Logger; counter?: PushCounter },
): Promise<PushSummary> {
	const summary: PushSummary = { processed: 0, failed: 0, errors: [], endpointGone: false };
	const delivered: Array<{ id: string }> = [];
	for (const event of events) {
		if (summary.endpointGone) break;
		const outcome = await postOne(event, context.target);
		if (outcome.ok) {
			delivered.push({ id: event.id });
			continue;
		}
		if (outcome.status === 410) {
			context.counter?.inc({ result: 'gone' });
			summary.endpointGone = true;
			break;
		}
		const failure = await failEvent(context.pool, {
			id: event.id,
			error: outcome.error,
			kind: outcome.status === undefined ? 'transient' : classifyFailure({ httpStatus: outcome.status }),
			retryAfterSeconds: outcome.retryAfterSeconds ?? null,
			consumerId: context.consumerId,
		});
		context.counter?.inc({ result: 'failed' });
		summary.failed += 1;
		summary.errors.push(describeFailure(event.id, failure, outcome.error));
	}
	if (delivered.length > 0) {
		await ackEvents(context.pool, delivered);
		context.counter?.inc({ result: 'sent' }, delivered.length);
		summary.processed += delivered.length;
	}
	if (summary.endpointGone) {
		const unsent = events.map((e) => e.id).filter((id) => !delivered.some((d) => d.id === id));
		await releaseEvents(context.pool, unsent, context.consumerId, 'push endpoint answered 410 Gone; dispatcher stopped');
		summary.errors.push(`${context.target.url} answered 410 Gone: the push dispatcher stopped; ${unsent.length} event(s) left in the queue`);
		context.logger.error({ url: context.target.url }, 'push endpoint is gone (410): dispatcher disabled');
	}
	return summary;
}

function describeFailure(id: string, failure: FailOutcome | undefined, error: string): string {
	if (failure?.status === 'dead_letter') {
		// The seed's wording: with max_retries 3, the fourth failure dead-letters "after 3 retries".
		return failure.reason === 'permanent failure'
			? `Event ${id} moved to dead_letter (permanent failure): ${error}`
			: `Event ${id} moved to dead_letter after ${failure.retryCount - 1} retries: ${error}`;
	}
	if (failure) return `Event ${id} will be retried at ${failure.scheduledFor.toISOString()}: ${error}`;
	return `Event ${id} failed and its lease had already passed to another consumer: ${error}`;
}

/**
 * The headers of one signed delivery: Standard Webhooks (webhook-id = the event id, so receivers
 * de-duplicate retries) and the seed's headers, X-Webhook-Signature included, for workflows
 * written against the seed.
 */
export function deliveryHeaders(body: string, key: Uint8Array, delivery: { id: string; eventType: string }): Record<string, string> {
	return {
		'content-type': 'application/json',
		'user-agent': 'Barnum-Dispatcher/1',
		...sign('standard-webhooks', {}, body, { secret: key, id: delivery.id }),
		...sign('barnum-legacy', {}, body, { secret: key }),
		'x-event-id': delivery.id,
		'x-event-type': delivery.eventType,
		'x-idempotency-key': delivery.id,
	};
}

type PostOutcome = { ok: true } | { ok: false; status?: number; error: string; retryAfterSeconds?: number };

async function postOne(event: ClaimedEvent, target: PushTarget): Promise<PostOutcome> {
	const body = JSON.stringify(readyToSend(event.message, target.guestKeys));
	const headers = deliveryHeaders(body, target.keys[0], { id: event.id, eventType: event.eventType });
	try {
		const response = await fetch(target.url, {
			method: 'POST',
			headers,
			body,
			redirect: 'manual',
			signal: AbortSignal.timeout(target.timeoutMs),
		});
		// Drain the body so the connection can be reused; its content does not matter.
		await response.arrayBuffer().catch(() => undefined);
		if (response.status >= 200 && response.status < 300) return { ok: true };
		return {
			ok: false,
			status: response.status,
			error: `HTTP ${response.status} from ${target.url}`,
			retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
		};
	} catch (error) {
		const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${target.timeoutMs} ms` : (error as Error).message;
		return { ok: false, error: `POST ${target.url} failed: ${reason}` };
	}
}
