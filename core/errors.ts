/**
 * Errors the domain raises on purpose. `code` tells callers what happened without parsing text:
 * the n8n nodes turn these into NodeOperationErrors, the server into 400/404/409 responses.
 */
export type BarnumErrorCode = 'invalid_input' | 'not_found' | 'illegal_transition' | 'conflict';

export class BarnumError extends Error {
	override name = 'BarnumError';
	constructor(
		readonly code: BarnumErrorCode,
		message: string,
		readonly details: Record<string, unknown> = {},
	) {
		super(message);
	}
}
