import fc from 'fast-check';
import { decodeBase64, decodeHex } from '../../core/signatures/encoding';
import { readHeader } from '../../core/signatures/headers';
import { digestsEqual, findMatchingKey, hmac, stringsEqual } from '../../core/signatures/hmac';
import { checkTolerance, parseTimestamp } from '../../core/signatures/timestamp';
import { standardWebhooksKey } from '../../core/signatures/standard-webhooks';

describe('hmac', () => {
	test('digestsEqual is false for different lengths instead of throwing', () => {
		expect(digestsEqual(Buffer.alloc(32), Buffer.alloc(31))).toBe(false);
		expect(digestsEqual(Buffer.alloc(32, 1), Buffer.alloc(32, 1))).toBe(true);
	});

	test('stringsEqual compares any two strings', () => {
		fc.assert(fc.property(fc.string(), fc.string(), (a, b) => expect(stringsEqual(a, b)).toBe(a === b)));
	});

	test('findMatchingKey reports the first matching key in caller order', () => {
		const message = [Buffer.from('m')];
		const keys = [0, 1, 2].map((index) => ({ index: index * 10, key: Buffer.from(`k${index % 2}`) }));
		const signature = hmac('sha256', Buffer.from('k1'), ...message);
		expect(findMatchingKey('sha256', keys, message, [Buffer.alloc(32), signature])).toBe(10);
		expect(findMatchingKey('sha256', keys, message, [Buffer.alloc(32)])).toBeUndefined();
	});
});

describe('encoding', () => {
	test('hex must be lowercase and exactly the digest length', () => {
		const digest = 'ab'.repeat(32);
		expect(decodeHex(digest, 32)).toEqual(Buffer.alloc(32, 0xab));
		for (const bad of [
			digest.toUpperCase(),
			digest.slice(1),
			`${digest}a`,
			`${digest.slice(2)}zz`,
			` ${digest.slice(1)}`,
		]) {
			expect(decodeHex(bad, 32)).toBeUndefined();
		}
	});

	test('base64 must be canonical, padded and exactly the digest length', () => {
		fc.assert(
			fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
				const text = Buffer.from(bytes).toString('base64');
				expect(decodeBase64(text, 32)).toEqual(Buffer.from(bytes));
				expect(decodeBase64(text.replace(/=+$/, ''), 32)).toBeUndefined();
				expect(decodeBase64(text.replaceAll('+', '-').replaceAll('/', '_'), 32) ?? 'rejected').toEqual(
					/[+/]/.test(text) ? 'rejected' : Buffer.from(bytes),
				);
			}),
		);
		// 'B' differs from 'A' only in bits that 32 bytes leave unused: Node decodes both the same.
		const zero = Buffer.alloc(32).toString('base64');
		expect(decodeBase64(`${zero.slice(0, -2)}B=`, 32)).toBeUndefined();
	});
});

describe('readHeader', () => {
	test('is case-insensitive and ASCII-only', () => {
		expect(readHeader({ 'X-Webhook-Signature': 'v' }, 'x-webhook-signature')).toBe('v');
		expect(readHeader({ 'x-webhoo\u212a-signature': 'v' }, 'X-Webhook-Signature')).toBeUndefined();
	});

	test('treats undefined and empty arrays as absent, one-element arrays as the value', () => {
		expect(readHeader({ a: undefined }, 'a')).toBeUndefined();
		expect(readHeader({ a: [] }, 'a')).toBeUndefined();
		expect(readHeader({ a: ['v'] }, 'a')).toBe('v');
		expect(readHeader(null, 'a')).toBeUndefined();
	});

	test('refuses repeats and non-text values', () => {
		expect(readHeader({ a: ['v', 'v'] }, 'a')).toMatchObject({ reason: 'ambiguous_header' });
		expect(readHeader({ a: 'v', A: 'v' }, 'a')).toMatchObject({ reason: 'ambiguous_header' });
		expect(readHeader({ a: 1 }, 'a')).toMatchObject({ reason: 'malformed_header' });
	});
});

describe('timestamps', () => {
	test('only plain digits, at most 12, no leading zero', () => {
		expect(parseTimestamp('1760000000')).toBe(1_760_000_000);
		expect(parseTimestamp('0')).toBe(0);
		expect(parseTimestamp('999999999999')).toBe(999_999_999_999);
		for (const bad of [
			'',
			'1e9',
			'Infinity',
			'-1',
			'+1',
			'1.0',
			' 1',
			'1 ',
			'12abc',
			'0x10',
			'01',
			'1000000000000',
			'١٢٣',
		]) {
			expect(parseTimestamp(bad)).toBeUndefined();
		}
	});

	test('tolerance is inclusive on both sides', () => {
		expect(checkTolerance(700, 1000, 300)).toBeUndefined();
		expect(checkTolerance(1300, 1000, 300)).toBeUndefined();
		expect(checkTolerance(699, 1000, 300)).toMatchObject({ reason: 'timestamp_too_old' });
		expect(checkTolerance(1301, 1000, 300)).toMatchObject({ reason: 'timestamp_in_future' });
	});
});

describe('standardWebhooksKey', () => {
	test('decodes whsec_ and bare base64 alike, raw only on request', () => {
		const key = Buffer.from('0123456789abcdef0123');
		const encoded = key.toString('base64');
		expect(standardWebhooksKey(`whsec_${encoded}`, undefined)).toEqual(key);
		expect(standardWebhooksKey(encoded, 'base64')).toEqual(key);
		expect(standardWebhooksKey(encoded.replace(/=+$/, ''), undefined)).toEqual(key);
		expect(standardWebhooksKey('whsec_', undefined)).toBeUndefined();
		expect(standardWebhooksKey('not base64!', undefined)).toBeUndefined();
		expect(standardWebhooksKey('not base64!', 'raw')).toEqual(Buffer.from('not base64!'));
	});
});
