import express from 'express';
import type pg from 'pg';
import type { ServerConfig } from './config';
import type { PushDispatcher } from './dispatcher/dispatcher';
import { errorHandler } from './http/error-handler';
import { ipAllowlist } from './http/ip-allowlist';
import { methodNotAllowed } from './http/json-answers';
import { perIpLimit } from './http/rate-limit';
import { echoRequestId, requestLog } from './http/request-log';
import { apiHeaders } from './http/security-headers';
import type { Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import type { Purger } from './purge';
import { actionRoutes } from './routes/action';
import { bookingWebhookRoutes } from './routes/booking-webhook';
import { healthRoutes } from './routes/health';
import { homeRoutes, unservedPath } from './routes/home';
import { internalRoutes } from './routes/internal';
import { teamRoutes } from './routes/team';
import { webhookRoutes } from './routes/webhook';

export interface AppContext {
	pool: pg.Pool;
	config: ServerConfig;
	logger: Logger;
	dispatcher?: PushDispatcher;
	metrics?: Metrics;
	/** Runs /api/internal/purge; absent: that route answers 503. */
	purger?: Purger;
	/** Run before every route, after the request log: the Vercel function reads the body here (server/vercel/). */
	prelude?: express.RequestHandler[];
}

/** The companion server's HTTP surface. Each route module adds itself here. */
export function createApp(context: AppContext): express.Express {
	const { pool, config, logger } = context;
	const metrics = context.metrics ?? createMetrics(pool);
	const app = express();
	app.disable('x-powered-by');
	// Every response is no-store and most are unique: an ETag would never be used.
	app.set('etag', false);
	app.set('trust proxy', config.trustProxy);
	app.use(requestLog(logger));
	app.use(metrics.timing);
	if (context.prelude?.length) app.use(...context.prelude);

	// The patient pages first: the busiest route, so it does not walk past the others on every request.
	app.use(
		actionRoutes(pool, {
			nonceSecret: config.actionNonceSecret,
			perMinute: config.rateLimits.actionPerMinute,
			metrics,
			logger,
			preparedStatements: config.preparedStatements,
		}),
	);
	app.use(teamRoutes(pool, { nonceSecret: config.actionNonceSecret, perMinute: config.rateLimits.actionPerMinute, logger }));
	// The pages send the request id in their head; every other route gets it here.
	app.use(echoRequestId());
	app.use(['/healthz', '/readyz', '/metrics'], ...apiHeaders());
	app.use(healthRoutes(pool, logger));
	app
		.route('/metrics')
		.get(async (_req, res) => {
			res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
		})
		.all(methodNotAllowed('GET, HEAD'));
	app.use('/api/webhook', ...apiHeaders());
	app.use(
		webhookRoutes(pool, config.webhook, logger, metrics, [
			ipAllowlist(config.webhookIpAllowlist),
			perIpLimit(config.rateLimits.webhookPerMinute, (retryAfter) => ({
				success: false,
				error: 'rate_limited',
				message: `Too many requests; retry in ${retryAfter} s`,
			})),
		]),
	);
	app.use('/api/bookings', ...apiHeaders());
	app.use(
		bookingWebhookRoutes(pool, {
			config: config.booking,
			guestDataKey: config.guestDataKey,
			logger,
			metrics,
			guards: [
				ipAllowlist(config.booking.ipAllowlist),
				perIpLimit(config.booking.perMinute, (retryAfter) => ({
					success: false,
					error: 'rate_limited',
					message: `Too many requests; retry in ${retryAfter} s`,
				})),
			],
		}),
	);
	app.use('/api/internal', ...apiHeaders());
	app.use(internalRoutes({ internal: config.internalApiSecret, cron: config.cronSecret }, context.dispatcher, context.purger));
	app.use(homeRoutes());
	// What no route took: JSON with the API's headers (not Express's bare HTML page), logged at info.
	app.use(...apiHeaders(), unservedPath());
	app.use(errorHandler(logger));
	return app;
}
