import { loadConfig } from '../../server/config';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { linkToken, serveWithLog } from '../helpers/server';

/**
 * The companion server keeps whatsapp_action_tokens and barnum_webhook_deliveries from growing
 * for ever: it purges when it starts and then every PURGE_INTERVAL_MINUTES.
 */

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

beforeAll(async () => {
	db = await freshDatabase();
	clinic = await seedClinic(db.app);
});
afterAll(() => db.drop());
beforeEach(async () => {
	await db.admin.query('DELETE FROM whatsapp_action_tokens');
	await db.admin.query('DELETE FROM barnum_webhook_deliveries');
});

const serve = (env: Record<string, string> = {}) => serveWithLog(db, env);

/** A token for a new appointment, expired `daysAgo` days ago. */
async function expiredToken(daysAgo: number): Promise<string> {
	const token = await linkToken(db, await insertAppointment(db.app, clinic), 'confirm');
	await db.admin.query('UPDATE whatsapp_action_tokens SET expires_at = now() - make_interval(days => $2) WHERE token_hash = barnum_token_hash($1)', [
		token,
		daysAgo,
	]);
	return token;
}

/** A remembered webhook delivery received `daysAgo` days ago. */
async function delivery(id: string, daysAgo: number): Promise<void> {
	await db.admin.query(
		"INSERT INTO barnum_webhook_deliveries (scope, delivery_id, status, response_status, received_at, completed_at) VALUES ('/api/webhook', $1, 'done', 200, now() - make_interval(days => $2), now() - make_interval(days => $2))",
		[id, daysAgo],
	);
}

const tokensLeft = async (tokens: string[]) =>
	(
		await db.admin.query<{ n: number }>('SELECT count(*)::int AS n FROM whatsapp_action_tokens WHERE token_hash = ANY(ARRAY(SELECT barnum_token_hash(t) FROM unnest($1::text[]) t))', [
			tokens,
		])
	).rows[0].n;
const deliveriesLeft = async () =>
	(await db.admin.query<{ delivery_id: string }>('SELECT delivery_id FROM barnum_webhook_deliveries ORDER BY delivery_id')).rows.map((r) => r.delivery_id);

test('on start, the server purges tokens expired over 30 days ago and deliveries older than 14 days; the rest stay', async () => {
	const oldToken = await expiredToken(40);
	const recentToken = await expiredToken(2);
	const liveToken = await linkToken(db, await insertAppointment(db.app, clinic), 'cancel');
	await delivery('old-delivery', 20);
	await delivery('recent-delivery', 3);

	const { server, lines } = await serve();
	try {
		await server.purger!.settled();
		expect(await tokensLeft([oldToken])).toBe(0);
		expect(await tokensLeft([recentToken, liveToken])).toBe(2);
		expect(await deliveriesLeft()).toEqual(['recent-delivery']);
		expect(lines).toContainEqual(
			expect.objectContaining({ level: 30, msg: 'purged expired action-link tokens and old webhook deliveries', tokens: 1, webhookDeliveries: 1 }),
		);
		// The next interval finds what has aged since.
		const another = await expiredToken(31);
		await delivery('aged-delivery', 15);
		expect(await server.purger!.runOnce()).toEqual({ tokens: 1, webhookDeliveries: 1 });
		expect(await tokensLeft([another])).toBe(0);
		expect(await deliveriesLeft()).toEqual(['recent-delivery']);
	} finally {
		await server.stop();
	}
});

test('TOKEN_RETENTION_DAYS and WEBHOOK_DELIVERY_RETENTION_DAYS set how much is kept', async () => {
	const token = await expiredToken(2);
	await delivery('two-days', 2);
	await delivery('today', 0);
	const { server } = await serve({ TOKEN_RETENTION_DAYS: '1', WEBHOOK_DELIVERY_RETENTION_DAYS: '1' });
	try {
		await server.purger!.settled();
		expect(await tokensLeft([token])).toBe(0);
		expect(await deliveriesLeft()).toEqual(['today']);
	} finally {
		await server.stop();
	}
});

test('PURGE_INTERVAL_MINUTES=0 turns the periodic purge off; bad values are refused by name', async () => {
	const token = await expiredToken(40);
	await delivery('old-delivery', 40);
	const { server } = await serve({ PURGE_INTERVAL_MINUTES: '0' });
	try {
		expect(server.purger).toBeUndefined();
		// A request round trip: anything the server started at boot has had its chance to run.
		await fetch(`${server.url}/readyz`);
		expect(await tokensLeft([token])).toBe(1);
		expect(await deliveriesLeft()).toEqual(['old-delivery']);
	} finally {
		await server.stop();
	}
	expect(() => loadConfig({ PURGE_INTERVAL_MINUTES: '-5' })).toThrow(/PURGE_INTERVAL_MINUTES: /);
	expect(() => loadConfig({ WEBHOOK_DELIVERY_RETENTION_DAYS: '0' })).toThrow(/WEBHOOK_DELIVERY_RETENTION_DAYS: /);
	expect(() => loadConfig({ TOKEN_RETENTION_DAYS: 'a month' })).toThrow(/TOKEN_RETENTION_DAYS: /);
	expect(loadConfig({}).purge).toEqual({ intervalMinutes: 60, tokenRetentionDays: 30, deliveryRetentionDays: 14 });
});

test('/api/internal/purge runs one purge on request, behind the Bearer secret: for a deployment with no timer (Vercel Cron)', async () => {
	const cron = 'cron-secret-for-purge-tests-0123';
	const token = await expiredToken(40);
	await delivery('old-delivery', 40);
	const { server } = await serve({ PURGE_INTERVAL_MINUTES: '0', CRON_SECRET: cron });
	try {
		expect((await fetch(`${server.url}/api/internal/purge`)).status).toBe(401);
		expect((await fetch(`${server.url}/api/internal/purge`, { method: 'HEAD', headers: { authorization: `Bearer ${cron}` } })).status).toBe(405);
		expect(await tokensLeft([token])).toBe(1);
		const res = await fetch(`${server.url}/api/internal/purge`, { headers: { authorization: `Bearer ${cron}` } });
		expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { success: true, tokens: 1, webhookDeliveries: 1 } });
		expect(await tokensLeft([token])).toBe(0);
		expect(await deliveriesLeft()).toEqual([]);
	} finally {
		await server.stop();
	}
});
