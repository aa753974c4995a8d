import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ensureAppLogin, withCredentials } from '../../server/db/app-login';
import { createPool } from '../../core/db/pool';
import { TEST_APP_LOGIN, TEST_APP_PASSWORD, supabaseRoles } from './constants';
import { emptyDatabase } from './database';

/** The fixed values of test/fixtures/seed-database.sql (see its README). */
export const SEED = {
	appointments: {
		a: '5eed0004-0000-4000-8000-00000000000a',
		b: '5eed0004-0000-4000-8000-00000000000b',
		c: '5eed0004-0000-4000-8000-00000000000c',
		e: '5eed0004-0000-4000-8000-00000000000e',
	},
	patients: { joao: '5eed0003-0000-4000-8000-000000000001', rui: '5eed0003-0000-4000-8000-000000000003' },
	events: { a: '5eed0007-0000-4000-8000-00000000000a', b: '5eed0007-0000-4000-8000-00000000000b' },
	tokens: {
		unused: 'seedTokenUnused0123456789abcdeGH',
		unusedCancel: 'seed+Token/Cancel+0123456789ab/Z',
		used: 'seedTokenUsed00123456789abcdefGH',
		expired: 'seedTokenExpired0123456789abcdGH',
	},
};

export interface SeedDatabase {
	url: string;
	appUrl: string;
	/** Owner connection, search_path public (the seed's application sees the database this way). */
	admin: pg.Pool;
	drop(): Promise<void>;
}

/**
 * A database built as the seed document describes, on a Supabase-like cluster (anon and
 * authenticated with Supabase's default privileges in public), before Barnum.
 */
export async function seedDatabase(): Promise<SeedDatabase> {
	const db = await emptyDatabase();
	const admin = createPool(db.url, { applicationName: 'barnum-test-seed' });
	try {
		await admin.query(supabaseRoles.database);
		await admin.query(readFileSync(path.join(__dirname, '..', 'fixtures', 'seed-database.sql'), 'utf8'));
	} catch (error) {
		await admin.end();
		await db.drop();
		throw error;
	}
	return {
		url: db.url,
		appUrl: withCredentials(db.url, TEST_APP_LOGIN, TEST_APP_PASSWORD),
		admin,
		async drop() {
			await admin.end();
			await db.drop();
		},
	};
}

/** The least-privilege login the server and n8n use, after migrate (barnum_app exists then). */
export function allowAppLogin(url: string): Promise<void> {
	return ensureAppLogin(url, { user: TEST_APP_LOGIN, password: TEST_APP_PASSWORD });
}

/** Every row of the seed's tables, by table, as text: what an upgrade must keep. */
export async function seedRows(db: pg.Pool): Promise<Record<string, string[]>> {
	const tables = ['specialties', 'professionals', 'patients', 'appointments', 'whatsapp_workflows', 'whatsapp_events', 'whatsapp_action_tokens'];
	const result: Record<string, string[]> = {};
	for (const table of tables) {
		const { rows } = await db.query<{ id: string }>(`SELECT id::text FROM public.${table} ORDER BY id`);
		result[table] = rows.map((r) => r.id);
	}
	return result;
}
