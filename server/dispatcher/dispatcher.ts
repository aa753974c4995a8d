import { hostname } from 'node:os';
import type pg from 'pg';
import { OutboxConsumer } from '../../core/outbox/consumer';
import { claimEvents } from '../../core/outbox/operations';
import { secretKeys } from '../../core/signatures/secret-list';
import { parseGuestKeyRing } from '../../core/resort/guest-crypto';
import type { ServerConfig } from '../config';
import type { Logger } from '../logger';
import { type PushCounter, type PushSummary, type PushTarget, pushEvents } from './push-delivery';

/**
 * The push dispatcher: runs continuously inside the server (LISTEN-driven, so no CRON), and once
 * on demand for POST /api/internal. Configured by N8N_WEBHOOK_BASE_URL and WEBHOOK_SECRET.
 */
export class PushDispatcher {
	private consumer?: OutboxConsumer;
	private readonly consumerId = `barnum-push:${hostname()}:${process.pid}`;
	private readonly target: PushTarget;
	gone = false;

	constructor(
		private readonly pool: pg.Pool,
		private readonly config: ServerConfig['push'] & { secrets?: string; guestDataKey?: string },
		private readonly logger: Logger,
		/** barnum_push_deliveries_total; absent for a one-off `barnum dispatch`, which has no /metrics. */
		private readonly counter?: PushCounter,
	) {
		this.target = { url: config.url!, keys: secretKeys(config.secrets), timeoutMs: config.timeoutMs, guestKeys: parseGuestKeyRing(config.guestDataKey) };
	}

	static configured(config: ServerConfig): boolean {
		return Boolean(config.push.url && config.webhook.secrets);
	}

	async start(listen: { connectionString?: string; config?: pg.ClientConfig }): Promise<void> {
		this.consumer = new OutboxConsumer({
			pool: this.pool,
			listen,
			consumerId: this.consumerId,
			eventTypes: this.config.eventTypes,
			batchSize: this.config.batchSize,
			leaseSeconds: Math.max(30, Math.ceil((this.config.timeoutMs * this.config.batchSize) / 1000) + 10),
			pollIntervalMs: 30_000,
			logger: this.logger,
			handle: async (events) => {
				const summary = await this.deliver(events);
				if (summary.endpointGone) void this.stop();
			},
		});
		await this.consumer.start();
		this.logger.info({ url: this.target.url }, 'push dispatcher running');
	}

	private async deliver(events: Parameters<typeof pushEvents>[0]): Promise<PushSummary> {
		const summary = await pushEvents(events, { pool: this.pool, target: this.target, consumerId: this.consumerId, logger: this.logger, counter: this.counter });
		if (summary.endpointGone) this.gone = true;
		return summary;
	}

	/** One pass over everything due now, as the seed's /api/internal did (batches of PUSH_BATCH_SIZE). */
	async runOnce(maxBatches = 20): Promise<PushSummary> {
		const total: PushSummary = { processed: 0, failed: 0, errors: [], endpointGone: false };
		for (let i = 0; i < maxBatches && !total.endpointGone; i++) {
			const { events } = await claimEvents(this.pool, {
				consumerId: this.consumerId,
				limit: this.config.batchSize,
				leaseSeconds: Math.max(30, Math.ceil((this.config.timeoutMs * this.config.batchSize) / 1000) + 10),
				eventTypes: this.config.eventTypes,
			});
			if (events.length === 0) break;
			const summary = await this.deliver(events);
			total.processed += summary.processed;
			total.failed += summary.failed;
			total.errors.push(...summary.errors);
			total.endpointGone = summary.endpointGone;
			if (events.length < this.config.batchSize) break;
		}
		return total;
	}

	async stop(): Promise<void> {
		await this.consumer?.stop(10_000);
		this.consumer = undefined;
	}
}
