import pino from 'pino';
import { maskPhone } from '../core/contacts';
import { LineBatch } from './log-batch';

/**
 * Structured JSON logs. Secrets and personal data never reach them: these paths are redacted
 * wherever they appear, and callers mask phone numbers before logging them.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
	// stdout, written in batches of about 4 kB (and at least once a second) rather than one write
	// per line: with a request line per page view, a write per line was one of the action page's
	// largest costs (docs/performance.md). The batching is LineBatch's, cheaper per line than
	// SonicBoom's minLength. Each batch is written synchronously, as pino's default destination
	// does: behind an asynchronous destination the same batching measured 18 MB more peak RSS, and a
	// stalled log reader would grow memory without bound instead of slowing the server down.
	destination ??= new LineBatch(pino.destination({ dest: 1, sync: true }));
	return pino({
		level,
		base: { service: 'barnum' },
		redact: {
			paths: [
				'req.headers.authorization',
				'req.headers.cookie',
				'req.headers["x-webhook-signature"]',
				'req.headers["webhook-signature"]',
				'req.headers["x-hub-signature-256"]',
				'password',
				'token',
				'*.password',
				'*.token',
				'phone',
				'*.phone',
				'*.*.phone',
			],
			// Phone numbers keep enough to tell them apart (+351*****5678); secrets keep nothing.
			censor: (value: unknown, path: string[]) =>
				path[path.length - 1] === 'phone' && typeof value === 'string' ? maskPhone(value) : '[redacted]',
		},
	}, destination);
}

export type Logger = pino.Logger;
