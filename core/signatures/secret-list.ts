/**
 * Secrets as operators write them: one per line, or separated by commas or spaces (during a
 * rotation, the new one first). `whsec_<base64>` secrets (Standard Webhooks) are used as their
 * decoded bytes; any other text as its UTF-8 bytes — the seed's WEBHOOK_SECRET, used as a plain
 * HMAC key. Barnum's sender (the push dispatcher) and its receivers (the Barnum Webhook Trigger,
 * /api/webhook) all read secrets this way, so one configured string works on both ends.
 */
export function parseSecretList(text: string | undefined | null): string[] {
	return (text ?? '')
		.split(/[\s,]+/)
		.map((s) => s.trim())
		.filter((s) => s.length > 0);
}

export function secretKey(secret: string): Uint8Array {
	if (secret.startsWith('whsec_')) {
		const decoded = Buffer.from(secret.slice('whsec_'.length), 'base64');
		if (decoded.length > 0) return new Uint8Array(decoded);
	}
	return new Uint8Array(Buffer.from(secret, 'utf8'));
}

export function secretKeys(text: string | undefined | null): Uint8Array[] {
	return parseSecretList(text).map(secretKey);
}
