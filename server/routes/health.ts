import { Router } from 'express';
import type pg from 'pg';
import { contractProblems } from '../../core/db/contract-problems';
import { describeSchemaStatus, schemaStatus } from '../../core/db/schema-version';
import { methodNotAllowed } from '../http/json-answers';
import type { Logger } from '../logger';

export function healthRoutes(pool: pg.Pool, logger: Logger): Router {
	const router = Router();

	// Liveness: the process answers. Never touches the database, so a slow database does not
	// get the process restarted.
	router
		.route('/healthz')
		.get((_req, res) => {
			res.json({ status: 'ok' });
		})
		.all(methodNotAllowed('GET, HEAD'));

	// The contract check reads the business's appointments (statuses that map to nothing), so a
	// probe every few seconds reuses its last answer for a while.
	let contract: { at: number; problems: string[] } | undefined;
	const CONTRACT_CHECK_MS = 30_000;

	// Readiness: the database answers, carries the schema this build expects, and the appointment
	// contract holds.
	router.route('/readyz').get(async (_req, res) => {
		try {
			const status = await schemaStatus(pool);
			if (status.state !== 'current') {
				res.status(503).json({ status: 'not_ready', reason: describeSchemaStatus(status) });
				return;
			}
			if (!contract || Date.now() - contract.at > CONTRACT_CHECK_MS) contract = { at: Date.now(), problems: await contractProblems(pool) };
			if (contract.problems.length > 0) {
				res.status(503).json({ status: 'not_ready', reason: `the appointment contract does not hold: ${contract.problems.join('; ')}` });
				return;
			}
			res.json({ status: 'ready', schemaVersion: status.version });
		} catch (error) {
			// The driver's text names hosts, databases and logins; /readyz answers anyone who can
			// reach it, so the detail goes to the log only.
			logger.error({ err: error }, 'readiness check failed: database unavailable');
			res.status(503).json({ status: 'not_ready', reason: 'database unavailable' });
		}
	}).all(methodNotAllowed('GET, HEAD'));

	return router;
}
