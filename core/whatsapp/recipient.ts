import { E164, maskPhone } from '../contacts';
import { WhatsAppApiError } from './errors';

/**
 * A recipient no retry can reach, refused before the Cloud API is called: the event it carries
 * goes straight to dead letter (a permanent failure) with this reason.
 */
export class InvalidRecipientError extends WhatsAppApiError {
	override name = 'InvalidRecipientError';
	constructor(reason: string) {
		super(reason, undefined, undefined);
	}
}

/** Why `to` cannot be sent to, or undefined when it is an E.164 number. */
export function invalidRecipient(to: string | null | undefined): string | undefined {
	const value = (to ?? '').trim();
	if (value === '') {
		// The usual cause: a resort guest's number stays encrypted without the guest data key.
		return "invalid recipient: no phone number (a resort guest's is opened only with the Guest Data Key of the Barnum Postgres credential)";
	}
	if (!E164.test(value)) return `invalid recipient: "${maskPhone(value)}" is not a phone number in E.164 form, such as +351912345678`;
	return undefined;
}
