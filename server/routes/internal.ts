import { timingSafeEqual, createHash } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import type { PushDispatcher } from '../dispatcher/dispatcher';
import { jsonBodyOr400, methodNotAllowed, requireJson } from '../http/json-answers';
import type { Purger } from '../purge';

/** Constant-time comparison of a presented secret with the configured one. */
export function secretsMatch(presented: string, expected: string): boolean {
	// Hashing first gives equal lengths, so the comparison time does not reveal the length.
	const a = createHash('sha256').update(presented).digest();
	const b = createHash('sha256').update(expected).digest();
	return timingSafeEqual(a, b);
}

export interface InternalSecrets {
	/** INTERNAL_API_SECRET: the seed's Bearer token for operators and schedulers. */
	internal?: string;
	/** CRON_SECRET: the Bearer token Vercel Cron sends on its own. */
	cron?: string;
}

/**
 * Lets a request through with a valid Bearer token (either secret), and a body, if any, that is
 * the JSON it claims to be; answers 503 when no secret is configured, 401 otherwise.
 */
function bearerOnly(secrets: InternalSecrets): RequestHandler {
	const configured = [secrets.internal, secrets.cron].filter((s): s is string => Boolean(s));
	return (req, res, next) => {
		if (configured.length === 0) {
			res.status(503).json({ success: false, error: 'not_configured', message: 'Neither INTERNAL_API_SECRET nor CRON_SECRET is set' });
			return;
		}
		const auth = req.headers.authorization ?? '';
		const presented = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
		// Every configured secret is compared, so the time taken does not say which one matched.
		const matches = configured.map((secret) => presented !== '' && secretsMatch(presented, secret));
		if (!matches.includes(true)) {
			res.status(401).set('www-authenticate', 'Bearer').json({ success: false, error: 'unauthorized', message: 'A valid Bearer token is required' });
			return;
		}
		// It takes no input; a body, if sent, must still be the JSON it claims to be.
		if (Buffer.isBuffer(req.body) && req.body.length > 0 && (!requireJson(req, res) || !jsonBodyOr400(req.body, res))) return;
		next();
	};
}

/**
 * /api/internal — the seed's outbox processor: delivers what is due now and answers the seed's
 * summary. The same dispatcher also runs continuously in a long-lived server; this is for
 * operators, for deployments that keep an external scheduler, and for Vercel Cron, which calls
 * with GET (the seed's POST works the same way). /api/internal/purge runs one purge of expired
 * tokens and old delivery ids, for a deployment with no timer of its own (a Vercel Function).
 */
export function internalRoutes(secrets: InternalSecrets, dispatcher: PushDispatcher | undefined, purger?: Purger): Router {
	const guard = bearerOnly(secrets);
	const body = express.raw({ type: () => true, limit: '4kb' });
	const dispatch = async (_req: Request, res: Response) => {
		if (!dispatcher) {
			res.status(503).json({
				success: false,
				error: 'not_configured',
				message: 'The push dispatcher needs N8N_WEBHOOK_BASE_URL and WEBHOOK_SECRET',
			});
			return;
		}
		const summary = await dispatcher.runOnce();
		res.json({ success: !summary.endpointGone, processed: summary.processed, failed: summary.failed, errors: summary.errors });
	};
	const purge = async (_req: Request, res: Response) => {
		if (!purger) {
			res.status(503).json({ success: false, error: 'not_configured', message: 'This server does not purge on request' });
			return;
		}
		res.json({ success: true, ...(await purger.runOnce()) });
	};
	const router = Router();
	for (const [path, work] of [
		['/api/internal', dispatch],
		['/api/internal/purge', purge],
	] as const) {
		router
			.route(path)
			// Express would run GET's handler for HEAD too: a HEAD must not deliver or delete anything.
			.head(methodNotAllowed('GET, POST'))
			.get(guard, work)
			.post(body, guard, work)
			.all(methodNotAllowed('GET, POST'));
	}
	return router;
}
