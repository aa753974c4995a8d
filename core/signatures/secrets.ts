import { fail } from './result';
import type { HmacKey } from './hmac';
import type { SecretInput, VerificationFailure } from './types';

export interface IndexedSecret {
	index: number;
	secret: SecretInput;
}

function isUsable(value: unknown): value is SecretInput {
	return (typeof value === 'string' || value instanceof Uint8Array) && value.length > 0;
}

function isEmptySlot(value: unknown): boolean {
	return value === undefined || value === null || value === '';
}

/**
 * The caller's secrets with their positions. Empty slots are skipped, because a configuration
 * with an optional "previous secret" field usually leaves it blank; anything else that is not a
 * non-empty string or byte array is a configuration mistake and fails loudly.
 */
export function collectSecrets(input: unknown): IndexedSecret[] | VerificationFailure {
	const list: readonly unknown[] = Array.isArray(input) ? input : [input];
	const secrets: IndexedSecret[] = [];
	for (const [index, secret] of list.entries()) {
		if (isEmptySlot(secret)) continue;
		if (!isUsable(secret)) return fail('invalid_secret', `secret #${index} must be a non-empty string or byte array`);
		secrets.push({ index, secret });
	}
	if (secrets.length === 0) return fail('no_secret', 'no secret is configured');
	return secrets;
}

export function utf8Key(secret: SecretInput): Uint8Array {
	return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
}

/** The schemes whose HMAC key is simply the secret's bytes. */
export function utf8Keys(secrets: readonly IndexedSecret[]): HmacKey[] {
	return secrets.map(({ index, secret }) => ({ index, key: utf8Key(secret) }));
}

/** Signing uses the first usable secret: during a rotation the new one goes first. */
export function signingSecret(input: unknown): SecretInput | undefined {
	const secrets = collectSecrets(input);
	return Array.isArray(secrets) ? secrets[0]?.secret : undefined;
}
