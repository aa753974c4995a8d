import { Router } from 'express';
import type pg from 'pg';
import { describeSchemaStatus, schemaStatus } from '../../core/db/schema-version';
import type { Logger } from '../logger';

export function healthRoutes(pool: pg.Pool, logger: Logger): Router {
	const router = Router();

	// Liveness: the process answers. Never touches the database, so a slow database does not
	// get the process restarted.
	router.get('/healthz', (_req, res) => {
		res.json({ status: 'ok' });
	});

	// Readiness: the database answers and carries the schema this build expects.
	router.get('/readyz', async (_req, res) => {
		try {
			const status = await schemaStatus(pool);
			if (status.state === 'current') {
				res.json({ status: 'ready', schemaVersion: status.version });
			} else {
				res.status(503).json({ status: 'not_ready', reason: describeSchemaStatus(status) });
			}
		} catch (error) {
			// The driver's text names hosts, databases and logins; /readyz answers anyone who can
			// reach it, so the detail goes to the log only.
			logger.error({ err: error }, 'readiness check failed: database unavailable');
			res.status(503).json({ status: 'not_ready', reason: 'database unavailable' });
		}
	});

	return router;
}
