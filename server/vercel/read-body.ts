import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

/** An error the app's error handler answers as JSON with its status (server/http/error-handler.ts). */
function refusal(status: number, type: string, message: string): Error {
	return Object.assign(new Error(message), { status, type, expose: true });
}

function hasBody(req: IncomingMessage): boolean {
	return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Reads the whole request body into req.body, as bytes, before any route runs.
 *
 * Vercel's Node.js runtime, unless NODEJS_HELPERS=0, reads the body itself before calling the
 * function and replays it to 'data'/'end' listeners, while the request looks finished to
 * Express's body parsers: they would then leave req.body to Vercel's parsed object, and the
 * signatures, computed over the exact bytes, would fail. Reading through the listeners works
 * with and without the helpers; the routes' parsers see a finished request and keep these bytes.
 * The limit is the largest any route takes (BODY_LIMIT_BYTES).
 */
export function readBodyFirst(limitBytes: number): RequestHandler {
	return (req, _res, next) => {
		if (!hasBody(req)) {
			req.body = Buffer.alloc(0);
			next();
			return;
		}
		const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
		if (encoding !== 'identity') {
			next(refusal(415, 'encoding.unsupported', `Content-Encoding ${encoding} is not accepted; send the body uncompressed`));
			return;
		}
		const chunks: Buffer[] = [];
		let received = 0;
		let settled = false;
		const settle = (error?: Error) => {
			if (settled) return;
			settled = true;
			if (error) return next(error);
			req.body = Buffer.concat(chunks);
			next();
		};
		req.on('data', (chunk: Buffer) => {
			received += chunk.length;
			// Past the limit the rest is read and dropped, so the answer is a 413 rather than a reset.
			if (received <= limitBytes) chunks.push(chunk);
		});
		req.on('end', () => settle(received > limitBytes ? refusal(413, 'entity.too.large', `The body is larger than ${limitBytes} bytes`) : undefined));
		req.on('error', (error: Error) => settle(refusal(400, 'request.aborted', `The request body could not be read: ${error.message}`)));
	};
}
