import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { migrate } from '../../core/db/migrate';
import { claimEvents } from '../../core/outbox/operations';
import { createPool } from '../../core/db/pool';
import { testBarnumConnection } from '../../core/db/connection-test';
import { loadConfig } from '../../server/config';
import { startServer } from '../../server/serve';
import { withCredentials } from '../../server/db/app-login';
import { emptyDatabase } from '../helpers/database';
import { allowAppLogin } from '../helpers/seed-database';
import { TEST_APP_LOGIN, TEST_APP_PASSWORD } from '../helpers/constants';

/**
 * A clinic whose software keeps appointments its own way (schema clinic, its own names and
 * vocabulary), and the contract a DBA writes for it: what Barnum says when the contract is wrong,
 * and what it does with a row that does not have what a message needs.
 */
const BUSINESS = `
	CREATE SCHEMA clinic;
	CREATE TABLE clinic.clients (id uuid PRIMARY KEY, full_name text NOT NULL, mobile text);
	CREATE TABLE clinic.visits (visit_id uuid PRIMARY KEY, client_id uuid REFERENCES clinic.clients, state text NOT NULL, at timestamptz);
	INSERT INTO clinic.clients VALUES ('00000000-0000-4000-8000-0000000000c1', 'Ana Costa', '+351934567890'),
	                                  ('00000000-0000-4000-8000-0000000000c2', 'Rui Almeida', '934 567 890');
	INSERT INTO clinic.visits VALUES ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000c1', 'booked', now() + interval '3 days');`;

const VIEWS = (status: string, statusType = 'text') => `
	CREATE OR REPLACE VIEW barnum.patients AS
	SELECT c.id, c.full_name AS name, c.mobile AS phone, NULL::text AS email, NULL::text AS locale FROM clinic.clients c;
	CREATE OR REPLACE VIEW barnum.appointments AS
	SELECT v.visit_id AS id, v.client_id AS patient_id, NULL::uuid AS professional_id, NULL::uuid AS specialty_id,
	       v.at AS starts_at, NULL::integer AS duration_minutes, (${status})::${statusType} AS status,
	       NULL::uuid AS location_id
	  FROM clinic.visits v;
	CREATE OR REPLACE FUNCTION barnum.contract_set_status(p_appointment_id uuid, p_status text, p_reason text) RETURNS void
	LANGUAGE sql AS $$
	  UPDATE clinic.visits SET state = CASE p_status WHEN 'confirmed' THEN 'confirmed' WHEN 'cancelled' THEN 'called_off' ELSE p_status END
	   WHERE visit_id = p_appointment_id
	$$;`;
const MAPPED = "CASE v.state WHEN 'booked' THEN 'scheduled' WHEN 'called_off' THEN 'cancelled' ELSE v.state END";
const ATTACH = "SELECT barnum.attach_appointments('clinic.visits', 'visit_id');";

const dirs: string[] = [];
function contractFile(text: string): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'barnum-contract-'));
	dirs.push(dir);
	const file = path.join(dir, 'contract.sql');
	writeFileSync(file, text);
	return file;
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

let db: Awaited<ReturnType<typeof emptyDatabase>>;
let admin: pg.Pool;
beforeEach(async () => {
	db = await emptyDatabase();
	admin = createPool(db.url);
	await admin.query(BUSINESS);
});
afterEach(async () => {
	await admin.end();
	await db.drop();
});

const barnumInstalled = async () => (await admin.query("SELECT to_regnamespace('barnum') IS NOT NULL AS installed")).rows[0].installed;

test('a contract view of the wrong type is refused, naming the column and the rule, and nothing is installed', async () => {
	const file = contractFile(VIEWS(MAPPED, 'varchar') + ATTACH);
	await expect(migrate(db.url, { contract: file })).rejects.toThrow(
		/could not be installed: cannot change data type of view column "status" from text to character varying.*exactly the columns, names, order and types/s,
	);
	expect(await barnumInstalled()).toBe(false);
});

