import fc from 'fast-check';
import { instant as instantField, isCalendarDate } from '../../core/validation/calendar';
import { int4 } from '../../core/validation/numbers';
import { parseParams } from '../../core/validation/params';
import { text } from '../../core/validation/text';
import { awkwardNumber, dateLike, hostileText, instantLike } from '../helpers/arbitraries';
import { freshDatabase, type TestDatabase } from '../helpers/database';

/**
 * The validation layer checked against PostgreSQL itself: what it accepts, the database stores
 * exactly as accepted; where PostgreSQL has its own rule (calendar dates, int4), the two agree.
 */

let db: TestDatabase;
beforeAll(async () => {
	db = await freshDatabase();
});
afterAll(() => db.drop());

const RUNS = { numRuns: 300 };

test('accepted text is stored character for character, as text and inside jsonb', async () => {
	const field = text({ max: 5000, multiline: true });
	await fc.assert(
		fc.asyncProperty(hostileText, async (value) => {
			const parsed = field.safeParse(value);
			if (!parsed.success) return;
			const { rows } = await db.app.query('SELECT $1::text AS t, $2::jsonb AS j', [parsed.data, JSON.stringify({ value: parsed.data })]);
			expect(rows[0]).toEqual({ t: parsed.data, j: { value: parsed.data } });
			expect(parsed.data).toBe(value.trim());
		}),
		RUNS,
	);
});

test('a calendar date is accepted exactly when PostgreSQL takes it, and is stored as the same day', async () => {
	await fc.assert(
		fc.asyncProperty(dateLike, async (value) => {
			const { rows } = await db.app.query("SELECT pg_input_is_valid($1, 'date') AS valid", [value]);
			expect({ value, accepted: isCalendarDate(value) }).toEqual({ value, accepted: rows[0].valid });
			if (!rows[0].valid) return;
			const stored = await db.app.query('SELECT $1::date::text AS day', [value]);
			expect(stored.rows[0].day).toBe(value);
		}),
		RUNS,
	);
});

test('an integer is accepted exactly when int4 holds it, and is stored unchanged', async () => {
	const field = int4();
	await fc.assert(
		fc.asyncProperty(fc.oneof(fc.integer(), fc.integer({ min: -(2 ** 33), max: 2 ** 33 }), awkwardNumber), async (value) => {
			const accepted = field.safeParse(value).success;
			const { rows } = await db.app.query("SELECT pg_input_is_valid($1, 'integer') AS valid", [String(value)]);
			expect({ value, accepted }).toEqual({ value, accepted: rows[0].valid });
			if (!accepted) return;
			const stored = await db.app.query('SELECT $1::integer AS n', [value]);
			expect(stored.rows[0].n).toBe(value === 0 ? 0 : value);
		}),
		RUNS,
	);
});

test('an accepted instant is the instant PostgreSQL reads', async () => {
	const field = instantField();
	await fc.assert(
		fc.asyncProperty(instantLike, async (value) => {
			if (!field.safeParse(value).success) return;
			const { rows } = await db.app.query('SELECT (extract(epoch FROM $1::timestamptz) * 1000)::float8 AS ms', [value]);
			expect(rows[0].ms).toBe(Date.parse(value));
		}),
		RUNS,
	);
});

test('a query or form read strictly gives back exactly the fields that were encoded', () => {
	const name = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
	const value = fc.string({ unit: 'grapheme', maxLength: 12 });
	fc.assert(
		fc.property(fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n, maxLength: 8 }), (pairs) => {
			const parsed = parseParams(new URLSearchParams(pairs).toString());
			expect(parsed).toEqual({ ok: true, values: new Map(pairs) });
		}),
		RUNS,
	);
});
