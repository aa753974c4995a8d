import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger';

/** Query parameters that are credentials: a token in a log is a working link. */
const SECRET_PARAMS = /([?&](?:token|nonce|hub\.verify_token)=)[^&#]*/gi;

export function maskUrl(url: string): string {
	return url.replace(SECRET_PARAMS, '$1[redacted]');
}

/** One JSON line per request with a request id (X-Request-Id when the proxy sends one), URLs masked. */
export function requestLog(logger: Logger) {
	return pinoHttp({
		logger,
		genReqId: (req: IncomingMessage, res) => {
			const incoming = req.headers['x-request-id'];
			const id = typeof incoming === 'string' && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
			res.setHeader('x-request-id', id);
			return id;
		},
		serializers: {
			req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
				id: req.id,
				method: req.method,
				url: maskUrl(req.url),
				remoteAddress: req.remoteAddress,
			}),
			res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
		},
		customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
	});
}
