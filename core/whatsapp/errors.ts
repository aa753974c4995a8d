/** What the Cloud API answered when it refused a request (Meta's `error` object). */
export class WhatsAppApiError extends Error {
	override name = 'WhatsAppApiError';
	constructor(
		message: string,
		readonly httpStatus: number | undefined,
		readonly code: number | undefined,
		readonly details?: string,
		readonly retryAfterSeconds?: number,
	) {
		super(message);
	}

	/** "(#131026) Message undeliverable" — Meta's own spelling, recognisable in logs and dead letters. */
	get summary(): string {
		// Meta's own messages often start with the code already: "(#130429) Rate limit hit".
		const prefix = this.code !== undefined && !this.message.startsWith(`(#${this.code})`) ? `(#${this.code}) ` : '';
		return `${prefix}${this.message}${this.details ? `: ${this.details}` : ''}`;
	}
}
