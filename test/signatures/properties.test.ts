import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { sign, verifyWebhook, type SignatureScheme, type VerificationResult } from '../../core/signatures';
import { CUSTOM_FULL, NOW, NOW_SECONDS, SCHEME_CASES, type SchemeCase } from './schemes';

const FAILURE_REASONS = [
	'unsupported_scheme',
	'invalid_options',
	'invalid_body',
	'no_secret',
	'invalid_secret',
	'missing_header',
	'ambiguous_header',
	'malformed_header',
	'malformed_timestamp',
	'timestamp_too_old',
	'timestamp_in_future',
	'signature_mismatch',
	'internal_error',
];

type Headers = Record<string, string | string[] | undefined>;

function verify(
	schemeCase: SchemeCase,
	headers: unknown,
	rawBody: Uint8Array,
	secrets: unknown,
	extra: Record<string, unknown> = {},
): VerificationResult {
	return verifyWebhook(schemeCase.scheme, {
		headers,
		rawBody,
		secrets,
		now: NOW,
		...schemeCase.options,
		...extra,
	} as never);
}

function signed(schemeCase: SchemeCase, body: Uint8Array, secret: string, timestamp = NOW_SECONDS): Headers {
	return sign(schemeCase.scheme, schemeCase.options as never, body, { secret, timestamp, id: 'delivery-1' });
}

/** The actual key under which `sign` put a header (names are compared case-insensitively). */
function keyOf(headers: Headers, name: string): string {
	return Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase()) ?? name;
}

function expectRejected(result: VerificationResult) {
	expect(result.ok).toBe(false);
	if (!result.ok) {
		expect(FAILURE_REASONS).toContain(result.reason);
		expect(typeof result.message).toBe('string');
	}
}

const body = fc.uint8Array({ maxLength: 512 });
const headerValue = fc.oneof(
	fc.string({ unit: 'binary' }),
	fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 }),
	fc.constant(undefined),
);

/** Any casing of a header name, as a proxy might forward it. */
function anyCase(name: string): fc.Arbitrary<string> {
	return fc
		.array(fc.boolean(), { minLength: name.length, maxLength: name.length })
		.map((upper) => [...name].map((char, i) => (upper[i] ? char.toUpperCase() : char.toLowerCase())).join(''));
}

/** A different character in place of position `index`. */
function replaceCharacter(text: string, index: number, replacement: string): string {
	return text.slice(0, index) + replacement + text.slice(index + 1);
}

function recase(text: string, flips: readonly boolean[]): string {
	return [...text]
		.map((char, i) =>
			flips[i % flips.length] ? (char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase()) : char,
		)
		.join('');
}

