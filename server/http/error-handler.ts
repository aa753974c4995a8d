import type { ErrorRequestHandler, Request } from 'express';
import type { Logger } from '../logger';
import { requestIdOf } from './request-log';
import { setApiHeaders } from './security-headers';

/**
 * The status an error asks for: body-parser's and http-errors' 4xx (a body too large, malformed
 * JSON) keep theirs; anything else is the server's fault, 500.
 */
export function statusOf(error: unknown): number {
	const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
	return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}

/**
 * Logs a failed request once, with what the answer leaves out: the cause and its stack for a
 * server fault, the parser's reason for a refused request.
 */
export function logRequestError(logger: Logger, req: Request, error: unknown, status: number): void {
	const fields = { reqId: requestIdOf(req), method: req.method, route: req.baseUrl + req.path, status };
	if (status >= 500) logger.error({ ...fields, err: error }, 'request failed');
	else logger.info({ ...fields, reason: (error as { type?: string } | null)?.type ?? (error as Error | null)?.message }, 'request refused');
}

const CODES: Record<number, string> = { 400: 'bad_request', 413: 'payload_too_large', 415: 'unsupported_media_type' };

/**
 * The last handler: what reaches it is logged (through pino, with the request id) and answered
 * as JSON that names the kind of failure and nothing of its cause. Express's own handler would
 * put the error's message and stack in the answer unless NODE_ENV=production, and print them
 * to stderr outside the JSON log.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
	return (error, req, res, next) => {
		// Part of the answer has gone: only closing the connection is left, which Express does.
		if (res.headersSent) return next(error);
		const status = statusOf(error);
		logRequestError(logger, req, error, status);
		if (!res.hasHeader('content-security-policy')) setApiHeaders(res);
		const exposed = status < 500 && (error as { expose?: unknown }).expose === true;
		res.status(status).json({
			success: false,
			error: status >= 500 ? 'internal_error' : (CODES[status] ?? 'request_refused'),
			message: exposed ? String((error as Error).message) : status >= 500 ? 'Something went wrong on our side; retry later' : 'The request could not be read',
		});
	};
}
