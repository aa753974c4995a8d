import express, { type ErrorRequestHandler, type RequestHandler } from 'express';

/**
 * Keeps the exact request bytes (signatures are computed over them, never over re-serialised
 * JSON) and answers 413 with a JSON body when they exceed the limit.
 */
export function rawBody(limitBytes: number): RequestHandler[] {
	const read = express.raw({ type: () => true, limit: limitBytes });
	const tooLarge: ErrorRequestHandler = (error, _req, res, next) => {
		if ((error as { type?: string }).type === 'entity.too.large') {
			res.status(413).json({ success: false, error: 'payload_too_large', message: `The body is larger than ${limitBytes} bytes` });
			return;
		}
		next(error);
	};
	return [read, tooLarge as unknown as RequestHandler];
}

export function bodyBytes(body: unknown): Buffer {
	return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}
