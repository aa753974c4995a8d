import { timingSafeEqual, createHash } from 'node:crypto';
import express, { Router } from 'express';
import type { PushDispatcher } from '../dispatcher/dispatcher';
import { jsonBodyOr400, methodNotAllowed, requireJson } from '../http/json-answers';

/** Constant-time comparison of a presented secret with the configured one. */
export function secretsMatch(presented: string, expected: string): boolean {
	// Hashing first gives equal lengths, so the comparison time does not reveal the length.
	const a = createHash('sha256').update(presented).digest();
	const b = createHash('sha256').update(expected).digest();
	return timingSafeEqual(a, b);
}

/**
 * POST /api/internal — the seed's outbox processor: delivers what is due now and answers the
 * seed's summary. The same dispatcher also runs continuously in the server; this is for operators
 * and for deployments that keep an external scheduler.
 */
export function internalRoutes(secret: string | undefined, dispatcher: PushDispatcher | undefined): Router {
	const router = Router();
	router.route('/api/internal').post(express.raw({ type: () => true, limit: '4kb' }), async (req, res) => {
		if (!secret) {
			res.status(503).json({ success: false, error: 'not_configured', message: 'INTERNAL_API_SECRET is not set' });
			return;
		}
		const auth = req.headers.authorization ?? '';
		const presented = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
		if (!presented || !secretsMatch(presented, secret)) {
			res.status(401).set('www-authenticate', 'Bearer').json({ success: false, error: 'unauthorized', message: 'A valid Bearer token is required' });
			return;
		}
		// It takes no input; a body, if sent, must still be the JSON it claims to be.
		if (Buffer.isBuffer(req.body) && req.body.length > 0 && (!requireJson(req, res) || !jsonBodyOr400(req.body, res))) return;
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
	}).all(methodNotAllowed('POST'));
	return router;
}
