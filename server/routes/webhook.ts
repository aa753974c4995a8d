import { Router, type Request, type RequestHandler, type Response } from 'express';
import type pg from 'pg';
import { explainDatabaseError } from '../../core/db/explain-error';
import { BarnumError } from '../../core/errors';
import { verifyWebhook, type VerificationResult } from '../../core/signatures';
import { secretKeys } from '../../core/signatures/secret-list';
import { PostgresDeliveryStore } from '../../core/webhooks/deliveries';
import { callbackSchema, describeIssues, performCallback } from '../../core/webhooks/callback';
import type { ServerConfig } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { jsonBodyOr400, methodNotAllowed, requireJson } from '../http/json-answers';
import { bodyBytes, rawBody } from './raw-body';

const SCOPE = 'api/webhook';
const STATUS_BY_CODE: Record<string, number> = { invalid_input: 400, not_found: 404, illegal_transition: 409, conflict: 409 };

/**
 * POST /api/webhook — the seed's unified callback. Signature required (Standard Webhooks by
 * default; the seed's X-Webhook-Signature when WEBHOOK_SIGNATURE_SCHEMES allows it), verified over
 * the raw bytes; idempotent by webhook-id / X-Idempotency-Key (a repeat gets the first answer).
 */
export function webhookRoutes(
	pool: pg.Pool,
	config: ServerConfig['webhook'],
	logger: Logger,
	metrics: Metrics,
	guards: RequestHandler[] = [],
): Router {
	const router = Router();
	const deliveries = new PostgresDeliveryStore(pool);
	const keys = secretKeys(config.secrets);

	router.route('/api/webhook').post(...guards, ...rawBody(config.bodyLimitBytes), async (req: Request, res: Response) => {
		let action = 'unknown';
		res.on('finish', () => metrics.webhookRequests.inc({ action, status: String(res.statusCode) }));
		if (keys.length === 0) {
			res.status(503).json({ success: false, error: 'not_configured', message: 'WEBHOOK_SECRET is not set: this endpoint accepts nothing' });
			return;
		}
		if (!requireJson(req, res)) return;
		const raw = bodyBytes(req.body);
		const verification = verify(req, raw, keys, config);
		if (!verification.ok) {
			logger.warn({ reason: verification.reason, schemes: config.schemes }, 'webhook signature rejected');
			metrics.signatureFailures.inc({ endpoint: '/api/webhook', reason: verification.reason });
			res.status(401).json({ success: false, error: 'invalid_signature', message: verification.message });
			return;
		}

		const payload = jsonBodyOr400(raw, res);
		if (!payload) return;
		const parsed = callbackSchema.safeParse(payload.body);
		if (!parsed.success) {
			res.status(400).json({ success: false, error: 'invalid_input', message: describeIssues(parsed.error) });
			return;
		}

		action = parsed.data.action;
		const deliveryId = verification.deliveryId ?? header(req, 'x-idempotency-key');
		if (deliveryId) {
			const claim = await deliveries.claim(SCOPE, deliveryId);
			if (!claim.claimed) {
				if (claim.status === 'processing') {
					res.status(409).json({ success: false, error: 'in_progress', message: `Delivery ${deliveryId} is being processed` });
				} else {
					res.status(claim.responseStatus ?? 200).set('idempotent-replayed', 'true').json(claim.responseBody);
				}
				return;
			}
		}

		let status: number;
		let body: unknown;
		try {
			const data = await performCallback(pool, parsed.data);
			status = 200;
			body = { success: true, message: 'Action completed successfully', data };
		} catch (caught) {
			const error = explainDatabaseError(caught);
			if (!(error instanceof BarnumError)) {
				if (deliveryId) await deliveries.release(SCOPE, deliveryId).catch(() => undefined);
				logger.error({ err: (error as Error).message, action: parsed.data.action }, 'webhook action failed');
				res.status(500).json({ success: false, error: 'internal_error', message: 'The action could not be completed; retry later' });
				return;
			}
			status = STATUS_BY_CODE[error.code] ?? 400;
			body = { success: false, error: error.code, message: error.message };
		}
		if (deliveryId) await deliveries.complete(SCOPE, deliveryId, status, body);
		logger.info({ action: parsed.data.action, status, deliveryId }, 'webhook action');
		res.status(status).json(body);
	}).all(methodNotAllowed('POST'));

	return router;
}

function header(req: Request, name: string): string | undefined {
	const value = req.headers[name];
	return typeof value === 'string' && value.length > 0 && value.length <= 256 ? value : undefined;
}

/**
 * Tries each allowed scheme. When none verifies, reports the failure of the scheme the sender
 * attempted (its headers were present) rather than "missing header" for another one.
 */
function verify(req: Request, raw: Buffer, keys: Uint8Array[], config: ServerConfig['webhook']): VerificationResult {
	const failures: VerificationResult[] = [];
	for (const scheme of config.schemes) {
		const result = verifyWebhook(scheme, { headers: req.headers, rawBody: raw, secrets: keys, toleranceSeconds: config.toleranceSeconds });
		if (result.ok) return result;
		failures.push(result);
	}
	return failures.find((f) => !f.ok && f.reason !== 'missing_header') ?? failures[0];
}
