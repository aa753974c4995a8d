import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { STYLES_HASH } from '../pages/styles';

/**
 * Headers for the patient pages: nothing cached or indexed, no referrer leaking the token, and a
 * CSP that allows the one inline stylesheet (by hash), forms posting back here, and nothing else —
 * no scripts, no external assets, no framing.
 */
export function pageHeaders(): RequestHandler[] {
	return [
		helmet({
			contentSecurityPolicy: {
				useDefaults: false,
				directives: {
					'default-src': ["'none'"],
					'style-src': [STYLES_HASH],
					'img-src': ["'self'", 'data:'],
					'form-action': ["'self'"],
					'base-uri': ["'none'"],
					'frame-ancestors': ["'none'"],
				},
			},
			referrerPolicy: { policy: 'no-referrer' },
			strictTransportSecurity: { maxAge: 31536000, includeSubDomains: false },
		}),
		(_req, res, next) => {
			res.set('cache-control', 'no-store');
			res.set('x-robots-tag', 'noindex, nofollow');
			next();
		},
	];
}

/** The JSON endpoints get helmet's defaults (nosniff, no framing) and no caching either. */
export function apiHeaders(): RequestHandler[] {
	return [
		helmet({ contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] } } }),
		(_req, res, next) => {
			res.set('cache-control', 'no-store');
			next();
		},
	];
}