describe.each(SCHEME_CASES.map((schemeCase) => [schemeCase.name, schemeCase] as const))('%s', (_name, schemeCase) => {
	const knownNames = [...new Set([...schemeCase.signedHeaders, 'X-GitHub-Delivery', 'X-Shop-Delivery', 'webhook-id'])];

	test('arbitrary headers never throw and never verify', () => {
		const headers = fc.oneof(
			fc.dictionary(fc.string(), headerValue),
			fc
				.tuple(...knownNames.map((name) => fc.tuple(anyCase(name), headerValue)))
				.map((entries) => Object.fromEntries(entries) as Headers),
		);
		fc.assert(
			fc.property(headers, body, schemeCase.secret, (hostile, raw, secret) => {
				expectRejected(verify(schemeCase, hostile, raw, [secret]));
			}),
		);
	});

	test('arbitrary input of any type never throws', () => {
		fc.assert(
			fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), (headers, rawBody, secrets, extra) => {
				const result = verifyWebhook(schemeCase.scheme, {
					headers,
					rawBody,
					secrets,
					now: NOW,
					...schemeCase.options,
					...(typeof extra === 'object' && extra !== null ? extra : {}),
				} as never);
				expect(typeof result.ok).toBe('boolean');
			}),
		);
	});

	test('random bodies signed then verified round-trip, also with a secret rotated in', () => {
		fc.assert(
			fc.property(body, schemeCase.secret, schemeCase.secret, (raw, secret, other) => {
				const headers = signed(schemeCase, raw, secret);
				expect(verify(schemeCase, headers, raw, [secret])).toMatchObject({
					ok: true,
					scheme: schemeCase.scheme,
					secretIndex: 0,
				});
				fc.pre(other !== secret);
				expect(verify(schemeCase, headers, raw, [other, secret])).toMatchObject({ ok: true, secretIndex: 1 });
			}),
		);
	});

	test('Node-style lowercase headers and one-element arrays are read like plain values', () => {
		fc.assert(
			fc.property(body, schemeCase.secret, (raw, secret) => {
				const headers = signed(schemeCase, raw, secret);
				const distinct = Object.fromEntries(
					Object.entries(headers).map(([name, value]) => [name.toLowerCase(), [value]]),
				);
				expect(verify(schemeCase, distinct, raw, [secret]).ok).toBe(true);
			}),
		);
	});

	test('a repeated signed header is ambiguous, even when both copies are valid', () => {
		fc.assert(
			fc.property(body, schemeCase.secret, fc.constantFrom(...schemeCase.signedHeaders), (raw, secret, name) => {
				const headers = signed(schemeCase, raw, secret);
				const key = keyOf(headers, name);
				const value = headers[key] as string;
				expect(verify(schemeCase, { ...headers, [key]: [value, value] }, raw, [secret])).toMatchObject({
					ok: false,
					reason: 'ambiguous_header',
				});
				const twoSpellings = { ...headers, [key.toUpperCase()]: value, [key.toLowerCase()]: value };
				expect(verify(schemeCase, twoSpellings, raw, [secret])).toMatchObject({
					ok: false,
					reason: 'ambiguous_header',
				});
			}),
		);
	});

	test('a signature for a different body is rejected', () => {
		fc.assert(
			fc.property(body, body, schemeCase.secret, (signedBody, otherBody, secret) => {
				fc.pre(!Buffer.from(signedBody).equals(Buffer.from(otherBody)));
				const headers = signed(schemeCase, signedBody, secret);
				expect(verify(schemeCase, headers, otherBody, [secret])).toMatchObject({
					ok: false,
					reason: 'signature_mismatch',
				});
			}),
		);
	});

	test('a signature made with another secret is rejected', () => {
		fc.assert(
			fc.property(body, schemeCase.secret, schemeCase.secret, (raw, secret, other) => {
				fc.pre(secret !== other);
				const headers = signed(schemeCase, raw, other);
				expect(verify(schemeCase, headers, raw, [secret])).toMatchObject({ ok: false, reason: 'signature_mismatch' });
			}),
		);
	});

	test('any single character changed in a signed header is rejected', () => {
		fc.assert(
			fc.property(
				body,
				schemeCase.secret,
				fc.constantFrom(...schemeCase.signedHeaders),
				fc.nat(),
				fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
				(raw, secret, name, position, replacement) => {
					const headers = signed(schemeCase, raw, secret);
					const key = keyOf(headers, name);
					const value = headers[key] as string;
					const index = position % value.length;
					fc.pre(value[index] !== replacement);
					expectRejected(
						verify(schemeCase, { ...headers, [key]: replaceCharacter(value, index, replacement) }, raw, [secret]),
					);
				},
			),
		);
	});

	test('a truncated signature header is rejected', () => {
		fc.assert(
			fc.property(body, schemeCase.secret, fc.nat(), (raw, secret, cut) => {
				const headers = signed(schemeCase, raw, secret);
				const key = keyOf(headers, schemeCase.signatureHeader);
				const value = headers[key] as string;
				expectRejected(verify(schemeCase, { ...headers, [key]: value.slice(0, cut % value.length) }, raw, [secret]));
			}),
		);
	});

	// Standard Webhooks separates signatures with spaces and Stripe separates elements with commas,
	// so appending " v1,..." or ",v0=..." legitimately adds an entry; extending the digest itself
	// must fail.
	test('an extended signature is rejected', () => {
		const suffix = fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }).filter((text) => !/[ ,]/.test(text));
		fc.assert(
			fc.property(body, schemeCase.secret, suffix, (raw, secret, extra) => {
				const headers = signed(schemeCase, raw, secret);
				const key = keyOf(headers, schemeCase.signatureHeader);
				expectRejected(verify(schemeCase, { ...headers, [key]: `${headers[key] as string}${extra}` }, raw, [secret]));
			}),
		);
	});

	test(`a re-cased ${schemeCase.encoding} digest is rejected`, () => {
		fc.assert(
			fc.property(
				body,
				schemeCase.secret,
				fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
				(raw, secret, flips) => {
					const headers = signed(schemeCase, raw, secret);
					const key = keyOf(headers, schemeCase.signatureHeader);
					const value = headers[key] as string;
					// Only the digest is re-cased: after the last ',' or '=' that precedes it.
					const start = schemeCase.scheme === 'stripe' ? value.lastIndexOf('=') + 1 : value.search(/[^,=]*={0,2}$/);
					const digest = value.slice(start);
					const recased = recase(digest, flips);
					fc.pre(recased !== digest);
					expectRejected(verify(schemeCase, { ...headers, [key]: value.slice(0, start) + recased }, raw, [secret]));
				},
			),
		);
	});
});

