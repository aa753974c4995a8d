/**
 * Raised only by signing, whose inputs come from our own configuration: a bad secret or id there
 * is a programming error worth surfacing. Verification never throws; it returns a failure result.
 */
export class SignatureError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SignatureError';
	}
}
