import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

/**
 * Per-IP limits (by the client address Express resolves, which honours TRUST_PROXY). Over the
 * limit: 429 with Retry-After and the draft-8 RateLimit headers, and a body in the route's style.
 */
export function perIpLimit(perMinute: number, body: (retryAfterSeconds: number) => unknown): RequestHandler {
	return rateLimit({
		windowMs: 60_000,
		limit: perMinute,
		standardHeaders: 'draft-8',
		legacyHeaders: false,
		handler: (req, res, _next, options) => {
			const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
			const retryAfter = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : Math.ceil(options.windowMs / 1000);
			res.status(429).set('retry-after', String(retryAfter));
			const payload = body(retryAfter);
			if (typeof payload === 'string') res.type('html').send(payload);
			else res.json(payload);
		},
	});
}
