import express from 'express';
import type pg from 'pg';
import { describeSchemaStatus, schemaStatus } from '../core/db/schema-version';

export interface AppContext {
	pool: pg.Pool;
}

/** The companion server's HTTP surface. Each route module adds itself here. */
export function createApp(context: AppContext): express.Express {
	const app = express();
	app.disable('x-powered-by');

	// Liveness: the process answers. Never touches the database, so a slow database does not
	// get the process restarted.
	app.get('/healthz', (_req, res) => {
		res.json({ status: 'ok' });
	});

	// Readiness: the database answers and carries the schema this build expects.
	app.get('/readyz', async (_req, res) => {
		try {
			const status = await schemaStatus(context.pool);
			if (status.state === 'current') {
				res.json({ status: 'ready', schemaVersion: status.version });
			} else {
				res.status(503).json({ status: 'not_ready', reason: describeSchemaStatus(status) });
			}
		} catch (error) {
			res.status(503).json({ status: 'not_ready', reason: `database unreachable: ${(error as Error).message}` });
		}
	});

	return app;
}
