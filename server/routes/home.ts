import { Router } from 'express';
import { logResponseAt, requestIdOf } from '../http/request-log';
import { setPageHeaders } from '../http/security-headers';
import { chooseLocale } from '../pages/messages';
import { renderHome } from '../pages/render';

/**
 * `/`: someone who opens the server's address (the local stack's banner prints it) reads what the
 * server is, in their browser's language. Every other path with no page or endpoint is a 404 that
 * the log keeps at info: browsers ask for /favicon.ico and scanners probe well-known paths all
 * day, and none of it is a warning.
 */
export function homeRoutes(): Router {
	const router = Router();
	router.get('/', (req, res) => {
		const body = renderHome(chooseLocale(undefined, req.headers['accept-language'], 'pt-PT'));
		setPageHeaders(res, requestIdOf(req));
		res.type('html').send(body);
	});
	return router;
}

/** The answer for a path nothing serves: 404, logged at info. */
export function unservedPath(): Router {
	const router = Router();
	router.use((_req, res) => {
		logResponseAt(res, 'info');
		res.status(404).json({ success: false, error: 'not_found', message: 'Nothing is served at this address' });
	});
	return router;
}
