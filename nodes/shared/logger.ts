import type { Logger } from 'n8n-workflow';
import type { CoreLogger } from '../../core/db/types';

/** Core code logs (fields, message); n8n's logger takes (message, fields). */
export function nodeLogger(logger: Logger): CoreLogger {
	return {
		info: (fields, message) => logger.info(message ?? 'barnum', fields as Record<string, unknown>),
		warn: (fields, message) => logger.warn(message ?? 'barnum', fields as Record<string, unknown>),
		error: (fields, message) => logger.error(message ?? 'barnum', fields as Record<string, unknown>),
	};
}
