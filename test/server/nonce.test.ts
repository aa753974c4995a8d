import { FormNonce } from '../../server/pages/nonce';

const TOKEN = 'a'.repeat(43);
const OTHER = 'b'.repeat(43);

test('a nonce carries its issue time in base 36 and checks only for its own token and action', () => {
	const nonces = new FormNonce('secret-for-tests');
	const at = Date.UTC(2030, 6, 1, 9, 30);
	const nonce = nonces.issue(TOKEN, 'confirm', at);
	expect(nonce.split('.')[0]).toBe(at.toString(36));
	expect(nonces.check(nonce, TOKEN, 'confirm', at + 1000)).toBe(true);
	expect(nonces.check(nonce, OTHER, 'confirm', at + 1000)).toBe(false);
	expect(nonces.check(nonce, TOKEN, 'cancel', at + 1000)).toBe(false);
	// Too old, and from the future.
	expect(nonces.check(nonce, TOKEN, 'confirm', at + 2 * 60 * 60 * 1000 + 1)).toBe(false);
	expect(nonces.check(nonce, TOKEN, 'confirm', at - 60_001)).toBe(false);
});

test('nonces issued in the same millisecond and in the next one each carry their own time and MAC', () => {
	const nonces = new FormNonce('secret-for-tests');
	const at = Date.UTC(2030, 6, 1, 9, 30);
	const first = nonces.issue(TOKEN, 'confirm', at);
	const second = nonces.issue(OTHER, 'confirm', at);
	const later = nonces.issue(TOKEN, 'confirm', at + 1);
	expect(second.split('.')[0]).toBe(first.split('.')[0]);
	expect(second).not.toBe(first);
	expect(later.split('.')[0]).toBe((at + 1).toString(36));
	expect(later).not.toBe(first);
	for (const [nonce, token] of [[first, TOKEN], [second, OTHER], [later, TOKEN]]) expect(nonces.check(nonce, token, 'confirm', at + 10)).toBe(true);
	// Another process's key (no ACTION_NONCE_SECRET) refuses them.
	expect(new FormNonce(undefined).check(first, TOKEN, 'confirm', at + 10)).toBe(false);
});
