import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';

let db: TestDatabase;

beforeAll(async () => {
	db = await freshDatabase();
	const clinic = await seedClinic(db.app);
	const appointmentId = await insertAppointment(db.app, clinic);
	await db.app.query('SELECT generate_action_token($1, $2, $3)', ['confirm', appointmentId, clinic.patientId]);
});
afterAll(() => db.drop());

async function barnumTables(): Promise<Array<{ name: string; rls: boolean }>> {
	const { rows } = await db.admin.query(
		`SELECT n.nspname || '.' || c.relname AS name, c.relrowsecurity AS rls
		   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		  WHERE n.nspname IN ('barnum', 'barnum_clinic') AND c.relkind IN ('r', 'p') ORDER BY 1`,
	);
	return rows;
}

/** Runs one statement as a role, the way a Supabase client with that role would. */
async function asRole(role: string, sql: string, values: unknown[] = []) {
	const client = await db.admin.connect();
	try {
		await client.query('BEGIN');
		await client.query(`SET LOCAL ROLE ${role}`);
		return await client.query(sql, values);
	} finally {
		await client.query('ROLLBACK');
		client.release();
	}
}

test('every table, today\'s and every later migration\'s, has Row Level Security enabled', async () => {
	const tables = await barnumTables();
	expect(tables.map((t) => t.name)).toEqual(
		expect.arrayContaining(['barnum_clinic.appointments', 'barnum_clinic.patients', 'barnum.whatsapp_events', 'barnum.whatsapp_action_tokens', 'barnum.barnum_settings']),
	);
	expect(tables.filter((t) => !t.rls).map((t) => t.name)).toEqual([]);
});

test('Barnum puts nothing in public, which Supabase exposes through its REST API', async () => {
	const { rows } = await db.admin.query(
		`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
		 UNION ALL
		 SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
		 UNION ALL
		 SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public'`,
	);
	expect(rows).toEqual([]);
	const schemas = await db.admin.query(
		"SELECT has_schema_privilege('anon', 'barnum', 'USAGE') AS barnum, has_schema_privilege('anon', 'barnum_clinic', 'USAGE') AS clinic",
	);
	expect(schemas.rows[0]).toEqual({ barnum: false, clinic: false });
});

test('no policy in the schema lets anyone but barnum_app through', async () => {
	const { rows } = await db.admin.query(
		"SELECT tablename, policyname, roles::text[] AS roles FROM pg_policies WHERE schemaname = 'barnum'",
	);
	expect(rows.length).toBeGreaterThan(0);
	for (const policy of rows) expect(policy.roles).toEqual(['barnum_app']);
});

describe.each(['anon', 'authenticated'])('a Supabase %s client', (role) => {
	test('reads nothing from any table, although Supabase default privileges were in place', async () => {
		for (const { name } of await barnumTables()) {
			await expect(asRole(role, `SELECT * FROM ${name}`)).rejects.toThrow(/permission denied/);
		}
	});

	test('cannot call the token functions', async () => {
		await expect(asRole(role, "SELECT * FROM barnum.validate_action_token('x')")).rejects.toThrow(/permission denied/);
		await expect(asRole(role, "SELECT barnum.mark_token_used('x')")).rejects.toThrow(/permission denied/);
	});

	test('cannot bypass privileges with RLS alone: even granted SELECT, it sees no rows', async () => {
		const client = await db.admin.connect();
		try {
			await client.query('BEGIN');
			await client.query(`GRANT USAGE ON SCHEMA barnum, barnum_clinic TO ${role}`);
			await client.query(`GRANT SELECT ON barnum_clinic.patients, barnum.whatsapp_action_tokens, barnum.whatsapp_events TO ${role}`);
			await client.query(`SET LOCAL ROLE ${role}`);
			for (const table of ['barnum_clinic.patients', 'barnum.whatsapp_action_tokens', 'barnum.whatsapp_events']) {
				const { rowCount } = await client.query(`SELECT * FROM ${table}`);
				expect(rowCount).toBe(0);
			}
		} finally {
			await client.query('ROLLBACK');
			client.release();
		}
	});
});

describe('the least-privilege login (member of barnum_app)', () => {
	test('is neither superuser nor owner of anything', async () => {
		const { rows } = await db.app.query(
			`SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
			        (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) AS owned
			   FROM pg_roles r WHERE r.rolname = current_user`,
		);
		expect(rows[0]).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false, owned: 0 });
	});

	test('reads and writes what the product needs', async () => {
		const events = await db.app.query('SELECT count(*)::int AS n FROM whatsapp_events');
		expect(events.rows[0].n).toBeGreaterThan(0);
		await expect(db.app.query("UPDATE barnum_settings SET business_name = 'Clínica Sorriso'")).resolves.toBeDefined();
		await expect(db.app.query('DELETE FROM whatsapp_action_tokens WHERE expires_at < now()')).resolves.toBeDefined();
	});

	test('cannot change the schema, delete history, or rewrite the migration record', async () => {
		await expect(db.app.query('CREATE TABLE intruder (id int)')).rejects.toThrow(/permission denied/);
		await expect(db.app.query('DROP TABLE whatsapp_events')).rejects.toThrow(/must be owner/);
		await expect(db.app.query('ALTER TABLE patients DISABLE ROW LEVEL SECURITY')).rejects.toThrow(/must be owner/);
		await expect(db.app.query('DELETE FROM whatsapp_events')).rejects.toThrow(/permission denied/);
		await expect(db.app.query('DELETE FROM appointments')).rejects.toThrow(/permission denied/);
		await expect(db.app.query('UPDATE schema_version SET md5 = NULL')).rejects.toThrow(/permission denied/);
		await expect(db.app.query('SELECT max(version) FROM schema_version')).resolves.toBeDefined();
	});
});
