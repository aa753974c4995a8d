import express from 'express';
import type pg from 'pg';
import type { ServerConfig } from './config';
import type { PushDispatcher } from './dispatcher/dispatcher';
import type { Logger } from './logger';
import { healthRoutes } from './routes/health';
import { internalRoutes } from './routes/internal';
import { webhookRoutes } from './routes/webhook';

export interface AppContext {
	pool: pg.Pool;
	config: ServerConfig;
	logger: Logger;
	dispatcher?: PushDispatcher;
}

/** The companion server's HTTP surface. Each route module adds itself here. */
export function createApp(context: AppContext): express.Express {
	const app = express();
	app.disable('x-powered-by');
	app.use(healthRoutes(context.pool));
	app.use(webhookRoutes(context.pool, context.config.webhook, context.logger));
	app.use(internalRoutes(context.config.internalApiSecret, context.dispatcher));
	return app;
}
