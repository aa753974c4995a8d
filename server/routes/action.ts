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
import { parseParams } from '../../core/validation/params';
import { text } from '../../core/validation/text';

const linkQuery = z.object({
	type: z.enum(['confirm', 'cancel', 'reschedule']),
	// Printable ASCII covers every token, Barnum's URL-safe base64 and the seed's standard base64,
	// whose unencoded + arrives as a space (core/action-links/state.ts reads it back).
	token: z.string().regex(/^[\x20-\x7E]{1,200}$/),
});
const preferredTime = text({ max: 500, multiline: true });
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;\s*charset="?utf-8"?\s*)?$/i;
/** The pages' own fields are three (four on a reschedule page); room for a few a browser adds. */
const MAX_FIELDS = 10;

type Notice = 'pressAgain' | 'unreadableText';

/** The link's parameters as written, or undefined when they are ambiguous or undecodable. */
function linkParams(req: Request): Map<string, string> | undefined {
	const start = req.originalUrl.indexOf('?');
	const parsed = parseParams(start === -1 ? '' : req.originalUrl.slice(start + 1), MAX_FIELDS * 2);
	return parsed.ok ? parsed.values : undefined;
}

/**
 * The form's fields and the link's, as one set: a name in both must carry the same value in both
 * (the form posts back to its own link), else nothing tells which one the patient meant.
 */
function formFields(req: Request): Record<string, string> | undefined {
	const query = linkParams(req);
	const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
	const body = parseParams(raw, MAX_FIELDS);
	if (!query || !body.ok) return undefined;
	for (const [name, value] of body.values) if (query.has(name) && query.get(name) !== value) return undefined;
	return Object.fromEntries([...query, ...body.values]);
}

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

	function show(state: LinkState, req: Request, res: Response, token: string, notice?: Notice, invalidStatus = 404): void {
		metrics.tokenValidations.inc({ outcome: state.state === 'invalid' ? state.reason : state.state });
		const acceptLanguage = req.headers['accept-language'];
		if (state.state === 'invalid') {
			// Link scanners probe old links all day: an expected answer, logged as such.
			logResponseAt(res, 'info');
			sendPage(req, res, invalidStatus, renderInvalid(chooseLocale(null, acceptLanguage, state.clinic.defaultLocale), state.clinic.businessName));
			return;
		}
		const locale: Locale = chooseLocale(state.appointment.patientLocale, acceptLanguage, state.appointment.defaultLocale);
		if (state.state === 'ready') {
			const text = notice ? MESSAGES[locale][notice] : undefined;
			sendPage(req, res, notice ? 400 : 200, renderReady(state, locale, { token, nonce: nonces.issue(token, state.action) }, text));
			return;
		}
		sendPage(req, res, 200, renderOutcome(state, locale));
	}

	/** A link that names no token (404), or one whose parameters cannot be read without guessing (400). */
	async function unreadable(req: Request, res: Response, status = 404): Promise<void> {
		show({ state: 'invalid', reason: 'not_found', clinic: await reader.clinic() }, req, res, '', undefined, status);
	}

	/** Nothing happened, in the browser's language (405, 415: no token to find a clinic by). */
	function refuse(req: Request, res: Response, status: number): void {
		sendPage(req, res, status, renderFailure(chooseLocale(null, req.headers['accept-language'], 'pt-PT')));
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
			const params = linkParams(req);
			if (!params) return unreadable(req, res, 400);
			const query = linkQuery.safeParse(Object.fromEntries(params));
			if (!query.success) return unreadable(req, res);
			show(await reader.inspect(query.data.token, query.data.type), req, res, query.data.token);
		})
		// The bytes as sent: Node's form parser would put U+FFFD in place of broken UTF-8 and pick
		// one of two fields of the same name.
		.post(express.raw({ type: () => true, limit: '4kb' }), async (req, res) => {
			if (Buffer.isBuffer(req.body) && req.body.length > 0 && !FORM_TYPE.test(req.headers['content-type'] ?? '')) return refuse(req, res, 415);
			const fields = formFields(req);
			if (!fields) return unreadable(req, res, 400);
			const input = linkQuery.safeParse(fields);
			if (!input.success) return unreadable(req, res);
			const { token, type } = input.data as { token: string; type: LinkAction };
			if (!nonces.check(fields.nonce, token, type)) {
				// No valid nonce: not a press of our button (or the page sat open too long). Show the
				// page again with a fresh nonce; nothing has changed.
				return show(await reader.inspect(token, type), req, res, token, 'pressAgain');
			}
			const preferred = preferredTime.safeParse(fields.preferred_time ?? '');
			// Text the clinic would not read as typed (control characters, over 500 characters): the
			// page again, saying so; nothing has changed.
			if (!preferred.success) return show(await reader.inspect(token, type), req, res, token, 'unreadableText');
			const state = await redeemLink(pool, token, type, { preferredTime: preferred.data || null, prepared: options.preparedStatements });
			if (state.state === 'done') metrics.actions.inc({ type, result: 'done' });
			else if (state.state !== 'invalid') metrics.actions.inc({ type, result: state.state });
			show(state, req, res, token);
		})
		.all((req, res) => {
			res.setHeader('allow', 'GET, HEAD, POST');
			refuse(req, res, 405);
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
