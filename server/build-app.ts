import type express from 'express';
import type pg from 'pg';
import { createApp } from './app';
import type { ServerConfig } from './config';
import { PushDispatcher } from './dispatcher/dispatcher';
import type { Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { Purger } from './purge';

export interface BuiltApp {
	app: express.Express;
	/** Set when N8N_WEBHOOK_BASE_URL and WEBHOOK_SECRET are: /api/internal runs it once, `barnum serve` also continuously. */
	dispatcher?: PushDispatcher;
	metrics: Metrics;
}

/**
 * The companion server's HTTP surface over an open pool, with its push dispatcher (not started)
 * and metrics: what `barnum serve` listens with and what the Vercel function answers with.
 */
export function buildApp(pool: pg.Pool, config: ServerConfig, logger: Logger, prelude?: express.RequestHandler[]): BuiltApp {
	// One registry for the routes and the dispatcher, so /metrics shows what the dispatcher did.
	const metrics = createMetrics(pool);
	let dispatcher: PushDispatcher | undefined;
	if (PushDispatcher.configured(config)) {
		dispatcher = new PushDispatcher(pool, { ...config.push, secrets: config.webhook.secrets, guestDataKey: config.guestDataKey }, logger, metrics.pushDeliveries);
	} else if (config.push.url) {
		logger.warn('N8N_WEBHOOK_BASE_URL is set but WEBHOOK_SECRET is not: the push dispatcher will not sign, so it stays off');
	}
	if (!config.webhook.secrets) logger.warn('WEBHOOK_SECRET is not set: POST /api/webhook refuses every request');
	// For /api/internal/purge only: its timer is started by `barnum serve`, on a Purger of its own.
	const purger = new Purger(pool, config.purge, logger);
	return { app: createApp({ pool, config, logger, dispatcher, metrics, purger, prelude }), dispatcher, metrics };
}
