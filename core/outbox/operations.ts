import { queryPrepared } from '../db/prepared';
import { sql } from '../db/sql';
import { type Business, composeMessage, type MessageRow, textTimestamps, timestampDate } from './message';
import type { Queryable } from '../db/types';
import type { ClaimResult, ClaimedEvent, FailureKind, OutboundMessage } from './types';

export interface ClaimOptions {
	consumerId: string;
	limit: number;
	leaseSeconds: number;
	/** Only these event types; undefined or empty for all. */
	eventTypes?: string[];
	/**
	 * Events to mark sent before claiming, in the same transaction (as ackEvents, without message
	 * ids): a consumer that finished an event and wants the next one makes one round trip and one
	 * commit instead of two. If the claim fails, they are not acked either.
	 */
	ack?: string[];
	/**
	 * Look for expired leases (events whose consumer died) before due events: true unless said
	 * otherwise. A busy consumer looks only now and then (OutboxConsumer), since the search is a
	 * statement of its own that almost never finds anything.
	 */
	reclaim?: boolean;
}

function typesParam(eventTypes: string[] | undefined): string[] | null {
	return eventTypes && eventTypes.length > 0 ? eventTypes : null;
}

interface ClaimRow extends MessageRow, Business {
	/** NULL on the last row, which carries the counts and the business settings. */
	id: string;
	retry_count: number;
	max_retries: number;
	locked_until: string;
	skipped_count: number;
	deferred_count: number;
	reclaimed_count: number;
}

/** Claims due events with a lease (FOR UPDATE SKIP LOCKED); see sql/queries/claim-events.sql. */
export async function claimEvents(db: Queryable, options: ClaimOptions): Promise<ClaimResult> {
	const { rows } = await queryPrepared<ClaimRow>(
		db,
		'claim-events',
		[typesParam(options.eventTypes), options.limit, options.leaseSeconds, options.consumerId, options.ack ?? null, options.reclaim ?? true],
		{ types: textTimestamps },
	);
	const last = rows[rows.length - 1];
	const events: ClaimedEvent[] = [];
	for (const row of rows) {
		if (row.id === null) continue;
		events.push({
			id: row.id,
			eventType: row.event_type,
			entityType: row.entity_type,
			entityId: row.entity_id,
			workflowId: row.workflow_id,
			attempt: row.attempts,
			retryCount: row.retry_count,
			maxRetries: row.max_retries,
			scheduledFor: timestampDate(row.scheduled_for),
			leaseExpiresAt: timestampDate(row.locked_until),
			message: composeMessage(row, last),
		});
	}
	return {
		events,
		skipped: last?.skipped_count ?? 0,
		deferred: last?.deferred_count ?? 0,
		reclaimed: last?.reclaimed_count ?? 0,
	};
}

export type AckOutcome = 'sent' | 'pending' | 'processing' | 'dead_letter' | 'skipped' | 'cancelled' | 'missing';

/** Marks events sent (idempotent). Returns each event's outcome: 'sent' unless it was not leased. */
export async function ackEvents(
	db: Queryable,
	acks: Array<{ id: string; messageId?: string | null }>,
): Promise<Array<{ id: string; outcome: AckOutcome }>> {
	if (acks.length === 0) return [];
	const { rows } = await queryPrepared<{ id: string; outcome: AckOutcome }>(db, 'ack-events', [
		acks.map((a) => a.id),
		acks.map((a) => a.messageId ?? null),
	]);
	return rows;
}

export interface FailOutcome {
	id: string;
	status: 'pending' | 'dead_letter';
	retryCount: number;
	/** When the retry is due (unchanged for a dead letter). */
	scheduledFor: Date;
	reason: string | null;
}

/** Records a failed delivery: retry with backoff and jitter, or dead letter. */
export async function failEvent(
	db: Queryable,
	failure: { id: string; error: string; kind: FailureKind; retryAfterSeconds?: number | null; consumerId?: string },
): Promise<FailOutcome | undefined> {
	const { rows } = await db.query(sql('fail-event'), [
		failure.id,
		failure.error,
		failure.kind,
		failure.retryAfterSeconds ?? null,
		failure.consumerId ?? null,
	]);
	const row = rows[0];
	if (!row) return undefined;
	return {
		id: row.id,
		status: row.status,
		retryCount: row.retry_count,
		scheduledFor: row.scheduled_for,
		reason: row.status_reason,
	};
}

/** Skips a pending or leased event with a reason. False when it was neither. */
export async function skipEvent(db: Queryable, id: string, reason: string): Promise<boolean> {
	const { rowCount } = await db.query(sql('skip-event'), [id, reason]);
	return rowCount === 1;
}

/** Re-queues dead letters: one by id, or by event type and/or since a time, or all. */
export async function replayDeadLetters(
	db: Queryable,
	filter: { id?: string; eventType?: string; since?: Date } = {},
): Promise<string[]> {
	const { rows } = await db.query<{ id: string }>(sql('replay-dead-letters'), [
		filter.id ?? null,
		filter.eventType ?? null,
		filter.since ?? null,
	]);
	return rows.map((r) => r.id);
}

/** Puts events this consumer holds back in the queue, due now, without spending a retry. */
export async function releaseEvents(db: Queryable, ids: string[], consumerId: string, reason: string): Promise<string[]> {
	if (ids.length === 0) return [];
	const { rows } = await db.query<{ id: string }>(sql('release-events'), [ids, consumerId, reason]);
	return rows.map((r) => r.id);
}

export async function extendLeases(db: Queryable, ids: string[], consumerId: string, leaseSeconds: number): Promise<string[]> {
	if (ids.length === 0) return [];
	const { rows } = await db.query<{ id: string }>(sql('extend-leases'), [ids, consumerId, leaseSeconds]);
	return rows.map((r) => r.id);
}

export interface EnqueueInput {
	eventType: string;
	entityType: string;
	entityId: string;
	workflowId?: string | null;
	scheduledFor?: Date | null;
	payload?: Record<string, unknown>;
	maxRetries?: number | null;
	/** A second enqueue with the same key does nothing (returns null). */
	dedupeKey?: string | null;
	respectQuietHours?: boolean;
}

export async function enqueueEvent(db: Queryable, input: EnqueueInput): Promise<string | null> {
	const { rows } = await db.query<{ id: string | null }>(sql('enqueue-event'), [
		input.eventType,
		input.entityType,
		input.entityId,
		input.workflowId ?? null,
		input.scheduledFor ?? null,
		input.payload ?? {},
		input.maxRetries ?? null,
		input.dedupeKey ?? null,
		input.respectQuietHours ?? true,
	]);
	return rows[0]?.id ?? null;
}

export async function getEvent(db: Queryable, id: string): Promise<Record<string, unknown> | undefined> {
	const { rows } = await db.query(sql('get-event'), [id]);
	return rows[0];
}

/** When the next event of these types becomes claimable, or null when none is waiting. */
export async function nextDueAt(db: Queryable, eventTypes?: string[]): Promise<Date | null> {
	const { rows } = await db.query<{ next_at: Date | null }>(sql('next-due'), [typesParam(eventTypes)]);
	return rows[0]?.next_at ?? null;
}

/** The message the next event would produce, without claiming it or creating tokens. */
export async function peekMessage(db: Queryable, eventTypes?: string[]): Promise<OutboundMessage | undefined> {
	const { rows } = await db.query<MessageRow & Business>({ text: sql('peek-event-message'), values: [typesParam(eventTypes)], types: textTimestamps });
	return rows[0] && composeMessage(rows[0], rows[0], true);
}
