import type pg from 'pg';
import type { CoreLogger } from '../db/types';
import { ackEvents, failEvent } from './operations';
import type { Settlement } from './consumer';
import type { ClaimedEvent, OutboundMessage } from './types';

/** When the Outbox Trigger marks events sent. */
export type AckMode = 'executionSucceeds' | 'immediately' | 'manually';
/** One n8n execution per event, or one per claimed batch (items = events). */
export type EmitMode = 'event' | 'batch';

/** How an execution ended: an error message when it failed, or `undefined` when it never ran. */
export type ExecutionOutcome = { error?: string } | undefined;

export interface TriggerDeliveryOptions {
	pool: pg.Pool;
	/** The consumer holding the leases: a failed run only fails events it still holds. */
	consumerId: string;
	ackMode: AckMode;
	emitMode: EmitMode;
	/** Starts one execution with these messages and resolves when it has finished. */
	emit: (messages: OutboundMessage[]) => Promise<ExecutionOutcome>;
	/**
	 * How long to wait for an execution's end. In n8n's queue mode, when the worker running an
	 * execution dies, n8n 2.40.7 may never report that execution's end to the main instance: without
	 * a limit its events would stay leased (renewed) forever and hold a Parallel Batches slot.
	 */
	waitMs?: number;
	logger: CoreLogger;
}

/**
 * Hands claimed events to n8n and settles them according to the acknowledgement mode:
 *  - executionSucceeds (default): sent when the execution succeeds, failed (retry with backoff)
 *    when it fails. Events the workflow already settled itself (the Barnum node acked them with
 *    a wamid, or failed them) are left as the workflow left them. The last execution of a batch
 *    to succeed leaves its ack to the consumer, which sends it with its next claim; executions
 *    that finish while others still run are acked at once.
 *  - immediately: sent before the execution runs (at-most-once: a failed run is not retried).
 *  - manually: the workflow settles them with the Barnum node; whatever it leaves leased comes back
 *    when the lease runs out.
 */
export async function deliverToWorkflow(events: ClaimedEvent[], options: TriggerDeliveryOptions): Promise<Settlement> {
	const groups = options.emitMode === 'batch' ? [events] : events.map((event) => [event]);
	if (options.ackMode === 'immediately') {
		await ackEvents(options.pool, events.map((e) => ({ id: e.id })));
	}
	let running = groups.length;
	const settled: Settlement = { ack: [] };
	await Promise.all(
		groups.map(async (group) => {
			const succeeded = await runOne(group, options);
			running -= 1;
			if (succeeded.length === 0) return;
			// Acked now unless nothing else is running: then the consumer's next claim follows at once.
			if (running === 0) settled.ack = succeeded;
			else await ackEvents(options.pool, succeeded.map((id) => ({ id })));
		}),
	);
	return settled;
}

/** Runs one execution and settles a failed one; returns the ids to ack when it succeeded. */
async function runOne(group: ClaimedEvent[], options: TriggerDeliveryOptions): Promise<string[]> {
	let outcome: ExecutionOutcome | 'no answer';
	let timer: NodeJS.Timeout | undefined;
	try {
		const ended = options.emit(group.map((e) => e.message));
		outcome = await (options.waitMs === undefined
			? ended
			: Promise.race([ended, new Promise<'no answer'>((resolve) => (timer = setTimeout(() => resolve('no answer'), options.waitMs)))]));
	} catch (error) {
		outcome = { error: `the execution could not start: ${(error as Error).message}` };
	} finally {
		clearTimeout(timer);
	}
	if (outcome === 'no answer') {
		// Settling now could ack what never ran or fail what is still running: the leases, no longer
		// renewed, run out and the events are delivered again (or stay as the execution settled them).
		options.logger.warn(
			{ events: group.length, waitSeconds: options.waitMs! / 1000 },
			'n8n did not report the end of the execution in time (in queue mode: was its worker stopped?); the events come back when their lease runs out',
		);
		return [];
	}
	if (options.ackMode !== 'executionSucceeds') return [];
	if (outcome === undefined) {
		// n8n did not run it (deduplicated): leave the lease to expire and deliver it again.
		options.logger.warn({ events: group.length }, 'n8n did not run the execution; the events will be delivered again');
		return [];
	}
	if (!outcome.error) return group.map((e) => e.id);
	const error = `n8n execution failed: ${outcome.error}`;
	for (const event of group) {
		await failEvent(options.pool, { id: event.id, error, kind: 'transient', consumerId: options.consumerId });
	}
	return [];
}
