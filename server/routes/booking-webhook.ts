import { Router, type Request, type RequestHandler, type Response } from 'express';
import type pg from 'pg';
import { explainDatabaseError } from '../../core/db/explain-error';
import { BarnumError } from '../../core/errors';
import proxyaddr from 'proxy-addr';
import { adapt, adapterFor, type Adapted } from '../../core/resort/adapters';
import { parseGuestKeyRing } from '../../core/resort/guest-crypto';
import { recordBookingEvent } from '../../core/resort/record';
import { isTransientDatabaseError } from '../../core/resort/retry';
import { authenticateDelivery, type PlatformAuth } from '../../core/resort/receiver-auth';
import type { BookingEvent } from '../../core/resort/types';
import { envName } from '../booking-auth-config';
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

type Answer = { status: number; body: Record<string, unknown>; log?: Record<string, unknown> };

/** Says at start how each platform is let in, and warns about the one that checks addresses only. */
function logPlatforms(platforms: Record<string, PlatformAuth | undefined>, logger: Logger): void {
	const summary = Object.fromEntries(Object.entries(platforms).map(([name, auth]) => [name, auth ? auth.mode : 'not configured']));
	logger.info({ platforms: summary }, 'booking receiver: authentication by platform');
	for (const [name, auth] of Object.entries(platforms)) {
		if (auth?.mode === 'allowlist-only') {
			logger.warn(
				{ platform: name, ipAllowlist: auth.ipAllowlist },
				`booking receiver: ${name} is authenticated by its addresses alone (${envName(name, 'AUTH')}=allowlist-only): anyone who can send from them can post bookings`,
			);
		}
	}
}

/**
 * POST /api/bookings/webhook[/<platform>[/<token>]] — the resort booking-platform receiver
 * (docs/resort.md). Platform (404) → configured (503) → the platform's addresses (403) → its
 * authentication: signature, token, Basic, header or allowlist-only (401) → adapter and schema (400,
 * or 200 "ignored") → recorded once per platform event id, with database faults retried (3
 * attempts) before a 500. A repeated delivery gets the first answer again, with
 * `idempotent-replayed: true`, and changes nothing.
 */
