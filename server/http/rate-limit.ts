import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';

const WINDOW_MS = 60_000;

interface Count {
	hits: number;
	resetAt: number;
}

/**
 * Per-IP limits (by the client address Express resolves, which honours TRUST_PROXY; IPv6 clients
 * are counted by their /56, as express-rate-limit does, since one subscriber gets a whole range).
 * A fixed one-minute window per client. Over the limit: 429 with Retry-After and the IETF draft-8
 * RateLimit / RateLimit-Policy headers, and a body in the route's style.
 *
 * A few lines of our own rather than express-rate-limit's middleware: that one awaits five times,
 * hashes the client's address and formats its headers on every request, which made it one of the
 * largest costs of an action page (docs/performance.md). The counting is the same.
 */
export function perIpLimit(
	perMinute: number,
	body: (retryAfterSeconds: number) => unknown,
	/** Headers of the route's own for a 429 (the patient pages' security headers, say). */
	setHeaders?: (req: Request, res: Response) => void,
): RequestHandler {
	const counts = new Map<string, Count>();
	const policy = `"per-ip"; q=${perMinute}; w=${WINDOW_MS / 1000}`;
	// Forget the clients whose window is over, once a window: the map holds the last minute's clients only.
	const sweep = setInterval(() => {
		const now = Date.now();
		for (const [key, count] of counts) if (count.resetAt <= now) counts.delete(key);
	}, WINDOW_MS);
	sweep.unref();

	return (req: Request, res: Response, next) => {
		const ip = req.ip ?? '';
		// An address without a colon is IPv4, which ipKeyGenerator returns as it is: skip its IPv6 test.
		const key = ip.includes(':') ? ipKeyGenerator(ip) : ip;
		const now = Date.now();
		let count = counts.get(key);
		if (count === undefined || count.resetAt <= now) {
			count = { hits: 0, resetAt: now + WINDOW_MS };
			counts.set(key, count);
		}
		count.hits += 1;
		if (count.hits <= perMinute) {
			next();
			return;
		}
		const retryAfter = Math.max(1, Math.ceil((count.resetAt - now) / 1000));
		setHeaders?.(req, res);
		res.status(429);
		res.setHeader('retry-after', String(retryAfter));
		res.setHeader('ratelimit-policy', policy);
		res.setHeader('ratelimit', `"per-ip"; r=0; t=${retryAfter}`);
		const payload = body(retryAfter);
		if (typeof payload === 'string') res.type('html').send(payload);
		else res.json(payload);
	};
}
