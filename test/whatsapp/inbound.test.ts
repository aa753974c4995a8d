import type { IDataObject } from 'n8n-workflow';
import { Barnum } from '../../nodes/Barnum/Barnum.node';
import { processInboundWebhook } from '../../core/whatsapp/inbound';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { fakeExecuteContext } from '../nodes/fakes';
import { claim, GUEST_KEY, KEYS, makeDue, native, record } from '../resort/fixtures';

/**
 * Replies on WhatsApp, through the Barnum node's Process Inbound Webhook as the bundled inbound
 * workflow runs it: STOP / START from resort guests, and quick replies only from the patient whose
 * appointment they name.
 */

let db: TestDatabase;
let clinic: Awaited<ReturnType<typeof seedClinic>>;
const PATIENT_PHONE = '+351912345678';

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query("UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL, reminder_offsets = '{}'");
	clinic = await seedClinic(db.app, { phone: PATIENT_PHONE });
});
afterAll(() => db.drop());

let wamids = 0;
/** Meta's webhook body for one message from `from` (E.164). */
function inbound(from: string, message: Record<string, unknown>) {
	const value = { messages: [{ from: from.replace(/^\+/, ''), id: `wamid.INBOUND${++wamids}`, ...message }] };
	return { object: 'whatsapp_business_account', entry: [{ changes: [{ value }] }] };
}
const text = (body: string) => ({ type: 'text', text: { body } });
const button = (payload: string, label: string) => ({ type: 'button', button: { payload, text: label } });

/** The Barnum node's Process Inbound Webhook, with the Barnum Postgres credential given. */
async function processInbound(body: unknown, credential: IDataObject = { connectionString: db.appUrl, guestDataKey: GUEST_KEY }) {
	const context = fakeExecuteContext({ parameters: { resource: 'whatsapp', operation: 'processInbound', webhookBody: body }, credential });
	const [items] = await new Barnum().execute.call(context as never);
	return items[0].json as { handled: number; needsAPerson: number; results: Array<Record<string, unknown>> };
}

const guestOptOut = async (guestId: string) =>
	(await db.admin.query<{ at: Date | null }>('SELECT whatsapp_opted_out_at AS at FROM guests WHERE id = $1', [guestId])).rows[0].at;
const appointmentStatus = async (id: string) => (await db.admin.query('SELECT status FROM appointments WHERE id = $1', [id])).rows[0].status;