test('a status the contract maps to nothing is named with its value, and nothing is installed', async () => {
	await admin.query("INSERT INTO clinic.visits VALUES ('00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-0000000000c1', 'tentative', now() + interval '4 days')");
	await expect(migrate(db.url, { contract: contractFile(VIEWS(MAPPED) + ATTACH) })).rejects.toThrow(
		/1 row\(s\) whose status maps to nothing Barnum knows \('tentative'\)/,
	);
	expect(await barnumInstalled()).toBe(false);
});

test('a contract that attaches no table is told how to attach one', async () => {
	await expect(migrate(db.url, { contract: contractFile(VIEWS(MAPPED)) })).rejects.toThrow(
		/no appointments table is attached: SELECT barnum\.attach_appointments/,
	);
});

test('an unknown contract name is refused with the ones there are', async () => {
	await expect(migrate(db.url, { contract: 'clinicsoft' })).rejects.toThrow(/No contract "clinicsoft": give builtin, seed, or the path/);
});

describe('installed', () => {
	beforeEach(async () => {
		await migrate(db.url, { contract: contractFile(VIEWS(MAPPED) + ATTACH) });
		await allowAppLogin(db.url);
		await admin.query('UPDATE barnum.barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
	});

	test('a visit the clinic books queues its pre-confirmation; one without a start time or with a local phone number is skipped with the reason', async () => {
		await admin.query(`INSERT INTO clinic.visits VALUES
			('00000000-0000-4000-8000-0000000000a3', '00000000-0000-4000-8000-0000000000c1', 'booked', now() + interval '2 days'),
			('00000000-0000-4000-8000-0000000000a4', '00000000-0000-4000-8000-0000000000c2', 'booked', now() + interval '2 days')`);
		// The visit with no start time was booked, then its time cleared before the message went out.
		await admin.query("UPDATE clinic.visits SET at = NULL WHERE visit_id = '00000000-0000-4000-8000-0000000000a3'");
		const app = createPool(withCredentials(db.url, TEST_APP_LOGIN, TEST_APP_PASSWORD));
		try {
			const claim = await claimEvents(app, { consumerId: 't', limit: 10, leaseSeconds: 60, eventTypes: ['appointment.pre_confirmed'] });
			expect(claim.events).toEqual([]);
			const { rows } = await admin.query("SELECT entity_id, status, status_reason FROM barnum.whatsapp_events WHERE event_type = 'appointment.pre_confirmed' ORDER BY entity_id");
			expect(rows).toEqual([
				{ entity_id: '00000000-0000-4000-8000-0000000000a3', status: 'skipped', status_reason: 'appointment has no start time' },
				{ entity_id: '00000000-0000-4000-8000-0000000000a4', status: 'skipped', status_reason: 'patient phone number is not in international (E.164) form' },
			]);
		} finally {
			await app.end();
		}
	});

	test('/readyz and the n8n credential test name a status that later maps to nothing', async () => {
		const appUrl = withCredentials(db.url, TEST_APP_LOGIN, TEST_APP_PASSWORD);
		const server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: appUrl }), pino({ level: 'silent' }));
		try {
			expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
		} finally {
			await server.stop();
		}
		await admin.query("INSERT INTO clinic.visits VALUES ('00000000-0000-4000-8000-0000000000a5', '00000000-0000-4000-8000-0000000000c1', 'waitlist', now() + interval '9 days')");
		const again = await startServer(loadConfig({ PORT: '0', DATABASE_URL: appUrl }), pino({ level: 'silent' }));
		try {
			const ready = await fetch(`${again.url}/readyz`);
			expect(ready.status).toBe(503);
			expect(await ready.json()).toEqual({
				status: 'not_ready',
				reason: expect.stringMatching(/^the appointment contract does not hold: barnum\.appointments has 1 row\(s\) whose status maps to nothing Barnum knows \('waitlist'\)/),
			});
		} finally {
			await again.stop();
		}
		const url = new URL(appUrl);
		const test = await testBarnumConnection({
			host: url.hostname,
			port: Number(url.port),
			database: url.pathname.slice(1),
			user: TEST_APP_LOGIN,
			password: TEST_APP_PASSWORD,
			ssl: 'disable',
		} as never);
		expect(test).toEqual({ ok: false, message: expect.stringMatching(/^Connected, but the appointment contract does not hold: .*'waitlist'/) });
	});
});
