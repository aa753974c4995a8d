import express, { Router, type Request, type Response } from 'express';
import type pg from 'pg';
import { z } from 'zod/v4';
import type { LinkAction } from '../../core/action-links/create';
import { inspectLink, redeemLink, type LinkState } from '../../core/action-links/redeem';
import { sql } from '../../core/db/sql';
import type { Metrics } from '../metrics';
import { MESSAGES, chooseLocale, type Locale } from '../pages/messages';
import { FormNonce } from '../pages/nonce';
import { renderInvalid, renderOutcome, renderReady } from '../pages/render';
import { pageHeaders } from '../http/security-headers';
import { perIpLimit } from '../http/rate-limit';

const linkQuery = z.object({
	type: z.enum(['confirm', 'cancel', 'reschedule']),
	token: z.string().min(1).max(200),
});

/**
 * The seed's /api/action, made safe for link scanners: GET shows the appointment and one button,
 * POST (a real form submission carrying a nonce bound to the token) acts, HEAD answers 200 and
 * touches nothing. No script runs on these pages, so a preview bot that executes JavaScript has
 * nothing to trigger.
 */
export function actionRoutes(pool: pg.Pool, options: { nonceSecret?: string; perMinute: number; metrics: Metrics }): Router {
	const router = Router();
	const nonces = new FormNonce(options.nonceSecret);
	const { metrics } = options;

	async function invalidPage(req: Request, res: Response, status = 404): Promise<void> {
		const { rows } = await pool.query<{ business_name: string; default_locale: string }>(sql('settings-public'));
		const locale = chooseLocale(null, req.headers['accept-language'], rows[0]?.default_locale ?? 'pt-PT');
		res.status(status).type('html').send(renderInvalid(locale, rows[0]?.business_name ?? 'Barnum'));
	}

	function localeFor(state: Exclude<LinkState, { state: 'invalid' }>, req: Request): Locale {
		return chooseLocale(state.appointment.patientLocale, req.headers['accept-language'], state.appointment.defaultLocale);
	}

	function show(state: LinkState, req: Request, res: Response, token: string, notice?: string): Promise<void> | void {
		metrics.tokenValidations.inc({ outcome: state.state === 'invalid' ? state.reason : state.state });
		if (state.state === 'invalid') return invalidPage(req, res);
		const locale = localeFor(state, req);
		if (state.state === 'ready') {
			res.status(notice ? 400 : 200).type('html').send(renderReady(state, locale, { token, nonce: nonces.issue(token, state.action) }, notice));
			return;
		}
		res.status(200).type('html').send(renderOutcome(state, locale));
	}

	router.use('/api/action', ...pageHeaders());
	router.use('/api/action', perIpLimit(options.perMinute, () => 'Too many requests. Please wait a moment and try again.'));

	// Link checkers probe with HEAD: answer without reading the database or changing anything.
	router.head('/api/action', (_req, res) => {
		res.status(200).type('html').end();
	});

	router.get('/api/action', async (req, res) => {
		const query = linkQuery.safeParse(req.query);
		if (!query.success) return invalidPage(req, res);
		await show(await inspectLink(pool, query.data.token, query.data.type), req, res, query.data.token);
	});

	router.post('/api/action', express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 }), async (req, res) => {
		const fields = { ...(req.query as object), ...((req.body as object) ?? {}) } as Record<string, unknown>;
		const input = linkQuery.safeParse(fields);
		if (!input.success) return invalidPage(req, res);
		const { token, type } = input.data as { token: string; type: LinkAction };
		if (!nonces.check(fields.nonce, token, type)) {
			// No valid nonce: not a press of our button (or the page sat open too long). Show the
			// page again with a fresh nonce; nothing has changed.
			const state = await inspectLink(pool, token, type);
			const locale = state.state === 'invalid' ? 'pt-PT' : localeFor(state, req);
			return show(state, req, res, token, MESSAGES[locale].pressAgain);
		}
		const preferred = typeof fields.preferred_time === 'string' ? fields.preferred_time.trim().slice(0, 500) : '';
		const state = await redeemLink(pool, token, type, { preferredTime: preferred || null });
		if (state.state === 'done') metrics.actions.inc({ type, result: 'done' });
		else if (state.state !== 'invalid') metrics.actions.inc({ type, result: state.state });
		await show(state, req, res, token);
	});

	return router;
}
