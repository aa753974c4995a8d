import type pg from 'pg';
import type { CoreLogger } from '../db/types';
import { OutboxListener } from './listener';
import { ackEvents, claimEvents, extendLeases, nextDueAt } from './operations';
import { ReclaimSchedule } from './reclaim-schedule';
import type { ClaimedEvent } from './types';

/** What a handler may leave to the consumer: events delivered, to be acked with its next claim. */
export interface Settlement {
	ack: string[];
}

export interface ConsumerOptions {
	/** Claims, lease renewals and due-time lookups. */
	pool: pg.Pool;
	/** Where to LISTEN for wake-ups; false to rely on polling alone. */
	listen: { connectionString?: string; config?: pg.ClientConfig } | false;
	consumerId: string;
	eventTypes?: string[];
	batchSize: number;
	leaseSeconds: number;
	/** The backstop: the longest the consumer sleeps without checking. */
	pollIntervalMs: number;
	/** Batches handed out at once, each awaiting its handler. */
	maxInFlight?: number;
	/**
	 * Delivers a batch. It should ack, fail or skip each event, or return the ids it delivered in
	 * `ack`: the consumer then acks them in the transaction of its next claim, which follows at
	 * once since the batch's slot is free. Whatever is left leased is claimed again when the lease
	 * runs out (at-least-once delivery).
	 */
	handle: (events: ClaimedEvent[]) => Promise<void | Settlement>;
	logger: CoreLogger;
	/**
	 * Told once when the database has not answered for `afterMs`, counted from the first failed
	 * statement (the listener losing its connection makes the consumer try at once). Whether it
	 * answers again is checked just before telling. The consumer keeps retrying either way.
	 */
	outage?: { afterMs: number; report: (error: Error, downForMs: number) => void };
}

/**
 * Claims due events in batches and hands them to a handler. Woken by LISTEN/NOTIFY within
 * milliseconds of a commit, by a timer set to the next due event, and by polling as the
 * backstop; renews the leases of batches still being handled so long executions keep them.
 */
export class OutboxConsumer {
	private readonly listener?: OutboxListener;
	private stopped = true;
	private claiming = false;
	private wanted = false;
	/** The claim loop under way (or the last one): stop() awaits it, since it may still hand out a batch. */
	private pumping: Promise<void> = Promise.resolve();
	private timer?: NodeJS.Timeout;
	private heartbeat?: NodeJS.Timeout;
	private readonly inFlight = new Map<Promise<void>, string[]>();
	/** Delivered events whose ack rides on the next claim. */
	private acks: string[] = [];
	/** Acks taken by a statement still running (a slow or failing claim): leased to us until it commits. */
	private readonly acking = new Set<string[]>();
	private failures = 0;
	private readonly reclaim: ReclaimSchedule;
	/** When the database stopped answering, while it does not. */
	private downSince?: number;
	private outageTimer?: NodeJS.Timeout;
	private outageReported = false;

	constructor(private readonly options: ConsumerOptions) {
		this.reclaim = new ReclaimSchedule(options.leaseSeconds);
		if (options.listen) {
			this.listener = new OutboxListener({
				...options.listen,
				logger: options.logger,
				onNotify: () => this.wake(),
				onReconnect: () => this.wake(),
				// The first sign of a database going away: a claim now starts the outage clock.
				onLost: () => this.wake(),
			});
		}
	}

	async start(): Promise<void> {
		this.stopped = false;
		await this.listener?.start();
		const renewEvery = Math.max(1_000, (this.options.leaseSeconds * 1000) / 3);
		// Not unref'd: it is what keeps a process that only consumes alive while PostgreSQL restarts,
		// when every connection is gone and the timers left are the (unref'd) retries. stop() clears it.
		this.heartbeat = setInterval(() => void this.renewLeases(), renewEvery);
		this.wake();
	}

	/** Claim now (coalesced: many wake-ups while a claim runs cause one more claim). */
	wake(): void {
		if (this.stopped) return;
		this.wanted = true;
		if (!this.claiming) this.pumping = this.pump();
	}

	private get maxInFlight(): number {
		return this.options.maxInFlight ?? 1;
	}

	private async pump(): Promise<void> {
		this.claiming = true;
		try {
			while (!this.stopped && this.wanted && this.inFlight.size < this.maxInFlight) {
				this.wanted = false;
				const acks = this.takeAcks();
				const { events, reclaimed } = await this.settling(
					acks,
					claimEvents(this.options.pool, {
						consumerId: this.options.consumerId,
						limit: this.options.batchSize,
						leaseSeconds: this.options.leaseSeconds,
						eventTypes: this.options.eventTypes,
						ack: acks,
						reclaim: this.reclaim.next(),
					}),
				);
				this.failures = 0;
				this.reachable();
				this.reclaim.claimed(events.length, this.options.batchSize, reclaimed);
				if (events.length > 0) this.dispatch(events);
				// A full batch means more may be waiting right now.
				if (events.length === this.options.batchSize) this.wanted = true;
			}
			// Acks that arrived while the last claim ran, when no slot is free for another: waiting for
			// one could outlast their leases, which are no longer renewed.
			const acks = this.takeAcks();
			if (acks.length > 0) await this.settling(acks, ackEvents(this.options.pool, acks.map((id) => ({ id }))));
			if (!this.stopped && !this.wanted) await this.sleepUntilNextDue();
		} catch (error) {
			this.failures += 1;
			this.wanted = false;
			this.unreachable();
			const retryMs = Math.min(this.options.pollIntervalMs, 250 * 2 ** Math.min(this.failures, 8));
			this.options.logger.error({ err: (error as Error).message, retryMs }, 'outbox claim failed');
			this.arm(retryMs);
		} finally {
			this.claiming = false;
		}
		// A wake-up that arrived while we were looking up the next due time.
		if (this.wanted && !this.stopped && this.inFlight.size < this.maxInFlight) this.pumping = this.pump();
	}

