import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../../core/db/migrate';
import { createPool } from '../../core/db/pool';
import { emptyDatabase } from '../helpers/database';

/**
 * An install whose built-in tables predate the source keys: `barnum migrate` re-applies the
 * shipped contract whose text changed, which adds the columns and their index, rows kept.
 */
test('re-applying builtin.sql adds source and external_id to tables that have rows, and is idempotent', async () => {
	const shipped = readFileSync(path.join(__dirname, '../../sql/contracts/builtin.sql'), 'utf8');
	const start = shipped.indexOf("-- The source system's own key");
	const end = shipped.indexOf('-- Row Level Security');
	expect(start).toBeGreaterThan(0);
	const before = shipped.slice(0, start) + shipped.slice(end);
	const dir = mkdtempSync(path.join(os.tmpdir(), 'barnum-builtin-'));
	const file = path.join(dir, 'builtin-before.sql');
	writeFileSync(file, before);
	const db = await emptyDatabase();
	const admin = createPool(db.url);
	try {
		await migrate(db.url, { contract: file });
		await admin.query(
			"INSERT INTO barnum_clinic.patients (name, phone) VALUES ('Ana', '+351912345678'); UPDATE barnum.contract SET name = 'builtin'",
		);
		const columns = "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'barnum_clinic' AND column_name IN ('source', 'external_id')";
		expect((await admin.query(columns)).rows[0].n).toBe(0);

		expect((await migrate(db.url)).contract).toBe('builtin');
		expect((await admin.query(columns)).rows[0].n).toBe(8);
		expect((await admin.query('SELECT name, source, external_id FROM barnum_clinic.patients')).rows).toEqual([{ name: 'Ana', source: null, external_id: null }]);
		await migrate(db.url, { contract: 'builtin' });
		const indexes = await admin.query("SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'barnum_clinic' AND indexname LIKE 'uq_%_source_external_id'");
		expect(indexes.rows[0].n).toBe(4);
	} finally {
		await admin.end();
		await db.drop();
		rmSync(dir, { recursive: true, force: true });
	}
});
