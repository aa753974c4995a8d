import { randomBytes } from 'node:crypto';

/**
 * Message ids shaped like Meta's: `wamid.` + base64 of a small record holding the customer's
 * number, a direction byte and a random hex id. Receivers should treat wamids as opaque; making
 * them look real (long, base64 with `=` padding) catches code that assumes a short or URL-safe id.
 */
export function wamid(customerDigits: string, direction: 'outbound' | 'inbound'): string {
	const id = randomBytes(direction === 'outbound' ? 9 : 10).toString('hex').toUpperCase();
	const record = Buffer.concat([
		Buffer.from([0x1c, 0x18, customerDigits.length]),
		Buffer.from(customerDigits, 'ascii'),
		Buffer.from([0x15, 0x02, 0x00, direction === 'outbound' ? 0x11 : 0x12, 0x18, id.length]),
		Buffer.from(id, 'ascii'),
		Buffer.from([0x00]),
	]);
	return `wamid.${record.toString('base64')}`;
}

/** Conversation ids in status webhooks are 32 hex characters. */
export function conversationId(): string {
	return randomBytes(16).toString('hex');
}
