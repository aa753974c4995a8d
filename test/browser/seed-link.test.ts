/**
 * A link the seed's own system sent before Barnum was installed, pressed in a real Chromium after
 * barnum migrate upgraded the seed's database: the patient sees the appointment and confirms it
 * once, in the seed's own appointments table.
 */
import { chromium, type Browser } from 'playwright-core';
import pino from 'pino';
import { migrate } from '../../core/db/migrate';
import { loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/serve';
import { SEED, allowAppLogin, seedDatabase, type SeedDatabase } from '../helpers/seed-database';
import { CHROMIUM, phoneContext, pressButton } from './action-pages';

let db: SeedDatabase;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
	db = await seedDatabase();
	await migrate(db.url);
	await allowAppLogin(db.url);
	[browser, server] = await Promise.all([
		chromium.launch(CHROMIUM),
		startServer(loadConfig({ PORT: '0', DATABASE_URL: db.appUrl, RATE_LIMIT_ACTION_PER_MINUTE: '1000' }), pino({ level: 'silent' })),
	]);
});
afterAll(async () => {
	await browser?.close();
	await server?.stop();
	await db?.drop();
});

test('the seed\'s confirm link, as the seed wrote it, confirms João\'s appointment once', async () => {
	const context = await phoneContext(browser, 'pt-PT');
	try {
		const page = await context.newPage();
		await page.goto(`${server.url}/api/action?type=confirm&token=${SEED.tokens.unused}`);
		expect(await page.locator('button[type=submit]').count()).toBe(1);
		expect(await page.textContent('body')).toContain('João');
		await pressButton(page, 'confirm', 'pt-PT');
		expect(await page.textContent('body')).toContain('Consulta confirmada');
		const { rows } = await db.admin.query('SELECT status FROM public.appointments WHERE id = $1', [SEED.appointments.a]);
		expect(rows[0].status).toBe('confirmed');
	} finally {
		await context.close();
	}
});
