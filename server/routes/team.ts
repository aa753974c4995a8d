import express, { Router, type Request, type Response } from 'express';
import type pg from 'pg';
import { z } from 'zod/v4';
import { inspectHandleLink, redeemHandleLink, type HandleLinkState } from '../../core/attention/notices';
import { teamLocale, type TeamLocale } from '../../core/attention/compose';
import { parseParams } from '../../core/validation/params';
import { text } from '../../core/validation/text';
import { logRequestError, statusOf } from '../http/error-handler';
import { perIpLimit } from '../http/rate-limit';
import { logResponseAt, requestIdOf } from '../http/request-log';
import { setPageHeaders, writePageHead } from '../http/security-headers';
import type { Logger } from '../logger';
import { FormNonce } from '../pages/nonce';
import { renderFailure } from '../pages/render';
import { renderTeamInvalid, renderTeamOutcome, renderTeamReady } from '../pages/team';

const TOKEN = z.string().regex(/^[A-Za-z0-9_-]{32}$/);
const handledBy = text({ max: 200 });
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;\s*charset="?utf-8"?\s*)?$/i;
const NONCE_ACTION = 'team-handled';

function sendPage(req: Request, res: Response, status: number, html: string): void {
	writePageHead(res, status, requestIdOf(req), 'text/html; charset=utf-8', html);
	res.end(html);
}

/** The browser's language when the link says nothing (an unknown link has no item to ask). */
function browserLocale(req: Request): TeamLocale {
	return teamLocale(req.headers['accept-language']?.split(',')[0]);
}

/**
 * The staff's one-press "handled" link from a team notice, as safe from link scanners as the
 * patients' pages: GET shows the item and a button, POST with the page's nonce marks it handled
 * (once: a second press says who did), HEAD touches nothing.
 */
export function teamRoutes(pool: pg.Pool, options: { nonceSecret?: string; perMinute: number; logger: Logger }): Router {
	const router = Router();
	const nonces = new FormNonce(options.nonceSecret);

	function show(state: HandleLinkState, req: Request, res: Response, token: string, pressAgain = false): void {
		if (state.state === 'invalid') {
			logResponseAt(res, 'info');
			return sendPage(req, res, 404, renderTeamInvalid(browserLocale(req)));
		}
		if (state.state === 'ready') {
			return sendPage(req, res, pressAgain ? 400 : 200, renderTeamReady(state.item, state.locale, { token, nonce: nonces.issue(token, NONCE_ACTION) }, pressAgain));
		}
		sendPage(req, res, 200, renderTeamOutcome(state.item, state.locale, state.state));
	}

	const tokenOf = (req: Request): { params?: Map<string, string>; token?: string } => {
		const start = req.originalUrl.indexOf('?');
		const parsed = parseParams(start === -1 ? '' : req.originalUrl.slice(start + 1), 4);
		if (!parsed.ok) return {};
		const token = TOKEN.safeParse(parsed.values.get('token'));
		return { params: parsed.values, token: token.success ? token.data : undefined };
	};

	router
		.route('/api/team/handled')
		.all(perIpLimit(options.perMinute, () => 'Too many requests. Please wait a moment and try again.', (req, res) => setPageHeaders(res, requestIdOf(req))))
		.head((req, res) => {
			setPageHeaders(res, requestIdOf(req));
			res.status(200).type('html').end();
		})
		.get(async (req, res) => {
			const { token } = tokenOf(req);
			show(token ? await inspectHandleLink(pool, token) : { state: 'invalid' }, req, res, token ?? '');
		})
		.post(express.raw({ type: () => true, limit: '4kb' }), async (req, res) => {
			if (Buffer.isBuffer(req.body) && req.body.length > 0 && !FORM_TYPE.test(req.headers['content-type'] ?? '')) {
				return sendPage(req, res, 415, renderFailure(browserLocale(req) === 'en' ? 'en' : 'pt-PT'));
			}
			const body = parseParams(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), 6);
			const { token } = tokenOf(req);
			if (!token || !body.ok || (body.values.has('token') && body.values.get('token') !== token)) return show({ state: 'invalid' }, req, res, '');
			const name = handledBy.safeParse(body.values.get('handled_by') ?? '');
			// Not a press of the page's button (a bot's bare POST, a page left open too long) or a
			// name that cannot be stored as typed: the page again, nothing changed.
			if (!nonces.check(body.values.get('nonce'), token, NONCE_ACTION) || !name.success) {
				return show(await inspectHandleLink(pool, token), req, res, token, true);
			}
			show(await redeemHandleLink(pool, token, name.data || null), req, res, token);
		})
		.all((req, res) => {
			res.setHeader('allow', 'GET, HEAD, POST');
			sendPage(req, res, 405, renderFailure(browserLocale(req) === 'en' ? 'en' : 'pt-PT'));
		});

	router.use('/api/team', (error: unknown, req: Request, res: Response, next: (error: unknown) => void) => {
		if (res.headersSent) return next(error);
		const status = statusOf(error);
		logRequestError(options.logger, req, error, status);
		sendPage(req, res, status, renderFailure(browserLocale(req) === 'en' ? 'en' : 'pt-PT'));
	});
	return router;
}
