import pino from 'pino';

/**
 * Structured JSON logs. Secrets and personal data never reach them: these paths are redacted
 * wherever they appear, and callers mask phone numbers before logging them.
 */
export function createLogger(level: string): pino.Logger {
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
			],
			censor: '[redacted]',
		},
	});
}

export type Logger = pino.Logger;
