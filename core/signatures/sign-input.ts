import { SignatureError } from './errors';
import { isDeliveryId } from './headers';
import { signingSecret } from './secrets';
import { isTimestamp, unixSeconds } from './timestamp';
import type { SecretInput, SignInput } from './types';

/** Signing input after checks; the schemes take what they need from it. */
export interface PreparedSign {
	body: Buffer;
	secret: SecretInput;
	/** Present when the caller gave one; schemes that need a timestamp call `timestamp()`. */
	id?: string;
	timestamp(): number;
}

function toBytes(body: unknown): Buffer {
	if (typeof body === 'string') return Buffer.from(body, 'utf8');
	if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	throw new SignatureError('body must be a string or bytes; send exactly these bytes');
}

export function prepareSign(body: unknown, input: SignInput): PreparedSign {
	if (typeof input !== 'object' || input === null) throw new SignatureError('sign needs { secret, timestamp?, id? }');
	const secret = signingSecret(input.secret);
	if (secret === undefined) throw new SignatureError('a non-empty secret is required to sign');
	const { id, timestamp } = input;
	if (id !== undefined && !(typeof id === 'string' && isDeliveryId(id))) {
		throw new SignatureError('id must be 1 to 256 visible ASCII characters');
	}
	if (timestamp !== undefined && !isTimestamp(timestamp)) {
		throw new SignatureError('timestamp must be unix seconds: a non-negative integer of at most 12 digits');
	}
	return {
		body: toBytes(body),
		secret,
		id,
		timestamp: () => timestamp ?? unixSeconds(new Date()),
	};
}
