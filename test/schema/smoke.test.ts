import { freshDatabase, type TestDatabase } from '../helpers/database';

let db: TestDatabase;
beforeAll(async () => {
	db = await freshDatabase();
});
afterAll(() => db.drop());

test('settings row exists', async () => {
	const { rows } = await db.app.query('SELECT timezone FROM barnum_settings');
	expect(rows).toEqual([{ timezone: 'Europe/Lisbon' }]);
});
