import type pg from 'pg';
import { redeemLink } from '../../core/action-links/redeem';
import { changeAppointmentStatus } from '../../core/appointments/transitions';
import { createPool, endPool } from '../../core/db/pool';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { linkToken } from '../helpers/server';

// The action page's press runs its statements as named prepared statements, which a pooler in
// transaction mode (PgBouncer before 1.21) cannot keep: DATABASE_PREPARED_STATEMENTS=false must
// leave none on the connection, and the n8n nodes' path (changeAppointmentStatus, through the
// Barnum Postgres credential) never names any. A pool of one connection shows what it holds.

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

beforeAll(async () => {
	db = await freshDatabase();
	clinic = await seedClinic(db.app);
});
afterAll(async () => {
	await db.drop();
});

async function withOneConnection(work: (pool: pg.Pool) => Promise<void>): Promise<string[]> {
	const pool = createPool(db.appUrl, { max: 1 });
	try {
		await work(pool);
		return (await pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map((r) => r.name);
	} finally {
		await endPool(pool);
	}
}

const statusOf = async (id: string) => (await db.app.query('SELECT status FROM appointments WHERE id = $1', [id])).rows[0].status;

test('a confirm press names every statement of its transaction', async () => {
	const id = await insertAppointment(db.app, clinic);
	const token = await linkToken(db, id, 'confirm');
	const named = await withOneConnection(async (pool) => {
		expect((await redeemLink(pool, token, 'confirm')).state).toBe('done');
	});
	expect(named).toEqual([
		'barnum_action_link_lock',
		'barnum_action_link_use',
		'barnum_appointment_lock',
		'barnum_appointment_set_status',
		'barnum_workflow_records_answer',
	]);
	expect(await statusOf(id)).toBe('confirmed');
});

test('with prepared statements off (DATABASE_PREPARED_STATEMENTS=false), a press leaves none', async () => {
	const id = await insertAppointment(db.app, clinic);
	const token = await linkToken(db, id, 'cancel');
	const named = await withOneConnection(async (pool) => {
		expect((await redeemLink(pool, token, 'cancel', { prepared: false })).state).toBe('done');
	});
	expect(named).toEqual([]);
	expect(await statusOf(id)).toBe('cancelled');
});

test('the nodes\' status change names none', async () => {
	const id = await insertAppointment(db.app, clinic);
	const named = await withOneConnection(async (pool) => {
		expect((await changeAppointmentStatus(pool, { appointmentId: id, action: 'confirm' })).outcome).toBe('changed');
	});
	expect(named).toEqual([]);
	expect(await statusOf(id)).toBe('confirmed');
});
