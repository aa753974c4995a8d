import { Router } from 'express';
import type pg from 'pg';
import { describeSchemaStatus, schemaStatus } from '../../core/db/schema-version';

export function healthRoutes(pool: pg.Pool): Router {
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
			res.status(503).json({ status: 'not_ready', reason: `database unreachable: ${(error as Error).message}` });
		}
	});

	return router;
}
