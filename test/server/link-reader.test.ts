import type pg from 'pg';
import { LinkReader } from '../../core/action-links/read';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { linkToken } from '../helpers/server';

// How LinkReader groups page reads into queries. The pages themselves, over HTTP, are in action.test.ts.

/** A pool that answers every batch with one row per token (its position in `i`) and records the batch sizes. */
function countingPool() {
	const sizes: number[] = [];
	const pool = {
		query: async (config: pg.QueryConfig) => {
			const tokens = (config.values as string[][])[0];
			sizes.push(tokens.length);
			await new Promise((resolve) => setTimeout(resolve, 5));
			return { rows: tokens.map((token, k) => ({ i: k + 1, business_name: token, default_locale: 'pt-PT' })) };
		},
	};
	return { pool: pool as unknown as pg.Pool, sizes };
}

const token = (n: number) => `T${String(n).padStart(20, '0')}`;

test('reads asked for in one turn of the event loop share a query; the first sendAt go at once', async () => {
	const { pool, sizes } = countingPool();
	const reader = new LinkReader(pool, { sendAt: 40, maxInFlight: 4 });
	const pages = await Promise.all(Array.from({ length: 100 }, (_, n) => reader.inspect(token(n), 'confirm')));
	expect(sizes).toEqual([40, 40, 20]);
	// Each read gets its own row back, whichever query carried it.
	pages.forEach((page, n) => expect(page.state === 'invalid' && page.clinic.businessName).toBe(token(n)));
});

test('below sendAt, a turn\'s reads wait for its end and go as one query', async () => {
	const { pool, sizes } = countingPool();
	const reader = new LinkReader(pool, { sendAt: 40 });
	await Promise.all(Array.from({ length: 25 }, (_, n) => reader.inspect(token(n), 'confirm')));
	expect(sizes).toEqual([25]);
});

test('with every query slot taken, reads wait and go together when one comes back', async () => {
	const { pool, sizes } = countingPool();
	const reader = new LinkReader(pool, { sendAt: 2, maxInFlight: 1 });
	await Promise.all(Array.from({ length: 7 }, (_, n) => reader.inspect(token(n), 'confirm')));
	expect(sizes).toEqual([2, 5]);
});

describe('against PostgreSQL', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await freshDatabase();
	});
	afterAll(async () => {
		await db.drop();
	});

	test('links read in several queries of one turn each get their own appointment', async () => {
		const clinic = await seedClinic(db.app);
		const times = Array.from({ length: 9 }, (_, i) => `${String(8 + i).padStart(2, '0')}:00`);
		const links = await Promise.all(
			times.map(async (time) => ({ time, token: await linkToken(db, await insertAppointment(db.app, clinic, { date: '2030-07-03', time }), 'confirm') })),
		);
		const reader = new LinkReader(db.app, { sendAt: 4 });
		const asked = [...links, { time: null, token: 'C'.repeat(32) }, ...links.slice(0, 3)];
		const states = await Promise.all(asked.map((link) => reader.inspect(link.token, 'confirm')));
		states.forEach((state, n) => {
			const { time } = asked[n];
			if (time === null) return expect(state).toMatchObject({ state: 'invalid', reason: 'not_found' });
			expect(state.state).toBe('ready');
			if (state.state !== 'ready') return;
			const { startsAt, timezone } = state.appointment;
			expect(new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit' }).format(startsAt)).toBe(time);
		});
	});
});