const timedCases = SCHEME_CASES.filter(
	(schemeCase) => schemeCase.timestampHeader !== undefined || schemeCase.embedsTimestamp === true,
);

describe.each(timedCases.map((schemeCase) => [schemeCase.name, schemeCase] as const))(
	'%s tolerance',
	(_name, schemeCase) => {
		test('timestamps outside the window are rejected both ways, inside accepted', () => {
			fc.assert(
				fc.property(
					body,
					schemeCase.secret,
					fc.integer({ min: -1000, max: 1000 }),
					fc.integer({ min: 0, max: 600 }),
					(raw, secret, offset, tolerance) => {
						const headers = signed(schemeCase, raw, secret, NOW_SECONDS + offset);
						const result = verify(schemeCase, headers, raw, [secret], { toleranceSeconds: tolerance });
						if (Math.abs(offset) <= tolerance)
							expect(result).toMatchObject({ ok: true, timestamp: NOW_SECONDS + offset });
						else
							expect(result).toMatchObject({
								ok: false,
								reason: offset < 0 ? 'timestamp_too_old' : 'timestamp_in_future',
							});
					},
				),
			);
		});
	},
);

/** Timestamps that Number()/parseInt() would take, or that are out of range. */
const junkTimestamp = fc.oneof(
	fc.constantFrom(
		'Infinity',
		'-Infinity',
		'NaN',
		'1e9',
		'1.76e9',
		'0x68E5CF00',
		'0b1',
		'+1760000000',
		' 1760000000',
		'1760000000 ',
		'01760000000',
		'',
	),
	fc.nat().map((n) => `-${n}`),
	fc
		.tuple(fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }))
		.map(([n, junk]) => `${n}${junk}`)
		.filter((text) => !/^\d+$/.test(text)),
	fc.bigInt({ min: 10n ** 12n, max: 10n ** 40n }).map(String),
	fc
		.double({ noNaN: true })
		.filter((n) => !Number.isInteger(n))
		.map(String),
);

function hmacHex(secret: string, content: string, raw: Uint8Array): string {
	return createHmac('sha256', secret).update(content, 'utf8').update(raw).digest('hex');
}

describe('strict timestamps', () => {
	const stripe = SCHEME_CASES.find((schemeCase) => schemeCase.scheme === 'stripe')!;

	test('stripe: junk t= is rejected even when correctly signed over its own text', () => {
		fc.assert(
			fc.property(body, junkTimestamp, (raw, t) => {
				const header = `t=${t},v1=${hmacHex('stripe-fixture', `${t}.`, raw)}`;
				const result = verify(stripe, { 'stripe-signature': header }, raw, ['stripe-fixture']);
				expect(result).toMatchObject({ ok: false });
				if (!result.ok) expect(['malformed_timestamp', 'malformed_header']).toContain(result.reason);
			}),
		);
	});

	test('stripe: repeated t= is rejected, whatever the values', () => {
		fc.assert(
			fc.property(body, fc.constantFrom(0, 1, 300), (raw, delta) => {
				const t = NOW_SECONDS;
				const v1 = hmacHex('stripe-fixture', `${t}.`, raw);
				for (const header of [`t=${t},t=${t - delta},v1=${v1}`, `t=${t},v1=${v1},t=${t + delta}`]) {
					expect(verify(stripe, { 'stripe-signature': header }, raw, ['stripe-fixture'])).toMatchObject({
						ok: false,
						reason: 'malformed_header',
					});
				}
			}),
		);
	});

	test('stripe: the signature header name is configurable', () => {
		const raw = Buffer.from('{"a":1}');
		const headers = sign('stripe', { signatureHeader: 'X-Acme-Signature' }, raw, {
			secret: 'stripe-fixture',
			timestamp: NOW_SECONDS,
		});
		expect(Object.keys(headers)).toEqual(['X-Acme-Signature']);
		expect(verify(stripe, headers, raw, ['stripe-fixture'], { signatureHeader: 'x-acme-signature' }).ok).toBe(true);
		expect(verify(stripe, headers, raw, ['stripe-fixture']).ok).toBe(false);
	});

	test.each([
		['standard-webhooks', 'webhook-timestamp'],
		['custom', CUSTOM_FULL.timestampHeader],
	] as const)('%s: junk in the timestamp header is rejected', (scheme, timestampHeader) => {
		const schemeCase = SCHEME_CASES.find(
			(candidate) => candidate.scheme === scheme && candidate.timestampHeader !== undefined,
		)!;
		fc.assert(
			fc.property(body, schemeCase.secret, junkTimestamp, (raw, secret, t) => {
				const headers = signed(schemeCase, raw, secret);
				const key = keyOf(headers, timestampHeader);
				expect(verify(schemeCase, { ...headers, [key]: t }, raw, [secret])).toMatchObject({
					ok: false,
					reason: t === '' ? expect.stringMatching(/^malformed_/) : 'malformed_timestamp',
				});
			}),
		);
	});
});

