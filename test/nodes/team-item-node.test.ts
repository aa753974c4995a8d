import { Barnum } from '../../nodes/Barnum/Barnum.node';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { fakeExecuteContext } from './fakes';

/** Team Item through the Barnum node, as the bundled team notifications workflow runs it. */

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query("UPDATE barnum_settings SET team_email = 'desk@clinic.example', quiet_hours_start = NULL, quiet_hours_end = NULL");
	clinic = await seedClinic(db.app);
});
afterAll(() => db.drop());

async function run(parameters: Record<string, unknown> | Array<Record<string, unknown>>, continueOnFail = false) {
	const context = fakeExecuteContext({ parameters: parameters as never, credential: { connectionString: db.appUrl }, continueOnFail });
	const [items] = await new Barnum().execute.call(context as never);
	return items;
}

test('Record, Claim Notices (one output item per notice), Mark Notified, List Open, Mark Handled', async () => {
	const a = await insertAppointment(db.app, clinic, { daysAhead: 3 });
	const b = await insertAppointment(db.app, clinic, { daysAhead: 4 });
	const record = (sourceKey: string, appointmentId: string) => ({ resource: 'teamItem', operation: 'record', kind: 'reply', sourceKey, appointmentId, patientId: '', detail: 'Olá' });
	const recorded = await run([record('crm:1', a), record('crm:2', b), record('crm:1', a)]);
	expect(recorded.map((i) => i.json.recorded)).toEqual([true, true, false]);

	const notices = await run({ resource: 'teamItem', operation: 'claimNotices', claimOptions: {} });
	expect(notices).toHaveLength(2);
	expect(notices.map((n) => n.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
	expect(notices[0].json).toMatchObject({ type: 'item', team: { email: 'desk@clinic.example' }, itemIds: [recorded[0].json.id] });

	const notified = await run({ resource: 'teamItem', operation: 'markNotified', itemIds: notices.flatMap((n) => n.json.itemIds as string[]) });
	expect((notified[0].json.notified as string[]).sort()).toEqual([recorded[0].json.id, recorded[1].json.id].sort());

	const open = await run({ resource: 'teamItem', operation: 'listOpen', locationId: '', limit: 10 });
	expect(open.map((i) => i.json.id)).toEqual([recorded[0].json.id, recorded[1].json.id]);
	const handled = await run({ resource: 'teamItem', operation: 'markHandled', itemId: recorded[0].json.id, handledBy: 'Ana' });
	expect(handled[0].json).toMatchObject({ state: 'handled', item: { handledBy: 'Ana' } });
	expect((await run({ resource: 'teamItem', operation: 'listOpen', locationId: '', limit: 10 })).map((i) => i.json.id)).toEqual([recorded[1].json.id]);
});

test('bad input is the item\'s error, naming the field', async () => {
	const [empty] = await run({ resource: 'teamItem', operation: 'markNotified', itemIds: '' }, true);
	expect(empty.json).toMatchObject({ code: 'invalid_input', error: expect.stringContaining('Item IDs') });
	const [bad] = await run({ resource: 'teamItem', operation: 'markHandled', itemId: 'nope', handledBy: '' }, true);
	expect(bad.json).toMatchObject({ code: 'invalid_input', error: 'itemId must be a UUID, got "nope"' });
});
