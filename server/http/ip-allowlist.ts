import type { RequestHandler } from 'express';
import proxyaddr from 'proxy-addr';

/**
 * Lets through only the listed addresses or CIDR ranges (e.g. a booking platform's published
 * ranges). Empty list: everyone. The address checked is the one Express resolved (TRUST_PROXY).
 */
export function ipAllowlist(list: string[]): RequestHandler {
	if (list.length === 0) return (_req, _res, next) => next();
	const allowed = proxyaddr.compile(list);
	return (req, res, next) => {
		const ip = req.ip ?? '';
		if (ip && allowed(ip, 0)) {
			next();
			return;
		}
		res.status(403).json({ success: false, error: 'forbidden', message: 'This address may not call this endpoint' });
	};
}

/** Throws on an entry proxy-addr cannot read, so a typo fails at start, not silently. */
export function validateAllowlist(list: string[]): void {
	proxyaddr.compile(list);
}