describe('multiple signatures in one header', () => {
	const standard = SCHEME_CASES.find((schemeCase) => schemeCase.scheme === 'standard-webhooks')!;

	test('standard-webhooks: any valid v1 among junk and unknown versions verifies', () => {
		const entry = fc.oneof(
			fc.string({ unit: 'binary', maxLength: 50 }).filter((text) => !text.includes(' ')),
			fc.base64String().map((text) => `v1a,${text}`),
			fc.base64String().map((text) => `v1,${text}`),
		);
		fc.assert(
			fc.property(
				body,
				standard.secret,
				fc.array(entry, { maxLength: 4 }),
				fc.array(entry, { maxLength: 4 }),
				(raw, secret, before, after) => {
					const headers = signed(standard, raw, secret);
					const header = [...before, headers['webhook-signature'] as string, ...after].join(' ');
					expect(verify(standard, { ...headers, 'webhook-signature': header }, raw, [secret]).ok).toBe(true);
				},
			),
		);
	});
});

describe('sign', () => {
	test('uses the first usable secret of a list', () => {
		const raw = Buffer.from('x');
		const first = sign('barnum-legacy', {}, raw, { secret: ['', 'new-one', 'old-one'] });
		expect(first).toEqual(sign('barnum-legacy', {}, raw, { secret: 'new-one' }));
	});

	test('standard-webhooks generates an id and timestamp when none are given', () => {
		const raw = Buffer.from('{"event":"x"}');
		const secret = `whsec_${Buffer.from('fixture key for tests').toString('base64')}`;
		const headers = sign('standard-webhooks', {}, raw, { secret });
		expect(headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
		expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
		expect(verifyWebhook('standard-webhooks', { headers, rawBody: raw, secrets: [secret] })).toMatchObject({
			ok: true,
		});
	});

	test.each([
		['an empty secret', { secret: '' }],
		['a fractional timestamp', { secret: 's', timestamp: 1.5 }],
		['a negative timestamp', { secret: 's', timestamp: -1 }],
		['a 13-digit timestamp', { secret: 's', timestamp: 10 ** 12 }],
		['an id with a space', { secret: 's', id: 'a b' }],
	])('refuses %s', (_label, input) => {
		expect(() => sign('stripe', {}, 'body', input)).toThrow(expect.objectContaining({ name: 'SignatureError' }));
	});

	test('refuses a standard-webhooks secret that is not base64, unless secretFormat is raw', () => {
		expect(() => sign('standard-webhooks', {}, 'body', { secret: 'whsec_not base64!' })).toThrow(
			expect.objectContaining({ name: 'SignatureError' }),
		);
		expect(
			sign('standard-webhooks', { secretFormat: 'raw' }, 'body', {
				secret: 'whsec_not base64!',
				id: 'm',
				timestamp: 1,
			}),
		).toHaveProperty('webhook-signature');
	});

	test('refuses invalid custom options and an unknown scheme', () => {
		expect(() =>
			sign('custom', { signatureHeader: 'bad header', algorithm: 'sha256', encoding: 'hex' }, 'b', { secret: 's' }),
		).toThrow(expect.objectContaining({ name: 'SignatureError' }));
		expect(() => sign('nope' as SignatureScheme, {} as never, 'b', { secret: 's' })).toThrow(
			expect.objectContaining({ name: 'SignatureError' }),
		);
	});
});

describe('verifyWebhook input checks', () => {
	const legacy = SCHEME_CASES.find((schemeCase) => schemeCase.scheme === 'barnum-legacy')!;
	const raw = Buffer.from('{"a":1}');
	const headers = sign('barnum-legacy', {}, raw, { secret: 'legacy-fixture' });

	test.each([
		['a string body', { rawBody: '{"a":1}' }, 'invalid_body'],
		['a parsed body', { rawBody: { a: 1 } }, 'invalid_body'],
		['no secrets', { secrets: [] }, 'no_secret'],
		['only empty secret slots', { secrets: ['', undefined] }, 'no_secret'],
		['a non-string secret', { secrets: [42] }, 'invalid_secret'],
		['a negative tolerance', { toleranceSeconds: -1 }, 'invalid_options'],
		['a fractional tolerance', { toleranceSeconds: 1.5 }, 'invalid_options'],
		['an invalid date', { now: new Date(Number.NaN) }, 'invalid_options'],
	])('rejects %s', (_label, override, reason) => {
		expect(verify(legacy, headers, raw, ['legacy-fixture'], override)).toMatchObject({ ok: false, reason });
	});

	test('accepts a Uint8Array body and skips empty secret slots, reporting the caller index', () => {
		expect(verify(legacy, headers, new Uint8Array(raw), ['', 'legacy-fixture'])).toEqual({
			ok: true,
			scheme: 'barnum-legacy',
			secretIndex: 1,
		});
	});

	test('rejects an unknown scheme and a non-object input without throwing', () => {
		expect(verifyWebhook('nope' as SignatureScheme, { headers, rawBody: raw, secrets: 's' })).toMatchObject({
			ok: false,
			reason: 'unsupported_scheme',
		});
		expect(verifyWebhook('meta', null as never)).toMatchObject({ ok: false, reason: 'invalid_options' });
	});

	test('survives a headers object whose property access throws', () => {
		const trap = new Proxy(
			{},
			{
				ownKeys: () => {
					throw new Error('boom');
				},
			},
		);
		expect(verify(legacy, trap, raw, ['legacy-fixture'])).toMatchObject({ ok: false, reason: 'internal_error' });
	});

	test('rejects invalid custom options', () => {
		const custom = SCHEME_CASES.find((schemeCase) => schemeCase.scheme === 'custom')!;
		for (const options of [
			{ signatureHeader: 'X-Sig', algorithm: 'md5', encoding: 'hex' },
			{ signatureHeader: 'X Sig', algorithm: 'sha256', encoding: 'hex' },
			{ signatureHeader: 'X-Sig', algorithm: 'sha256', encoding: 'base32' },
			{ signatureHeader: 'X-Sig', algorithm: 'sha256', encoding: 'hex', timestampHeader: 'x-sig' },
		]) {
			expect(verifyWebhook('custom', { headers: {}, rawBody: raw, secrets: 's', ...options } as never)).toMatchObject({
				ok: false,
				reason: 'invalid_options',
			});
		}
		expect(custom).toBeDefined();
	});

	test('standard-webhooks: a secret that is not base64 is a configuration error', () => {
		const standard = SCHEME_CASES.find((schemeCase) => schemeCase.scheme === 'standard-webhooks')!;
		const signedHeaders = sign('standard-webhooks', { secretFormat: 'raw' }, raw, {
			secret: 'plain secret',
			id: 'm',
			timestamp: NOW_SECONDS,
		});
		expect(verify(standard, signedHeaders, raw, ['plain secret'])).toMatchObject({
			ok: false,
			reason: 'invalid_secret',
		});
		expect(verify(standard, signedHeaders, raw, ['plain secret'], { secretFormat: 'raw' })).toMatchObject({ ok: true });
		expect(verify(standard, signedHeaders, raw, [new TextEncoder().encode('plain secret')])).toMatchObject({
			ok: true,
		});
	});
});
