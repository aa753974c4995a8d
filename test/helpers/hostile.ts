import { Writable } from 'node:stream';
import pino from 'pino';
import { sign } from '../../core/signatures';
import { secretKeys } from '../../core/signatures/secret-list';
import { loadConfig } from '../../server/config';
import { startServer, type RunningServer } from '../../server/serve';
import type { TestDatabase } from './database';
import { GUEST_KEY } from '../resort/fixtures';

/**
 * One companion server with every external input switched on (signed webhook, booking receiver,
 * internal endpoint, action pages), its log captured, for the tests that send it hostile input.
 */

export const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const INTERNAL_SECRET = 'internal-secret-for-tests-0123456789';

export interface HostileServer {
	server: RunningServer;
	logs: Array<Record<string, unknown>>;
}

export async function serveEverything(db: TestDatabase): Promise<HostileServer> {
	const logs: Array<Record<string, unknown>> = [];
	const stream = new Writable({
		write(chunk, _encoding, done) {
			for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
			done();
		},
	});
	const server = await startServer(
		loadConfig({
			PORT: '0',
			DATABASE_URL: db.appUrl,
			WEBHOOK_SECRET,
			BOOKING_WEBHOOK_SECRET: WEBHOOK_SECRET,
			GUEST_DATA_KEY: GUEST_KEY,
			INTERNAL_API_SECRET: INTERNAL_SECRET,
			BOOKING_DB_RETRY_DELAY_MS: '1',
			RATE_LIMIT_ACTION_PER_MINUTE: '100000',
			RATE_LIMIT_WEBHOOK_PER_MINUTE: '100000',
			RATE_LIMIT_BOOKING_PER_MINUTE: '100000',
		}),
		pino({ level: 'info' }, stream),
	);
	return { server, logs };
}

let deliveries = 0;

/** Standard Webhooks headers over these exact bytes, so every test body is validly signed ('' for no content type). */
export function signedHeaders(bytes: Buffer | string, contentType = 'application/json'): Record<string, string> {
	const headers = sign('standard-webhooks', {}, bytes, { secret: secretKeys(WEBHOOK_SECRET)[0], id: `msg_hostile_${process.pid}_${++deliveries}` });
	return contentType === '' ? headers : { 'content-type': contentType, ...headers };
}

/** POSTs signed bytes; the answer's status, JSON (or text) body and headers. */
export async function postSigned(url: string, bytes: Buffer | string, contentType?: string) {
	const res = await fetch(url, { method: 'POST', headers: signedHeaders(bytes, contentType), body: bytes });
	const text = await res.text();
	let body: unknown = text;
	try {
		body = JSON.parse(text);
	} catch {
		// Not JSON: kept as text for the assertion to show.
	}
	return { status: res.status, body: body as Record<string, unknown>, headers: res.headers };
}

/**
 * What a refused request must leave as it was: appointments, conversation records, outbox events,
 * bookings and the de-duplication store, as one comparable value.
 */
export async function databaseState(db: TestDatabase): Promise<Record<string, unknown>> {
	const { rows } = await db.admin.query(`
		SELECT (SELECT md5(coalesce(string_agg(concat_ws('|', id, status, date, time), ',' ORDER BY id), '')) FROM appointments) AS appointments,
		       (SELECT md5(coalesce(string_agg(concat_ws('|', id, status, response, attempt, rating, metadata), ',' ORDER BY id), '')) FROM whatsapp_workflows) AS workflows,
		       (SELECT count(*)::int FROM whatsapp_events) AS events,
		       (SELECT count(*)::int FROM bookings) AS bookings,
		       (SELECT count(*)::int FROM barnum_webhook_deliveries) AS deliveries`);
	return rows[0];
}
