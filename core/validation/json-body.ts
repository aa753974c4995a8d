import { eachString, findUnstorable, pathName } from './json';
import { decodeMarkingBadBytes, decodeUtf8 } from './utf8';

export type JsonBody =
	| { ok: true; body: unknown }
	| { ok: false; status: 400 | 415; error: 'unsupported_media_type' | 'invalid_encoding' | 'invalid_json' | 'invalid_input'; message: string };

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/**
 * Whether a Content-Type header says JSON in UTF-8 (application/json or a +json type, with no
 * charset or charset=utf-8). A signed body sent as text/plain, a form or XML is a sender's mistake
 * to refuse (415), not something to parse as JSON anyway.
 */
export function isJsonContentType(header: string | undefined): boolean {
	if (typeof header !== 'string') return false;
	const [type, ...parameters] = header.split(';');
	if (!JSON_TYPE.test(type.trim().toLowerCase())) return false;
	return parameters.every((parameter) => {
		const [name, value = ''] = parameter.split('=');
		return name.trim().toLowerCase() !== 'charset' || /^"?utf-8"?$/i.test(value.trim());
	});
}

export const JSON_ONLY = 'Send the body as application/json (UTF-8)';

/**
 * The JSON document the bytes hold, refused whole when it is not UTF-8 (400 naming the field the
 * broken bytes are in), not JSON, or carries text no PostgreSQL column stores (400 naming it).
 */
export function readJsonBody(raw: Uint8Array): JsonBody {
	const text = decodeUtf8(raw);
	if (text === undefined) {
		return { ok: false, status: 400, error: 'invalid_encoding', message: `${whereBytesBreak(raw)}: is not valid UTF-8` };
	}
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		return { ok: false, status: 400, error: 'invalid_json', message: 'The body is not valid JSON' };
	}
	const unstorable = findUnstorable(body);
	if (unstorable) return { ok: false, status: 400, error: 'invalid_input', message: `${pathName(unstorable.path)}: ${unstorable.message}` };
	return { ok: true, body };
}

/** The fields whose text holds the broken bytes, or `body` when they are outside any string. */
function whereBytesBreak(raw: Uint8Array): string {
	let marked: unknown;
	try {
		marked = JSON.parse(decodeMarkingBadBytes(raw));
	} catch {
		return 'body';
	}
	const paths: string[] = [];
	eachString(marked, (text, path) => {
		if (text.includes('\uFFFD')) paths.push(pathName(path));
		return paths.length === 5;
	});
	return paths.length > 0 ? paths.join(', ') : 'body';
}