	private dispatch(events: ClaimedEvent[]): void {
		const ids = events.map((e) => e.id);
		const run = this.options
			.handle(events)
			.then(async (settled) => {
				if (!settled || settled.ack.length === 0) return;
				// Stopping: no claim will follow to carry them.
				if (this.stopped) await this.ackNow(settled.ack);
				else this.acks.push(...settled.ack);
			})
			.catch((error: Error) => {
				// The events stay leased and come back when the lease runs out.
				this.options.logger.error({ err: error.message, events: ids.length }, 'outbox handler failed');
			})
			.finally(() => {
				this.inFlight.delete(run);
				this.wake();
			});
		this.inFlight.set(run, ids);
	}

	private takeAcks(): string[] {
		const acks = this.acks;
		this.acks = [];
		return acks;
	}

	/** Awaits a statement that acks `acks`; if it fails, nothing was committed and they wait for the next one. */
	private settling<T>(acks: string[], statement: Promise<T>): Promise<T> {
		this.acking.add(acks);
		return statement
			.catch((error: unknown) => {
				this.acks.unshift(...acks);
				return Promise.reject(error);
			})
			.finally(() => this.acking.delete(acks));
	}

	private async sleepUntilNextDue(): Promise<void> {
		const next = await nextDueAt(this.options.pool, this.options.eventTypes);
		this.reachable();
		const untilNext = next ? next.getTime() - Date.now() : Infinity;
		this.arm(Math.max(0, Math.min(this.options.pollIntervalMs, untilNext)));
	}

	private reachable(): void {
		this.downSince = undefined;
		this.outageReported = false;
		if (this.outageTimer) clearTimeout(this.outageTimer);
		this.outageTimer = undefined;
	}

	private unreachable(): void {
		const outage = this.options.outage;
		if (this.downSince !== undefined || !outage || outage.afterMs <= 0) {
			this.downSince ??= Date.now();
			return;
		}
		const since = (this.downSince = Date.now());
		this.outageTimer = setTimeout(() => void this.confirmOutage(since), outage.afterMs);
	}

	/**
	 * The database has not answered since `since`: asked once more (the claims back off, and it may
	 * have come back between two of them), and the outage reported if it still does not answer.
	 */
	private async confirmOutage(since: number): Promise<void> {
		if (this.stopped || this.downSince !== since || this.outageReported) return;
		const error = await nextDueAt(this.options.pool, this.options.eventTypes).then(
			() => undefined,
			(caught: Error) => caught,
		);
		if (this.stopped || this.downSince !== since) return;
		if (!error) {
			this.reachable();
			this.wake();
			return;
		}
		this.outageReported = true;
		this.options.logger.error({ err: error.message, downForMs: Date.now() - since }, 'outbox database unreachable');
		this.options.outage!.report(error, Date.now() - since);
	}

	private arm(ms: number): void {
		if (this.timer) clearTimeout(this.timer);
		if (this.stopped) return;
		this.timer = setTimeout(() => this.wake(), ms);
		this.timer.unref();
	}

	private async renewLeases(): Promise<void> {
		// Delivered events waiting in memory for their ack are still leased to us: a lease that ran
		// out before the ack went would hand them to another consumer, to be sent twice.
		const ids = [...this.inFlight.values(), this.acks, ...this.acking].flat();
		if (ids.length === 0) return;
		try {
			await extendLeases(this.options.pool, ids, this.options.consumerId, this.options.leaseSeconds);
		} catch (error) {
			this.options.logger.warn({ err: (error as Error).message }, 'could not renew outbox leases');
		}
	}

	/**
	 * Stops claiming and waits for the batches in flight to be handled, at most `waitMs`: what is
	 * still running after that keeps its lease until it ends and is delivered again if unsettled.
	 */
	async stop(waitMs = Infinity): Promise<void> {
		this.stopped = true;
		if (this.timer) clearTimeout(this.timer);
		if (this.outageTimer) clearTimeout(this.outageTimer);
		await this.listener?.stop();
		// A claim under way when stop() was called still returns its batch, which is handed to the
		// handler like the others: wait for the claim, then for every batch in flight.
		const running = this.pumping.then(() => Promise.all([...this.inFlight.keys()]));
		if (Number.isFinite(waitMs)) {
			let timeout: NodeJS.Timeout | undefined;
			await Promise.race([running, new Promise<void>((resolve) => (timeout = setTimeout(resolve, waitMs)))]);
			clearTimeout(timeout);
		} else {
			await running;
		}
		if (this.heartbeat) clearInterval(this.heartbeat);
		// No claim follows to carry the last acks.
		await this.ackNow(this.takeAcks());
	}

	private async ackNow(ids: string[]): Promise<void> {
		if (ids.length === 0) return;
		try {
			await ackEvents(this.options.pool, ids.map((id) => ({ id })));
		} catch (error) {
			this.options.logger.error({ err: (error as Error).message, events: ids.length }, 'could not ack delivered outbox events; they will be delivered again');
		}
	}

	get listening(): boolean {
		return this.listener?.connected ?? false;
	}
}
