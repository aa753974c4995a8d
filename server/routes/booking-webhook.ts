import { Router, type Request, type RequestHandler, type Response } from 'express';
import type pg from 'pg';
import { explainDatabaseError } from '../../core/db/explain-error';
import { BarnumError } from '../../core/errors';
import { adapt, adapterFor } from '../../core/resort/adapters';
import { parseGuestKeyRing } from '../../core/resort/guest-crypto';
import { recordBookingEvent } from '../../core/resort/record';
import { isTransientDatabaseError } from '../../core/resort/retry';
import { verifyWebhook, type SignatureScheme, type VerifyWebhookInput } from '../../core/signatures';
import { secretKeys } from '../../core/signatures/secret-list';
import type { ServerConfig } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { jsonBodyOr400, methodNotAllowed, requireJson } from '../http/json-answers';
import { bookingMetrics } from './booking-metrics';
import { bodyBytes, rawBody } from './raw-body';

const ENDPOINT = '/api/bookings/webhook';
const STATUS_BY_CODE: Record<string, number> = { invalid_input: 400, not_found: 404, illegal_transition: 409, conflict: 409 };

export interface BookingWebhookOptions {
	config: ServerConfig['booking'];
	guestDataKey?: string;
	logger: Logger;
	metrics: Metrics;
	/** IP allowlist and rate limit, run before anything is read. */
	guards?: RequestHandler[];
	/** Injected by tests: how a retry waits (the default sleeps). */
	sleep?: (ms: number) => Promise<void>;
}

/**
 * POST /api/bookings/webhook[/<platform>] — the resort booking-platform receiver (docs/resort.md).
 * Raw body → signature (401) → platform adapter and schema (400, or 200 "ignored") → recorded once
 * per platform event id, with database faults retried (3 attempts) before a 500. A repeated
 * delivery gets the first answer again, with `idempotent-replayed: true`, and changes nothing.
 */
export function bookingWebhookRoutes(pool: pg.Pool, options: BookingWebhookOptions): Router {
	const { config, logger } = options;
	const router = Router();
	const secrets = secretKeys(config.secrets);
	const keys = parseGuestKeyRing(options.guestDataKey);
	const counters = bookingMetrics(options.metrics.registry);

	router.route([ENDPOINT, `${ENDPOINT}/:platform`]).post(...(options.guards ?? []), ...rawBody(config.bodyLimitBytes), async (req: Request, res: Response) => {
		const platform = typeof req.params.platform === 'string' ? req.params.platform : 'barnum';
		const adapter = adapterFor(platform);
		let type = 'unknown';
		// Labels from fixed sets only: a name made up by an unauthenticated caller would add a series.
		const platformLabel = adapter ? platform : 'unknown';
		res.on('finish', () => counters.requests.inc({ platform: platformLabel, type, status: String(res.statusCode) }));
		const answer = (status: number, body: Record<string, unknown>, log: Record<string, unknown> = {}) => {
			const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
			logger[level]({ platform, type, status, ...log }, 'booking webhook');
			res.status(status).json(body);
		};

		if (!adapter) {
			answer(404, { success: false, error: 'unknown_platform', message: 'No such booking platform' }, { reason: 'unknown platform' });
			return;
		}
		if (secrets.length === 0 || !keys) {
			const message = 'BOOKING_WEBHOOK_SECRET and GUEST_DATA_KEY must both be set: this endpoint accepts nothing';
			answer(503, { success: false, error: 'not_configured', message }, { reason: message });
			return;
		}
		if (!requireJson(req, res, answer)) return;
		const raw = bodyBytes(req.body);
		const verification = verifyWebhook(config.signature.scheme, {
			headers: req.headers,
			rawBody: raw,
			secrets,
			toleranceSeconds: config.toleranceSeconds,
			...(config.signature.scheme === 'custom' ? config.signature.custom : {}),
		} as VerifyWebhookInput<SignatureScheme>);
		if (!verification.ok) {
			if (verification.reason === 'invalid_options') {
				answer(500, { success: false, error: 'configuration_error', message: 'The booking receiver is misconfigured' }, { reason: verification.message });
				return;
			}
			options.metrics.signatureFailures.inc({ endpoint: ENDPOINT, reason: verification.reason });
			answer(401, { success: false, error: 'invalid_signature', message: verification.message }, { reason: verification.reason });
			return;
		}

		// The receiver's one code for a payload it cannot take, unstorable text included.
		const payload = jsonBodyOr400(raw, res, (status, body) =>
			answer(status, body.error === 'invalid_input' ? { ...body, error: 'invalid_payload' } : body, { reason: body.message }),
		);
		if (!payload) return;
		const adapted = adapt(adapter, { body: payload.body, deliveryId: verification.deliveryId });
		if (adapted.kind === 'invalid') {
			answer(400, { success: false, error: 'invalid_payload', message: adapted.message }, { reason: adapted.message });
			return;
		}
		if (adapted.kind === 'ignored') {
			answer(200, { success: true, ignored: true, eventId: adapted.eventId ?? null, reason: adapted.reason }, { reason: adapted.reason });
			return;
		}

		const event = adapted.event;
		type = event.type;
		let attempts = 1;
		try {
			const outcome = await recordBookingEvent(pool, event, {
				actor: `booking-webhook:${platform}`,
				keys,
				retry: {
					baseDelayMs: config.retryDelayMs,
					sleep: options.sleep,
					onRetry: (error, attempt, delayMs) => {
						attempts = attempt + 1;
						counters.retries.inc({ platform });
						logger.warn({ platform, type, eventId: event.id, attempt, delayMs, err: (error as Error).message }, 'booking webhook: database fault, retrying');
					},
				},
			});
			if (outcome.duplicate) res.set('idempotent-replayed', 'true');
			const { outcome: applied, bookingId, notes } = outcome.result;
			answer(200, { success: true, ...outcome.result }, { eventId: event.id, bookingId, outcome: applied, duplicate: outcome.duplicate, notes });
		} catch (caught) {
			const error = explainDatabaseError(caught);
			if (error instanceof BarnumError) {
				answer(STATUS_BY_CODE[error.code] ?? 400, { success: false, error: error.code, message: error.message }, { reason: error.message });
				return;
			}
			answer(
				500,
				{ success: false, error: 'internal_error', message: 'The event could not be recorded; retry later' },
				{ eventId: event.id, attempts, transient: isTransientDatabaseError(caught), reason: (caught as Error).message },
			);
		}
	}).all(methodNotAllowed('POST'));

	return router;
}
