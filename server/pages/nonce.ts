import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * A form nonce bound to the link's token and action: the page's form carries one, and a POST
 * without a fresh, matching nonce acts on nothing. A request forged elsewhere (or a bot replaying
 * a bare POST) has no nonce; a page left open past `maxAgeMs` asks for a second press.
 */
export class FormNonce {
	private readonly key: KeyObject;
	// Date.now() is no small integer, so each toString(36) is a runtime call: the pages issued in
	// the same millisecond share one.
	private issuedAt = -1;
	private issuedAtText = '';

	constructor(
		secret: string | undefined,
		private readonly maxAgeMs = 2 * 60 * 60 * 1000,
	) {
		// Without a configured secret each process has its own key: fine for one instance, and
		// documented (ACTION_NONCE_SECRET) for several behind a load balancer.
		// A KeyObject is imported once; a Buffer key would be imported again on every HMAC.
		this.key = createSecretKey(secret ? Buffer.from(secret, 'utf8') : randomBytes(32));
	}

	issue(token: string, action: string, now = Date.now()): string {
		if (now !== this.issuedAt) {
			this.issuedAt = now;
			this.issuedAtText = now.toString(36);
		}
		return `${this.issuedAtText}.${this.mac(token, action, now)}`;
	}

	check(nonce: unknown, token: string, action: string, now = Date.now()): boolean {
		if (typeof nonce !== 'string') return false;
		const match = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(nonce);
		if (!match) return false;
		const issuedAt = parseInt(match[1], 36);
		if (!(issuedAt <= now + 60_000 && now - issuedAt <= this.maxAgeMs)) return false;
		const expected = Buffer.from(this.mac(token, action, issuedAt));
		const given = Buffer.from(match[2]);
		return expected.length === given.length && timingSafeEqual(expected, given);
	}

	private mac(token: string, action: string, issuedAt: number): string {
		return createHmac('sha256', this.key).update(`${issuedAt}.${action}.${token}`).digest('base64url');
	}
}
