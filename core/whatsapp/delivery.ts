import { sql } from '../db/sql';
import type { Queryable } from '../db/types';
import { classifyFailure } from '../outbox/classify';
import { ackEvents, failEvent, type FailOutcome } from '../outbox/operations';
import type { FailureKind } from '../outbox/types';
import { sendMessage, templatePayload, textPayload } from './client';
import { WhatsAppApiError } from './errors';
import type { TemplateMessage, WhatsAppConfig } from './types';

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
	config: WhatsAppConfig,
	message: TemplateMessage,
	options: { eventId?: string | null; fallbackText?: string | null } = {},
): Promise<DeliveryOutcome> {
	let result = await attempt(sendMessage(config, templatePayload(message)));
	let usedFallback = false;
	if (!result.ok && result.error instanceof WhatsAppApiError && result.error.code === TEMPLATE_MISSING && options.fallbackText) {
		result = await attempt(sendMessage(config, textPayload(message.to, options.fallbackText)));
		usedFallback = result.ok;
	}
	if (!result.ok) return settleFailure(db, result.error, options.eventId ?? null);
	const { wamid } = result.value;
	await db.query(sql('message-sent'), [wamid, options.eventId ?? null, message.template]);
	if (!options.eventId) return { sent: true, wamid, usedFallback };
	const [ack] = await ackEvents(db, [{ id: options.eventId, messageId: wamid }]);
	return {
		sent: true,
		wamid,
		usedFallback,
		event: { id: options.eventId, status: ack.outcome === 'sent' ? 'sent' : 'not_leased' },
	};
}

function attempt<T>(work: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
	return work.then(
		(value) => ({ ok: true as const, value }),
		(error: unknown) => ({ ok: false as const, error }),
	);
}

async function settleFailure(db: Queryable, error: unknown, eventId: string | null): Promise<DeliveryOutcome> {
	const api = error instanceof WhatsAppApiError ? error : new WhatsAppApiError((error as Error).message, undefined, undefined);
	const kind = classifyFailure({ whatsappCode: api.code, httpStatus: api.httpStatus });
	const outcome: DeliveryOutcome = { sent: false, error: { message: api.summary, code: api.code, httpStatus: api.httpStatus, kind } };
	if (!eventId) return outcome;
	const failed: FailOutcome | undefined = await failEvent(db, { id: eventId, error: api.summary, kind, retryAfterSeconds: api.retryAfterSeconds ?? null });
	outcome.event = failed ? { id: eventId, status: failed.status, retryAt: failed.status === 'pending' ? failed.scheduledFor : undefined } : { id: eventId, status: 'not_leased' };
	return outcome;
}
