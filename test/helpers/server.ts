import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { startServer, type RunningServer } from '../../server/serve';
import type { TestDatabase } from './database';

/** The companion server on a random port over a test database, as the least-privilege login. */
export function serveTestDatabase(db: TestDatabase, env: Record<string, string> = {}): Promise<RunningServer> {
	return startServer(loadConfig({ PORT: '0', DATABASE_URL: db.appUrl, ...env }), pino({ level: 'silent' }));
}

/** The same, logging at info into `lines` (one parsed JSON object a line), as `barnum serve` logs. */
export async function serveWithLog(db: TestDatabase, env: Record<string, string> = {}): Promise<{ server: RunningServer; lines: Array<Record<string, unknown>> }> {
	const lines: Array<Record<string, unknown>> = [];
	const sink = new Writable({
		write(chunk, _encoding, done) {
			for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
			done();
		},
	});
	const server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: db.appUrl, ...env }), createLogger('info', sink));
	return { server, lines };
}

/** A fresh action-link token for an appointment (the plain token, as a message would carry it). */
export async function linkToken(db: TestDatabase, appointmentId: string, action: 'confirm' | 'cancel' | 'reschedule'): Promise<string> {
	const { rows } = await db.app.query<{ token: string }>(
		'SELECT generate_action_token($1, a.id, a.patient_id) AS token FROM appointments a WHERE a.id = $2',
		[action, appointmentId],
	);
	return rows[0].token;
}

/** Three links of one appointment for the purge: expired 40 days ago, expired 2 days ago, and valid. */
export async function linksOfThreeAges(db: TestDatabase, appointmentId: string): Promise<{ old: string; recent: string; live: string }> {
	const old = await linkToken(db, appointmentId, 'confirm');
	const recent = await linkToken(db, appointmentId, 'cancel');
	const live = await linkToken(db, appointmentId, 'reschedule');
	const expire = "UPDATE whatsapp_action_tokens SET expires_at = now() - $2::interval WHERE token_hash = barnum_token_hash($1)";
	await db.admin.query(expire, [old, '40 days']);
	await db.admin.query(expire, [recent, '2 days']);
	return { old, recent, live };
}
