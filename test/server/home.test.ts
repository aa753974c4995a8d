/**
 * The local stack's banner prints the companion server's address, so people open it: `/` says
 * what the server is, in the browser's language, and nothing of how it runs. Browsers asking for
 * /favicon.ico and scanners probing paths get a 404 that the log does not call a warning.
 */
import type { RunningServer } from '../../server/serve';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { serveWithLog } from '../helpers/server';

let db: TestDatabase;
let server: RunningServer;
let lines: Array<Record<string, unknown>>;

beforeAll(async () => {
	db = await freshDatabase();
	({ server, lines } = await serveWithLog(db));
});
afterAll(async () => {
	await server?.stop();
	await db?.drop();
});

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

test('/ is a small page saying what the server is, in the browser\'s language, and nothing internal', async () => {
	const en = await fetch(`${server.url}/`, { headers: { 'accept-language': 'en-GB,en;q=0.9' } });
	expect(en.status).toBe(200);
	expect(en.headers.get('content-type')).toMatch(/^text\/html/);
	expect(en.headers.get('cache-control')).toBe('no-store');
	const page = await en.text();
	expect(page).toContain('<html lang="en">');
	expect(text(page)).toContain('This server opens the links in the WhatsApp messages from your clinic or hotel');
	expect(page.length).toBeLessThan(6_000);
	for (const internal of ['/metrics', '/readyz', '/healthz', '/api/', 'Cannot GET', 'postgres', 'n8n']) expect(page).not.toContain(internal);

	// No Accept-Language: Barnum's default language.
	const pt = await (await fetch(`${server.url}/`)).text();
	expect(pt).toContain('<html lang="pt-PT">');
	expect(text(pt)).toContain('Este servidor abre as ligações das mensagens de WhatsApp');
});

test('/favicon.ico and probes of paths with no page answer 404 and are logged at info, not as warnings', async () => {
	lines.length = 0;
	for (const probe of ['/favicon.ico', '/robots.txt', '/wp-login.php', '/.env']) {
		const res = await fetch(`${server.url}${probe}`);
		expect(res.status).toBe(404);
		expect(await res.json()).toEqual({ success: false, error: 'not_found', message: 'Nothing is served at this address' });
	}
	await server.stop(); // flushes the log
	const requests = lines.filter((l) => l.msg === 'request completed');
	expect(requests.map((l) => [(l.req as { url: string }).url, l.level])).toEqual([
		['/favicon.ico', 30],
		['/robots.txt', 30],
		['/wp-login.php', 30],
		['/.env', 30],
	]);
	expect(lines.filter((l) => (l.level as number) >= 40)).toEqual([]);
});
