import pino from 'pino';
import { loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/serve';
import type { TestDatabase } from './database';

/** The companion server on a random port over a test database, as the least-privilege login. */
export function serveTestDatabase(db: TestDatabase, env: Record<string, string> = {}): Promise<RunningServer> {
	return startServer(loadConfig({ PORT: '0', DATABASE_URL: db.appUrl, ...env }), pino({ level: 'silent' }));
}

/** A fresh action-link token for an appointment (the plain token, as a message would carry it). */
export async function linkToken(db: TestDatabase, appointmentId: string, action: 'confirm' | 'cancel' | 'reschedule'): Promise<string> {
	const { rows } = await db.app.query<{ token: string }>(
		'SELECT generate_action_token($1, a.id, a.patient_id) AS token FROM appointments a WHERE a.id = $2',
		[action, appointmentId],
	);
	return rows[0].token;
}
