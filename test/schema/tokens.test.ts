import pg from 'pg';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;
let appointmentId: string;

beforeAll(async () => {
	db = await freshDatabase();
	clinic = await seedClinic(db.app);
	appointmentId = await insertAppointment(db.app, clinic);
});
afterAll(() => db.drop());

async function generate(action = 'confirm', expiresInDays: number | null = null): Promise<string> {
	const { rows } = await db.app.query<{ token: string }>(
		'SELECT generate_action_token($1, $2, $3, NULL, $4, $5) AS token',
		[action, appointmentId, clinic.patientId, { source: 'test' }, expiresInDays],
	);
	return rows[0].token;
}

async function validate(token: string | null, action: string | null = null) {
	const { rows } = await db.app.query('SELECT * FROM validate_action_token($1, $2)', [token, action]);
	expect(rows).toHaveLength(1);
	return rows[0];
}

test('a new token is URL-safe, 32 characters, and valid for its appointment', async () => {
	const token = await generate();
	expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
	expect(await validate(token, 'confirm')).toMatchObject({
		valid: true,
		appointment_id: appointmentId,
		patient_id: clinic.patientId,
		action_type: 'confirm',
		metadata: { source: 'test' },
		error_code: null,
		error_message: null,
	});
});

test('only the SHA-256 of the token is stored, never the token', async () => {
	const token = await generate();
	const { rows } = await db.admin.query('SELECT * FROM whatsapp_action_tokens');
	expect(JSON.stringify(rows)).not.toContain(token);
	const hashed = await db.admin.query("SELECT 1 FROM whatsapp_action_tokens WHERE token_hash = sha256(convert_to($1, 'UTF8'))", [
		token,
	]);
	expect(hashed.rowCount).toBe(1);
});

test('a token is accepted once; afterwards it is reported as used', async () => {
	const token = await generate();
	expect((await db.app.query('SELECT mark_token_used($1) AS won', [token])).rows[0].won).toBe(true);
	expect((await db.app.query('SELECT mark_token_used($1) AS won', [token])).rows[0].won).toBe(false);
	expect(await validate(token)).toMatchObject({ valid: false, error_code: 'used', appointment_id: appointmentId });
});

test('an expired token is rejected and cannot be redeemed', async () => {
	const token = await generate();
	await db.admin.query("UPDATE whatsapp_action_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = barnum_token_hash($1)", [
		token,
	]);
	expect(await validate(token)).toMatchObject({ valid: false, error_code: 'expired', error_message: 'Token expired' });
	expect((await db.app.query('SELECT mark_token_used($1) AS won', [token])).rows[0].won).toBe(false);
});

test('expiry defaults to the settings TTL (7 days) and honours p_expires_in_days', async () => {
	const byDefault = await validate(await generate());
	const inTwoDays = await validate(await generate('cancel', 2));
	const days = (row: { expires_at: Date }) => (row.expires_at.getTime() - Date.now()) / 86_400_000;
	expect(days(byDefault)).toBeGreaterThan(6.99);
	expect(days(byDefault)).toBeLessThanOrEqual(7);
	expect(days(inTwoDays)).toBeGreaterThan(1.99);
	expect(days(inTwoDays)).toBeLessThanOrEqual(2);
});

test('a token for another action is rejected for this one, and cannot be redeemed for it', async () => {
	const token = await generate('cancel');
	expect(await validate(token, 'confirm')).toMatchObject({ valid: false, error_code: 'wrong_action' });
	expect((await db.app.query("SELECT mark_token_used($1, 'confirm') AS won", [token])).rows[0].won).toBe(false);
	expect(await validate(token, 'cancel')).toMatchObject({ valid: true });
});

test.each([
	['an unknown token', 'A'.repeat(32)],
	['an empty token', ''],
	['a NULL token', null],
	['a hostile token', "' OR 1=1 --"],
])('%s is reported as not found', async (_label, token) => {
	expect(await validate(token)).toMatchObject({ valid: false, error_code: 'not_found', appointment_id: null });
	expect((await db.app.query('SELECT mark_token_used($1) AS won', [token])).rows[0].won).toBe(false);
});

test('generate_action_token refuses bad input with a clear message', async () => {
	await expect(generate('delete')).rejects.toThrow(/unknown action type "delete"/);
	await expect(generate('confirm', 0)).rejects.toThrow(/must be positive/);
	const other = await db.app.query<{ id: string }>("INSERT INTO patients (name, phone) VALUES ('Ana', '+351911111111') RETURNING id");
	await expect(
		db.app.query('SELECT generate_action_token($1, $2, $3)', ['confirm', appointmentId, other.rows[0].id]),
	).rejects.toThrow(/does not belong to patient/);
});

test('of 20 concurrent redemptions of one token, exactly one wins', async () => {
	const token = await generate();
	const clients = await Promise.all(
		Array.from({ length: 20 }, async () => {
			const client = new pg.Client({ connectionString: db.appUrl });
			await client.connect();
			return client;
		}),
	);
	// All racers wait for the same instant inside PostgreSQL, then redeem.
	const startAt = new Date(Date.now() + 300).toISOString();
	try {
		// Twenty connections, each redeeming in its own autocommit transaction at the same moment:
		// the row lock and the re-checked WHERE clause are all that decide the winner.
		const results = await Promise.all(
			clients.map((c) => c.query<{ won: boolean }>('SELECT pg_sleep_until($2::timestamptz), barnum.mark_token_used($1) AS won', [token, startAt])),
		);
		expect(results.filter((r) => r.rows[0].won)).toHaveLength(1);
		const { rows } = await db.admin.query('SELECT used_at FROM whatsapp_action_tokens WHERE token_hash = barnum_token_hash($1)', [token]);
		expect(rows[0].used_at).toBeInstanceOf(Date);
	} finally {
		await Promise.all(clients.map((c) => c.end()));
	}
});