describe('STOP and START from a resort guest', () => {
	test('with the guest data key, STOP opts the guest out (handled, not left for a person) and their reminder is skipped; START opts back in', async () => {
		const phone = '+351913000111';
		const { result } = await record(db, native('booking_abandoned', 'IN-1', { guest: { phone } }));
		const guestId = result.guest!.id;

		const stop = await processInbound(inbound(phone, text('STOP')));
		expect(stop).toMatchObject({ handled: 1, needsAPerson: 0 });
		expect(stop.results).toEqual([expect.objectContaining({ intent: 'stop', outcome: 'opted out', guestId })]);
		expect(stop.results[0].patientId).toBeUndefined();
		expect(await guestOptOut(guestId)).toBeInstanceOf(Date);
		// The lookup is in the guest audit log, under the node that made it.
		const audit = await db.admin.query("SELECT actor FROM guest_audit_log WHERE guest_id = $1 AND action = 'read'", [guestId]);
		expect(audit.rows).toContainEqual({ actor: 'n8n:Barnum' });

		await makeDue(db, result.bookingId);
		expect((await claim(db)).events.filter((e) => e.entityId === result.bookingId)).toEqual([]);
		const reminder = await db.admin.query("SELECT status, status_reason FROM whatsapp_events WHERE entity_id = $1 AND event_type = 'booking.reminder'", [
			result.bookingId,
		]);
		expect(reminder.rows[0]).toMatchObject({ status: 'skipped', status_reason: expect.stringMatching(/opted out/) });

		const start = await processInbound(inbound(phone, text('start')));
		expect(start).toMatchObject({ handled: 1, needsAPerson: 0 });
		expect(start.results).toEqual([expect.objectContaining({ intent: 'start', outcome: 'opted in', guestId })]);
		expect(await guestOptOut(guestId)).toBeNull();
	});

	test('without a guest data key the guest cannot be found: the STOP is left for a person and says why', async () => {
		const phone = '+351913000222';
		const { result } = await record(db, native('booking_started', 'IN-2', { guest: { phone } }));
		const stop = await processInbound(inbound(phone, text('Parar')), { connectionString: db.appUrl });
		expect(stop).toMatchObject({ handled: 0, needsAPerson: 1 });
		expect(stop.results[0]).toMatchObject({ intent: 'stop', outcome: 'refused', error: expect.stringMatching(/guest data key/) });
		expect(await guestOptOut(result.guest!.id)).toBeNull();
	});

	test('a number that is both a patient\'s and a guest\'s: STOP opts out both; an unknown number is refused', async () => {
		const phone = '+351913000333';
		const both = await seedClinic(db.app, { name: 'Rita Sousa', phone });
		const { result } = await record(db, native('booking_started', 'IN-3', { guest: { phone } }));
		const [stop] = await processInboundWebhook(db.app, inbound(phone, text('STOP')), { guestKeys: KEYS });
		expect(stop).toMatchObject({ outcome: 'opted out', patientId: both.patientId, guestId: result.guest!.id });
		expect(await guestOptOut(result.guest!.id)).toBeInstanceOf(Date);
		const patient = await db.admin.query('SELECT whatsapp_opted_out_at FROM contact_preferences WHERE patient_id = $1', [both.patientId]);
		expect(patient.rows[0].whatsapp_opted_out_at).toBeInstanceOf(Date);

		const [nobody] = await processInboundWebhook(db.app, inbound('+351913000999', text('STOP')), { guestKeys: KEYS });
		expect(nobody).toMatchObject({ outcome: 'refused', error: 'No patient or guest has the number +351*****0999' });
	});
});

describe('quick replies act only for the appointment\'s patient', () => {
	test('CONFIRM:<id> and CANCEL:<id> from another number change nothing and are left for a person', async () => {
		const id = await insertAppointment(db.app, clinic);
		const stranger = '+351934444555';
		const confirm = await processInbound(inbound(stranger, button(`CONFIRM:${id}`, 'Confirmar')));
		expect(confirm).toMatchObject({ handled: 0, needsAPerson: 1 });
		expect(confirm.results[0]).toMatchObject({
			intent: 'confirm',
			appointmentId: id,
			outcome: 'needs a person',
			error: "sent from a number that is not this appointment's patient's: nothing was changed",
		});
		const cancel = await processInbound(inbound(stranger, button(`CANCEL:${id}`, 'Cancelar')));
		expect(cancel).toMatchObject({ handled: 0, needsAPerson: 1 });
		expect(cancel.results[0]).toMatchObject({ intent: 'cancel', outcome: 'needs a person' });
		expect(await appointmentStatus(id)).toBe('scheduled');
		const records = await db.admin.query("SELECT status FROM whatsapp_workflows WHERE appointment_id = $1 AND workflow_type = 'pre_confirmation_sent'", [id]);
		expect(records.rows.map((r) => r.status)).not.toContain('completed');

		const mine = await processInbound(inbound(PATIENT_PHONE, button(`CONFIRM:${id}`, 'Confirmar')));
		expect(mine).toMatchObject({ handled: 1, needsAPerson: 0 });
		expect(mine.results[0]).toMatchObject({ intent: 'confirm', outcome: 'confirmed' });
		expect(await appointmentStatus(id)).toBe('confirmed');
	});

	test('a reschedule button naming someone else\'s appointment records nothing', async () => {
		const id = await insertAppointment(db.app, clinic, { status: 'no_show', daysAhead: -1 });
		const [reply] = await processInboundWebhook(db.app, inbound('+351934444555', button(`RESCHEDULE_YES:${id}`, 'Sim')));
		expect(reply).toMatchObject({ intent: 'reschedule_yes', outcome: 'needs a person' });
		const attempts = await db.admin.query("SELECT count(*)::int AS n FROM whatsapp_workflows WHERE appointment_id = $1 AND workflow_type = 'no_show_reschedule'", [id]);
		expect(attempts.rows[0].n).toBe(0);
	});
});
