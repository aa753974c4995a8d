import { claimTeamNotices } from '../../core/attention/notices';
import { recordAttention } from '../../core/attention/record';
import type { RunningServer } from '../../server/serve';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { serveTestDatabase } from '../helpers/server';

/** The staff's "handled" link over real HTTP: scanner-safe like the patients' pages. */

let db: TestDatabase;
let server: RunningServer;
let clinic: Awaited<ReturnType<typeof seedClinic>>;
let sources = 0;

beforeAll(async () => {
	db = await freshDatabase();
	clinic = await seedClinic(db.app);
	server = await serveTestDatabase(db, { RATE_LIMIT_ACTION_PER_MINUTE: '1000' });
	await db.admin.query("UPDATE barnum_settings SET business_name = 'Clínica Sorriso', default_locale = 'pt-PT', team_email = 'recepcao@clinica.example'");
});
afterAll(async () => {
	await server.stop();
	await db.drop();
});

/** A fresh item, told to the team: its handled link pointed at this server. */
async function handledLink(): Promise<{ url: string; itemId: string }> {
	await db.admin.query('UPDATE barnum_settings SET public_base_url = $1', [server.url]);
	const appointmentId = await insertAppointment(db.app, clinic, { daysAhead: 3 });
	const item = await recordAttention(db.app, { kind: 'cancellation', channel: 'whatsapp', sourceKey: `test-${++sources}`, appointmentId });
	const notices = await claimTeamNotices(db.app);
	const notice = notices.find((n) => n.itemIds[0] === item!.id)!;
	return { url: notice.items[0].handleUrl!, itemId: item!.id };
}

const handledAt = async (id: string) => (await db.admin.query('SELECT handled_at, handled_by, handled_via FROM attention_items WHERE id = $1', [id])).rows[0];
const hidden = (html: string) => Object.fromEntries([...html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]));
const post = (url: string, fields: Record<string, string>) =>
	fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

test('GET and HEAD show the item and change nothing; the press marks it handled once, then says who did', async () => {
	const { url, itemId } = await handledLink();
	expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
	const page = await fetch(url);
	const html = await page.text();
	expect(page.status).toBe(200);
	expect(page.headers.get('cache-control')).toBe('no-store');
	expect(page.headers.get('x-robots-tag')).toMatch(/^noindex/);
	expect(html).toContain('Consulta cancelada — João Silva');
	expect(html).toContain('João Silva cancelou no WhatsApp: a vaga ficou livre.');
	expect(html).toContain('Marcar como tratado');
	expect(await handledAt(itemId)).toEqual({ handled_at: null, handled_by: null, handled_via: null });

	const done = await post(url, { ...hidden(html), handled_by: 'Ana' });
	expect(done.status).toBe(200);
	expect(await done.text()).toContain('Obrigado, Ana.');
	expect(await handledAt(itemId)).toEqual({ handled_at: expect.any(Date), handled_by: 'Ana', handled_via: 'link' });

	const again = await (await post(url, { ...hidden(html), handled_by: 'Rui' })).text();
	expect(again).toContain('Ana marcou como tratado em');
	expect((await handledAt(itemId)).handled_by).toBe('Ana');
});

test('a POST without the page\'s nonce (a scanner, a forged form) shows the page again and changes nothing', async () => {
	const { url, itemId } = await handledLink();
	const bare = await post(url, {});
	expect(bare.status).toBe(400);
	expect(await bare.text()).toContain('Carregue outra vez no botão');
	const forged = await post(url, { nonce: 'lx1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
	expect(forged.status).toBe(400);
	expect((await handledAt(itemId)).handled_at).toBeNull();
});

test('unknown and malformed links share one page; a name with control characters is refused, nothing changed', async () => {
	for (const bad of ['?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '?token=short', '', '?token=a&token=b']) {
		const res = await fetch(`${server.url}/api/team/handled${bad}`, { headers: { 'accept-language': 'en' } });
		expect(res.status).toBe(404);
		expect(await res.text()).toContain('This link does not work');
	}
	const { url, itemId } = await handledLink();
	const html = await (await fetch(url)).text();
	const refused = await post(url, { ...hidden(html), handled_by: 'Ana\u0000' });
	expect(refused.status).toBe(400);
	expect((await handledAt(itemId)).handled_at).toBeNull();
	expect((await fetch(url, { method: 'PUT' })).status).toBe(405);
});
