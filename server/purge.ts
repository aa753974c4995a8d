import type pg from 'pg';
import { purgeExpiredTokens } from '../core/action-links/purge';
import { purgeOldDeliveries } from '../core/webhooks/deliveries';
import type { ServerConfig } from './config';
import type { Logger } from './logger';

export interface PurgeResult {
	tokens: number;
	webhookDeliveries: number;
}

/**
 * Keeps the two tables that only ever grow in check: action-link tokens long expired, and
 * webhook delivery ids older than any sender retries. Runs when the server starts and then every
 * PURGE_INTERVAL_MINUTES; several instances purging at once is harmless (the DELETEs are idempotent).
 */
export class Purger {
	private timer?: NodeJS.Timeout;
	private running?: Promise<void>;

	constructor(
		private readonly pool: pg.Pool,
		private readonly options: ServerConfig['purge'],
		private readonly logger: Logger,
	) {}

	start(): void {
		this.tick();
		this.timer = setInterval(() => this.tick(), this.options.intervalMinutes * 60_000);
		// A pending purge is no reason to keep the process alive.
		this.timer.unref();
	}

	/** One purge now; resolves with what it removed. */
	async runOnce(): Promise<PurgeResult> {
		const tokens = await purgeExpiredTokens(this.pool, this.options.tokenRetentionDays);
		const webhookDeliveries = await purgeOldDeliveries(this.pool, this.options.deliveryRetentionDays);
		const result = { tokens, webhookDeliveries };
		if (tokens + webhookDeliveries > 0) this.logger.info(result, 'purged expired action-link tokens and old webhook deliveries');
		else this.logger.debug(result, 'purge: nothing to remove');
		return result;
	}

	/** Resolves when the purge in progress, if any, has finished. */
	async settled(): Promise<void> {
		await this.running;
	}

	async stop(): Promise<void> {
		clearInterval(this.timer);
		this.timer = undefined;
		await this.settled();
	}

	private tick(): void {
		// A purge slower than the interval is not run twice at once.
		if (this.running) return;
		this.running = this.runOnce()
			.then(
				() => undefined,
				(error: unknown) => this.logger.warn({ err: error }, 'purge failed; it runs again at the next interval'),
			)
			.finally(() => {
				this.running = undefined;
			});
	}
}