export function bookingWebhookRoutes(pool: pg.Pool, options: BookingWebhookOptions): Router {
	const { config, logger } = options;
	const router = Router();
	const keys = parseGuestKeyRing(options.guestDataKey);
	const counters = bookingMetrics(options.metrics.registry);
	const allowed = Object.fromEntries(
		Object.entries(config.platforms).map(([name, auth]) => [name, auth && auth.ipAllowlist.length > 0 ? proxyaddr.compile(auth.ipAllowlist) : undefined]),
	);
	logPlatforms(config.platforms, logger);

	async function record(platform: string, event: BookingEvent, res: Response): Promise<Answer> {
		let attempts = 1;
		try {
			const outcome = await recordBookingEvent(pool, event, {
				actor: `booking-webhook:${platform}`,
				keys,
				detailsApi: config.detailsApi,
				retry: {
					baseDelayMs: config.retryDelayMs,
					sleep: options.sleep,
					onRetry: (error, attempt, delayMs) => {
						attempts = attempt + 1;
						counters.retries.inc({ platform });
						logger.warn({ platform, type: event.type, eventId: event.id, attempt, delayMs, err: (error as Error).message }, 'booking webhook: database fault, retrying');
					},
				},
			});
			if (outcome.duplicate) res.set('idempotent-replayed', 'true');
			const { outcome: applied, bookingId, notes } = outcome.result;
			return { status: 200, body: { success: true, ...outcome.result }, log: { eventId: event.id, bookingId, outcome: applied, duplicate: outcome.duplicate, notes } };
		} catch (caught) {
			const error = explainDatabaseError(caught);
			if (error instanceof BarnumError) {
				return { status: STATUS_BY_CODE[error.code] ?? 400, body: { success: false, error: error.code, message: error.message }, log: { reason: error.message } };
			}
			return {
				status: 500,
				body: { success: false, error: 'internal_error', message: 'The event could not be recorded; retry later' },
				log: { eventId: event.id, attempts, transient: isTransientDatabaseError(caught), reason: (caught as Error).message },
			};
		}
	}

	/** What one adapted event is answered with: recorded, ignored, or refused. */
	async function settle(platform: string, adapted: Adapted, res: Response): Promise<Answer> {
		switch (adapted.kind) {
			case 'invalid':
				return { status: 400, body: { success: false, error: 'invalid_payload', message: adapted.message }, log: { reason: adapted.message } };
			case 'ignored':
				return { status: 200, body: { success: true, ignored: true, eventId: adapted.eventId ?? null, reason: adapted.reason }, log: { reason: adapted.reason } };
			case 'event':
				return record(platform, adapted.event, res);
			default: {
				// Several events in one delivery: refused whole if any is unreadable, so nothing is half-applied.
				const invalid = adapted.items.flatMap((item, i) => (item.kind === 'invalid' ? [`Events.${i}: ${item.message}`] : []));
				if (invalid.length > 0) return settle(platform, { kind: 'invalid', message: invalid.join('; ') }, res);
				const answers: Answer[] = [];
				for (const item of adapted.items) answers.push(await settle(platform, item, res));
				const worst = Math.max(...answers.map((a) => a.status));
				return {
					status: worst,
					body: { success: worst < 400, events: answers.map((a) => a.body) },
					log: { events: answers.length, reason: answers.find((a) => a.status === worst)?.log?.reason },
				};
			}
		}
	}

	router.route([ENDPOINT, `${ENDPOINT}/:platform`, `${ENDPOINT}/:platform/:token`]).post(...(options.guards ?? []), ...rawBody(config.bodyLimitBytes), async (req: Request, res: Response) => {
		const platform = typeof req.params.platform === 'string' ? req.params.platform : 'barnum';
		const adapter = adapterFor(platform);
		const auth = adapter ? config.platforms[platform] : undefined;
		const pathToken = typeof req.params.token === 'string' ? req.params.token : undefined;
		let type = 'unknown';
		// Labels from fixed sets only: a name made up by an unauthenticated caller would add a series.
		const platformLabel = adapter ? platform : 'unknown';
		res.on('finish', () => counters.requests.inc({ platform: platformLabel, type, status: String(res.statusCode) }));
		const answer = (status: number, body: Record<string, unknown>, log: Record<string, unknown> = {}) => {
			const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
			logger[level]({ platform: platformLabel, type, status, ...log }, 'booking webhook');
			res.status(status).json(body);
		};

		// A token in the path is a path only for a platform that takes one: anything else is no endpoint.
		if (!adapter || (pathToken !== undefined && auth?.mode !== 'token')) {
			answer(404, { success: false, error: 'unknown_platform', message: 'No such booking platform' }, { reason: 'unknown platform' });
			return;
		}
		if (!auth || !keys) {
			const message = `${envName(platform, 'SECRET')} (or, for signed deliveries, BOOKING_WEBHOOK_SECRET) and GUEST_DATA_KEY must both be set: this endpoint accepts nothing`;
			answer(503, { success: false, error: 'not_configured', message }, { reason: message });
			return;
		}
		const fromAllowed = allowed[platform];
		if (fromAllowed && !(req.ip && fromAllowed(req.ip, 0))) {
			answer(403, { success: false, error: 'forbidden', message: 'This address may not call this endpoint' }, { reason: 'address not in the platform allowlist' });
			return;
		}
		if (!requireJson(req, res, answer)) return;
		const raw = bodyBytes(req.body);
		const verification = authenticateDelivery(auth, { headers: req.headers, rawBody: raw, pathToken, queryToken: req.query.token });
		if (!verification.ok) {
			if (verification.reason === 'invalid_options') {
				answer(500, { success: false, error: 'configuration_error', message: 'The booking receiver is misconfigured' }, { reason: verification.message });
				return;
			}
			options.metrics.signatureFailures.inc({ endpoint: ENDPOINT, reason: verification.reason });
			const error = auth.mode === 'signature' ? 'invalid_signature' : 'unauthorized';
			if (auth.mode === 'basic') res.set('WWW-Authenticate', 'Basic realm="barnum-bookings", charset="UTF-8"');
			answer(401, { success: false, error, message: verification.message }, { reason: verification.reason });
			return;
		}

		// The receiver's one code for a payload it cannot take, unstorable text included.
		const payload = jsonBodyOr400(raw, res, (status, body) =>
			answer(status, body.error === 'invalid_input' ? { ...body, error: 'invalid_payload' } : body, { reason: body.message }),
		);
		if (!payload) return;
		const adapted = adapt(adapter, { body: payload.body, rawBody: raw, deliveryId: verification.deliveryId });
		if (adapted.kind === 'event') type = adapted.event.type;
		const settled = await settle(platform, adapted, res);
		answer(settled.status, settled.body, settled.log);
	}).all(methodNotAllowed('POST'));

	return router;
}
