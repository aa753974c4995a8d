import type { Request, RequestHandler, Response } from 'express';
import { JSON_ONLY, isJsonContentType, readJsonBody } from '../../core/validation/json-body';

/**
 * The JSON endpoints' answers for what no handler takes: a method the path does not serve (405,
 * with Allow), a body that is not JSON (415). Always JSON, never Express's HTML page. An unknown
 * path is routes/home.ts's unservedPath.
 */
export function methodNotAllowed(allow: string): RequestHandler {
	return (req, res) => {
		res.status(405).set('allow', allow).json({ success: false, error: 'method_not_allowed', message: `${req.method} is not served here; use ${allow}` });
	};
}

/** How a route answers: plain JSON, or through its own logging (the booking receiver). */
type Answer = (status: number, body: Record<string, unknown>) => void;

const sendJson = (res: Response): Answer => (status, body) => void res.status(status).json(body);

/** Sends the 415 and returns false unless the request says its body is JSON. */
export function requireJson(req: Request, res: Response, answer: Answer = sendJson(res)): boolean {
	if (isJsonContentType(req.headers['content-type'])) return true;
	answer(415, { success: false, error: 'unsupported_media_type', message: JSON_ONLY });
	return false;
}

/** The body's JSON document, or undefined after a 400 that names the field (broken UTF-8, NUL, not JSON). */
export function jsonBodyOr400(raw: Buffer, res: Response, answer: Answer = sendJson(res)): { body: unknown } | undefined {
	const read = readJsonBody(raw);
	if (read.ok) return { body: read.body };
	answer(read.status, { success: false, error: read.error, message: read.message });
	return undefined;
}
