import express, { Router, type Request, type Response } from 'express';
import type pg from 'pg';
import { z } from 'zod/v4';
import type { LinkAction } from '../../core/action-links/create';
import { LinkReader } from '../../core/action-links/read';
import { redeemLink } from '../../core/action-links/redeem';
import type { LinkState } from '../../core/action-links/state';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { MESSAGES, chooseLocale, type Locale } from '../pages/messages';
import { FormNonce } from '../pages/nonce';
import { renderFailure, renderInvalid, renderOutcome, renderReady } from '../pages/render';
import { logRequestError, statusOf } from '../http/error-handler';
import { setPageHeaders, writePageHead } from '../http/security-headers';
import { perIpLimit } from '../http/rate-limit';
import { logResponseAt, requestIdOf } from '../http/request-log';

const linkQuery = z.object({
	type: z.enum(['confirm', 'cancel', 'reschedule']),
	token: z.string().min(1).max(200),
});

/**
 * The page, as it is: UTF-8 HTML, uncompressed (a few kB; gzip would cost more CPU than the bytes
 * it saves on the wire), its head written in one call.
 */
function sendPage(req: Request, res: Response, status: number, html: string): void {
	writePageHead(res, status, requestIdOf(req), 'text/html; charset=utf-8', html);
	res.end(html);
}

/**
 * The seed's /api/action, made safe for link scanners: GET shows the appointment and one button,
 * POST (a real form submission carrying a nonce bound to the token) acts, HEAD answers 200 and
 * touches nothing. No script runs on these pages, so a preview bot that executes JavaScript has
 * nothing to trigger.
 */
export function actionRoutes(
	pool: pg.Pool,
	options: { nonceSecret?: string; perMinute: number; metrics: Metrics; logger: Logger; preparedStatements?: boolean },
): Router {
	const router = Router();
	const nonces = new FormNonce(options.nonceSecret);
	const reader = new LinkReader(pool, { prepared: options.preparedStatements });
	const { metrics } = options;

	function show(state: LinkState, req: Request, res: Response, token: string, pressAgain = false): void {
		metrics.tokenValidations.inc({ outcome: state.state === 'invalid' ? state.reason : state.state });
		const acceptLanguage = req.headers['accept-language'];
		if (state.state === 'invalid') {
			// Link scanners probe old links all day: an expected answer, logged as such.
			logResponseAt(res, 'info');
			sendPage(req, res, 404, renderInvalid(chooseLocale(null, acceptLanguage, state.clinic.defaultLocale), state.clinic.businessName));
			return;
		}
		const locale: Locale = chooseLocale(state.appointment.patientLocale, acceptLanguage, state.appointment.defaultLocale);
		if (state.state === 'ready') {
			const notice = pressAgain ? MESSAGES[locale].pressAgain : undefined;
			sendPage(req, res, pressAgain ? 400 : 200, renderReady(state, locale, { token, nonce: nonces.issue(token, state.action) }, notice));
			return;
		}
		sendPage(req, res, 200, renderOutcome(state, locale));
	}

	async function unreadable(req: Request, res: Response): Promise<void> {
		show({ state: 'invalid', reason: 'not_found', clinic: await reader.clinic() }, req, res, '');
	}

	// One route, so a request is matched once; the limit applies to every method. Every answer
	// carries the pages' headers: sendPage writes them with the page, the others set them.
	router
		.route('/api/action')
		.all(
			perIpLimit(options.perMinute, () => 'Too many requests. Please wait a moment and try again.', (req, res) =>
				setPageHeaders(res, requestIdOf(req)),
			),
		)
		// Link checkers probe with HEAD: answer without reading the database or changing anything.
		.head((req, res) => {
			setPageHeaders(res, requestIdOf(req));
			res.status(200).type('html').end();
		})
		.get(async (req, res) => {
			const query = linkQuery.safeParse(req.query);
			if (!query.success) return unreadable(req, res);
			show(await reader.inspect(query.data.token, query.data.type), req, res, query.data.token);
		})
		.post(express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 }), async (req, res) => {
			const fields = { ...(req.query as object), ...((req.body as object) ?? {}) } as Record<string, unknown>;
			const input = linkQuery.safeParse(fields);
			if (!input.success) return unreadable(req, res);
			const { token, type } = input.data as { token: string; type: LinkAction };
			if (!nonces.check(fields.nonce, token, type)) {
				// No valid nonce: not a press of our button (or the page sat open too long). Show the
				// page again with a fresh nonce; nothing has changed.
				return show(await reader.inspect(token, type), req, res, token, true);
			}
			const preferred = typeof fields.preferred_time === 'string' ? fields.preferred_time.trim().slice(0, 500) : '';
			const state = await redeemLink(pool, token, type, { preferredTime: preferred || null, prepared: options.preparedStatements });
			if (state.state === 'done') metrics.actions.inc({ type, result: 'done' });
			else if (state.state !== 'invalid') metrics.actions.inc({ type, result: state.state });
			show(state, req, res, token);
		});

	// A failure (the database unreachable, a forged form too large to read) gets a page of its own,
	// in the patient's language, saying that nothing happened; the cause goes to the log only.
	router.use('/api/action', (error: unknown, req: Request, res: Response, next: (error: unknown) => void) => {
		if (res.headersSent) return next(error);
		const status = statusOf(error);
		logRequestError(options.logger, req, error, status);
		// The clinic's language is in the database, which may be what failed: the browser's, or pt-PT.
		sendPage(req, res, status, renderFailure(chooseLocale(null, req.headers['accept-language'], 'pt-PT')));
	});

	return router;
}
