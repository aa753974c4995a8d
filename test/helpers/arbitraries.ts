import fc from 'fast-check';

/**
 * What a hostile or careless sender puts in a field: control characters (NUL first among them),
 * lone surrogates, U+FFFD, emoji and accents, stray whitespace, numbers past their column, dates
 * no calendar has, and text far longer than any field takes.
 */

const pad = (n: number, width: number) => String(n).padStart(width, '0');

const awkwardChar = fc.oneof(
	{ weight: 3, arbitrary: fc.constantFrom('\u0000', '\ud800', '\u001b') },
	fc.constantFrom('\u0000', '\u0007', '\u001b', '\n', '\r', '\t', '\u007f', '\u0085', '\u009f', '\ud800', '\udfff', '\ufffd', '😀', 'é', ' ', '%', '&', '=', '"'),
	fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
	fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);

export const hostileText: fc.Arbitrary<string> = fc.oneof(
	{ weight: 8, arbitrary: fc.array(awkwardChar, { maxLength: 24 }).map((chars) => chars.join('')) },
	{ weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((n) => 'x'.repeat(n)) },
);

/** YYYY-MM-DD with every part allowed out of range: 0000-00-00 to 9999-13-32. */
export const dateLike = fc
	.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
	.map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);

export const timeLike = fc.tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 })).map(([h, m]) => `${pad(h, 2)}:${pad(m, 2)}`);

export const instantLike = fc
	.tuple(dateLike, timeLike, fc.integer({ min: 0, max: 61 }), fc.constantFrom('Z', '+01:00', '-0530', '+24:00', '', 'z'))
	.map(([date, time, seconds, zone]) => `${date}T${time}:${pad(seconds, 2)}${zone}`);

export const awkwardNumber = fc.oneof(
	fc.integer(),
	fc.double(),
	fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e300, -0, 0.5, 1.5),
);

/** Any JSON value a field might be sent as instead of the one it expects. */
export const anyField = fc.oneof(
	{ weight: 4, arbitrary: hostileText },
	{ weight: 2, arbitrary: awkwardNumber },
	fc.boolean(),
	fc.constant(null),
	dateLike,
	timeLike,
	instantLike,
);

/** Bytes as a query or form carries them: each either as it is (when safe) or percent-encoded, sometimes broken. */
export const encodedBytes = fc.array(
	fc.oneof(
		fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`),
		fc.constantFrom('a', 'Z', '0', '-', '_', '.', '~', '+', '%', '%F', '%ZZ', '&', '=', ';'),
	),
	{ maxLength: 16 },
).map((parts) => parts.join(''));
