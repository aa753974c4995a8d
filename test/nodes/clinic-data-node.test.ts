import type { IDataObject } from 'n8n-workflow';
import { Barnum } from '../../nodes/Barnum/Barnum.node';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { fakeExecuteContext } from './fakes';

/** The Barnum node's Clinic Data operations, on a real database. */

let db: TestDatabase;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
});
afterAll(() => db.drop());

async function run(parameters: IDataObject | IDataObject[], continueOnFail = false) {
	const context = fakeExecuteContext({ parameters, credential: { connectionString: db.appUrl }, continueOnFail });
	const [items] = await new Barnum().execute.call(context as never);
	return items;
}

const inAWeek = () => new Date(Date.now() + 7 * 24 * 3_600_000).toISOString();

function appointment(externalId: string, overrides: IDataObject = {}): IDataObject {
	return {
		resource: 'clinicData',
		operation: 'upsertAppointment',
		source: 'clinic-mysql',
		externalId,
		startsAt: inAWeek(),
		status: 'scheduled',
		patientName: 'Ana Conceição',
		patientPhone: '+351912345678',
		appointmentFields: { durationMinutes: 45, professionalExternalId: 'P7', professionalName: 'Dr. Rui Costa' },
		...overrides,
	};
}

const appointmentsKeyed = async (externalId: string) =>
	Number((await db.admin.query('SELECT count(*) FROM appointments WHERE source = $1 AND external_id = $2', ['clinic-mysql', externalId])).rows[0].count);

test('Upsert Appointment creates, then reports unchanged for the same item, with paired items', async () => {
	const item = appointment('A-1');
	const [created] = await run(item);
	expect(created.json).toMatchObject({ outcome: 'created', externalId: 'A-1', status: 'scheduled', professional: { outcome: 'created' } });
	expect(created.pairedItem).toEqual({ item: 0 });
	const [again] = await run(item);
	expect(again.json).toMatchObject({ id: created.json.id, outcome: 'unchanged' });
	const events = await db.admin.query('SELECT count(*) FROM whatsapp_events WHERE entity_id = $1', [created.json.id]);
	expect(Number(events.rows[0].count)).toBeGreaterThan(0);
});

test('with Continue On Fail, an item without a start time or phone is an error item; the others are written', async () => {
	const items = await run(
		[appointment('B-1'), appointment('B-2', { startsAt: '' }), appointment('B-3', { patientPhone: '' }), appointment('B-4')],
		true,
	);
	expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
	expect(items[0].json).toMatchObject({ outcome: 'created' });
	expect(items[1].json).toEqual({ error: 'startsAt is missing: an appointment needs its start time', code: 'invalid_input' });
	expect(items[2].json).toEqual({ error: "patientPhone is missing: WhatsApp messages need the patient's phone number", code: 'invalid_input' });
	expect(items[3].json).toMatchObject({ outcome: 'created' });
	expect([await appointmentsKeyed('B-2'), await appointmentsKeyed('B-3'), await appointmentsKeyed('B-4')]).toEqual([0, 0, 1]);
});

test('without Continue On Fail, the bad item fails the node with its reason and item index', async () => {
	await expect(run([appointment('C-1'), appointment('C-2', { startsAt: 'tomorrow' })])).rejects.toMatchObject({
		message: expect.stringContaining('startsAt "tomorrow" is not a date and time'),
		context: { itemIndex: 1 },
	});
	expect(await appointmentsKeyed('C-2')).toBe(0);
});

test('Set Appointment Status marks a no-show by the source ID; an unknown ID is named', async () => {
	const [created] = await run(appointment('D-1'));
	const [noShow] = await run({ resource: 'clinicData', operation: 'setAppointmentStatus', source: 'clinic-mysql', externalId: 'D-1', status: 'no_show', reason: '' });
	expect(noShow.json).toMatchObject({ id: created.json.id, outcome: 'updated', previousStatus: 'scheduled', status: 'no_show' });
	await expect(
		run({ resource: 'clinicData', operation: 'setAppointmentStatus', source: 'clinic-mysql', externalId: 'D-404', status: 'no_show', reason: '' }),
	).rejects.toThrow('No appointment "D-404" from clinic-mysql');
});

test('Upsert Location, Specialty, Professional and Patient', async () => {
	const [location] = await run({
		resource: 'clinicData',
		operation: 'upsertLocation',
		externalId: 'lisboa',
		name: 'Clínica de Lisboa',
		locationFields: { timezone: 'Europe/Lisbon', locale: 'pt-PT', quietHoursStart: '21:00', quietHoursEnd: '08:00' },
	});
	expect(location.json).toMatchObject({ outcome: 'created' });
	const [specialty] = await run({ resource: 'clinicData', operation: 'upsertSpecialty', source: 'clinic-mysql', externalId: 'S1', name: 'Ortodontia' });
	expect(specialty.json).toMatchObject({ outcome: 'created' });
	const [professional] = await run({
		resource: 'clinicData',
		operation: 'upsertProfessional',
		source: 'clinic-mysql',
		externalId: 'P1',
		name: 'Dr. Maria Santos',
		specialtyExternalId: 'S1',
	});
	expect(professional.json).toMatchObject({ outcome: 'created' });
	const [patient] = await run({
		resource: 'clinicData',
		operation: 'upsertPatient',
		source: 'clinic-mysql',
		externalId: '42',
		name: 'João Silva',
		phone: '00351 961 234 567',
		patientFields: { locale: 'en' },
	});
	expect(patient.json).toMatchObject({ outcome: 'created' });
	const row = await db.admin.query('SELECT phone, locale FROM patients WHERE id = $1', [patient.json.id]);
	expect(row.rows[0]).toEqual({ phone: '+351961234567', locale: 'en' });
	const [located] = await run(appointment('E-1', { appointmentFields: { locationExternalId: 'lisboa' } }));
	expect(located.json).toMatchObject({ outcome: 'created' });
});
