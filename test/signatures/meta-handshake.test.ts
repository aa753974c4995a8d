import fc from 'fast-check';
import { verifyMetaHandshake } from '../../core/signatures';

const TOKEN = 'handshake-fixture-token';
const query = (overrides: Record<string, unknown> = {}) => ({
	'hub.mode': 'subscribe',
	'hub.verify_token': TOKEN,
	'hub.challenge': '1158201444',
	...overrides,
});

describe('verifyMetaHandshake', () => {
	test('answers the challenge for subscribe with the right token (Express flat query)', () => {
		expect(verifyMetaHandshake(query(), TOKEN)).toEqual({ ok: true, challenge: '1158201444' });
	});

	test('reads the nested form qs produces and URLSearchParams', () => {
		const nested = { hub: { mode: 'subscribe', verify_token: TOKEN, challenge: '42' } };
		expect(verifyMetaHandshake(nested, TOKEN)).toEqual({ ok: true, challenge: '42' });
		const params = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': TOKEN, 'hub.challenge': '7' });
		expect(verifyMetaHandshake(params, TOKEN)).toEqual({ ok: true, challenge: '7' });
	});

	test.each([
		['a wrong token', query({ 'hub.verify_token': `${TOKEN}x` }), 'token_mismatch'],
		['a token differing in case', query({ 'hub.verify_token': TOKEN.toUpperCase() }), 'token_mismatch'],
		['an empty token', query({ 'hub.verify_token': '' }), 'token_mismatch'],
		['mode unsubscribe', query({ 'hub.mode': 'unsubscribe' }), 'not_subscribe'],
		['mode in another case', query({ 'hub.mode': 'Subscribe' }), 'not_subscribe'],
		['no mode', query({ 'hub.mode': undefined }), 'missing_parameter'],
		['no token', query({ 'hub.verify_token': undefined }), 'missing_parameter'],
		['no challenge', query({ 'hub.challenge': undefined }), 'missing_parameter'],
		['a repeated token', query({ 'hub.verify_token': [TOKEN, TOKEN] }), 'ambiguous_parameter'],
		['a token given flat and nested', { ...query(), hub: { verify_token: TOKEN } }, 'ambiguous_parameter'],
		['an object as token', query({ 'hub.verify_token': { $ne: '' } }), 'ambiguous_parameter'],
		['markup as challenge', query({ 'hub.challenge': '<script>alert(1)</script>' }), 'invalid_challenge'],
		['an empty challenge', query({ 'hub.challenge': '' }), 'invalid_challenge'],
		['no query at all', undefined, 'missing_parameter'],
	])('refuses %s', (_label, input, reason) => {
		expect(verifyMetaHandshake(input, TOKEN)).toMatchObject({ ok: false, reason, message: expect.any(String) });
	});

	test('refuses everything when no verify token is configured', () => {
		expect(verifyMetaHandshake(query({ 'hub.verify_token': '' }), '')).toMatchObject({
			ok: false,
			reason: 'no_verify_token',
		});
	});

	test('accepts a one-element array, as repeated-parameter parsers produce', () => {
		expect(verifyMetaHandshake(query({ 'hub.challenge': ['99'] }), TOKEN)).toEqual({ ok: true, challenge: '99' });
	});

	test('never throws and only succeeds with the configured token', () => {
		fc.assert(
			fc.property(fc.anything(), fc.string({ minLength: 1 }), (input, expected) => {
				const result = verifyMetaHandshake(input, expected);
				if (result.ok) expect(result.challenge).toMatch(/^[A-Za-z0-9._~-]+$/);
			}),
		);
		fc.assert(
			fc.property(fc.string(), fc.string({ minLength: 1 }), (sent, expected) => {
				const result = verifyMetaHandshake(query({ 'hub.verify_token': sent }), expected);
				expect(result.ok).toBe(sent === expected);
			}),
		);
	});
});
