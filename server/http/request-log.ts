import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { looseName } from '../../core/validation/params';
import type { Logger } from '../logger';

/** Query parameters that are credentials: a token in a log is a working link. */
const SECRET_PARAMS = new Set(['token', 'nonce', 'hub.verify_token']);
/** A value that carries another URL's secret, e.g. a `next=` that holds a whole link. */
const NESTED_SECRET = /(?:^|[?&;])(?:token|nonce|hub\.verify_token)=/;
const BOOKING_PATH_TOKEN = /^(\/api\/bookings\/webhook\/[^/?#]+\/)[^?#]+/i;
const REQUEST_ID = /^[\w.-]{1,100}$/;
const LEVEL = Symbol('barnum.logLevel');
const ID = Symbol('barnum.requestId');

/**
 * The URL with the values of its secret parameters replaced, the names recognised as a lenient
 * reader would take them (`%74oken`, `TOKEN`, `tok%65n`) and separated by `&` or `;`, so no spelling
 * of a link the server or a proxy might accept reaches the log whole.
 */
export function maskUrl(url: string): string {
	// A booking platform's token may be the last segment of the path (docs/resort.md, token mode).
	url = url.replace(BOOKING_PATH_TOKEN, '$1[redacted]');
	const start = url.indexOf('?');
	if (start === -1 || !url.includes('=', start)) return url;
	const query = url.slice(start + 1).split(/([&;])/);
	for (let i = 0; i < query.length; i += 2) {
		const equals = query[i].indexOf('=');
		if (equals === -1) continue;
		const name = query[i].slice(0, equals);
		if (SECRET_PARAMS.has(looseName(name)) || NESTED_SECRET.test(looseName(query[i].slice(equals + 1)))) query[i] = `${name}=[redacted]`;
	}
	return `${url.slice(0, start + 1)}${query.join('')}`;
}

type Level = 'info' | 'warn' | 'error';

/**
 * The level this response is logged at, when its status alone would say otherwise: an unknown or
 * expired link's 404 is an everyday outcome (link scanners probe old links), not a warning.
 */
export function logResponseAt(res: Response, level: Level): void {
	(res as unknown as Record<symbol, Level>)[LEVEL] = level;
}

/**
 * One JSON line per request, after the response: request id (X-Request-Id when the proxy sends
 * one, else a new UUID; echoRequestId() or the route sends it back), method, URL with its
 * secrets masked, client address, status and time taken. 5xx and aborted requests log at error,
 * other 4xx at warn, the rest at info. Built by hand on pino rather than through pino-http: that
 * one creates a child logger and serialises the whole request for every request, even when the
 * line is not written; with the logger's redaction it was one of an action page's largest costs
 * (docs/performance.md).
 */
export function requestLog(logger: Logger): RequestHandler {
	// These lines carry only what is built below (the URL already masked, no headers, no body), so
	// they skip the logger's redaction pass: walking its wildcard paths cost more than the rest of
	// the line.
	const log = logger.child({}, { redact: { paths: [] } });
	return (req, res, next) => {
		const incoming = req.headers['x-request-id'];
		const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
		(req as unknown as Record<symbol, string>)[ID] = id;
		const started = performance.now();
		// 'close' comes once for every response: after it was sent, or when the client went away
		// (so on() rather than once(), which wraps the listener on every request).
		res.on('close', () => {
			const finished = res.writableFinished;
			const status = res.statusCode;
			const level: Level = !finished || status >= 500 ? 'error' : ((res as unknown as Record<symbol, Level>)[LEVEL] ?? (status >= 400 ? 'warn' : 'info'));
			if (!log.isLevelEnabled(level)) return;
			log[level](
				{
					req: { id, method: req.method, url: maskUrl(req.originalUrl), remoteAddress: req.socket.remoteAddress },
					res: { statusCode: status },
					responseTime: Math.round(performance.now() - started),
				},
				finished ? 'request completed' : 'request aborted',
			);
		});
		next();
	};
}

/** This request's id, as requestLog() chose it ('' before requestLog() ran). */
export function requestIdOf(req: Request): string {
	return (req as unknown as Record<symbol, string | undefined>)[ID] ?? '';
}

/**
 * Sends the request id back as X-Request-Id. Kept apart from requestLog() so that the patient pages,
 * mounted between the two, can write their whole head in one call (writePageHead).
 */
export function echoRequestId(): RequestHandler {
	return (req, res, next) => {
		res.setHeader('x-request-id', requestIdOf(req));
		next();
	};
}
