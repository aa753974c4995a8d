import type { ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { STYLES_HASH } from '../pages/styles';

/**
 * What a helmet middleware sets, worked out once: its headers depend on nothing in the request, so
 * each response gets the same list set directly instead of helmet's dozen middlewares running
 * again every time. Helmet (maintained, reviewed) stays the source of the values.
 */
function fixedHeaders(middleware: RequestHandler, extra: Record<string, string>): Array<[string, string]> {
	const headers = new Map<string, string>();
	const recorder = {
		setHeader(name: string, value: string | number | string[]) {
			headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
			return recorder;
		},
		removeHeader(name: string) {
			headers.delete(name.toLowerCase());
		},
		getHeader(name: string) {
			return headers.get(name.toLowerCase());
		},
	};
	let called = false;
	middleware({ headers: {} } as never, recorder as unknown as Response, () => (called = true));
	// A helmet that ever needs the request (or goes async) would be caught here, at start.
	if (!called) throw new TypeError('security headers: the middleware did not finish synchronously');
	for (const [name, value] of Object.entries(extra)) headers.set(name, value);
	return [...headers];
}

function setAll(headers: Array<[string, string]>): RequestHandler {
	return (_req, res, next) => {
		for (let i = 0; i < headers.length; i++) res.setHeader(headers[i][0], headers[i][1]);
		next();
	};
}

/**
 * The patient pages' headers: nothing cached or indexed, no referrer leaking the token, and a CSP
 * that allows the one inline stylesheet (by hash), the inline favicon (a data: URI, so browsers do
 * not ask for /favicon.ico), forms posting back here, and nothing else — no scripts, no external
 * assets, no framing.
 *
 * Helmet's four headers for retired browser features are left out: X-XSS-Protection (it turns off
 * an XSS auditor no current browser has), X-Download-Options (Internet Explorer 8),
 * X-Permitted-Cross-Domain-Policies (Flash and Acrobat) and X-DNS-Prefetch-Control (these pages
 * link to no other host). Each header is work on every page (docs/performance.md).
 */
export const PAGE_HEADERS: ReadonlyArray<[string, string]> = fixedHeaders(
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
		xXssProtection: false,
		xDownloadOptions: false,
		xPermittedCrossDomainPolicies: false,
		xDnsPrefetchControl: false,
	}),
	{ 'cache-control': 'no-store', 'x-robots-tag': 'noindex, nofollow' },
);

const PAGE_HEAD: readonly string[] = PAGE_HEADERS.flat();

/**
 * A patient page's whole head in one writeHead() call: its headers, the request id, the type and
 * the length. Given a flat list on a response with nothing set yet, Node builds the head from the
 * list directly, without a setHeader() per header (each one validated, lower-cased and stored):
 * with 15 headers that was about 4 % of a page's CPU (docs/performance.md). A header set earlier
 * still works; it only takes Node's slower path.
 */
export function writePageHead(res: ServerResponse, status: number, requestId: string, contentType: string, body: string): void {
	res.writeHead(status, [...PAGE_HEAD, 'x-request-id', requestId, 'content-type', contentType, 'content-length', String(Buffer.byteLength(body))]);
}

/** The same headers, set one by one, for the pages' other answers (HEAD, 429, errors). */
export function setPageHeaders(res: ServerResponse, requestId: string): void {
	for (let i = 0; i < PAGE_HEADERS.length; i++) res.setHeader(PAGE_HEADERS[i][0], PAGE_HEADERS[i][1]);
	res.setHeader('x-request-id', requestId);
}

const API_HEADERS = fixedHeaders(
	helmet({ contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] } } }),
	{ 'cache-control': 'no-store' },
);

/** The JSON endpoints get helmet's defaults (nosniff, no framing) and no caching either. */
export function apiHeaders(): RequestHandler[] {
	return [setAll(API_HEADERS)];
}

/** The same, for an answer that reaches the last handler before any route set its headers. */
export function setApiHeaders(res: ServerResponse): void {
	for (let i = 0; i < API_HEADERS.length; i++) res.setHeader(API_HEADERS[i][0], API_HEADERS[i][1]);
}
