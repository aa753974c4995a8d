import { readFileSync } from 'node:fs';
import path from 'node:path';
import { maskPhone } from '../core/contacts';
import type { Queryable } from '../core/db/types';
import { packageRoot } from '../core/paths';
import { delay, StackError } from './run';

/** The stack's own statements (stack/sql/*.sql): demo data is not part of the product schema. */
function stackSql(name: string): string {
	return readFileSync(path.join(packageRoot(), 'stack', 'sql', `${name}.sql`), 'utf8');
}

export const DEMO_PHONE = '+351912345678';

/** Points action links at this stack's server. */
export async function setPublicBaseUrl(db: Queryable, url: string): Promise<void> {
	await db.query(stackSql('public-base-url'), [url]);
}

/**
 * The demo clinic, its patients and the resort property; safe to run on every start (nothing is
 * duplicated). Resolves true when this call added them, false when they were there already.
 */
export async function seedDemoData(db: Queryable, options: { demoPhone?: string } = {}): Promise<boolean> {
	const seeded = (await db.query<{ seeded: boolean }>(stackSql('demo-exists'))).rows[0].seeded;
	await db.query(stackSql('demo-data'));
	if (options.demoPhone && options.demoPhone !== DEMO_PHONE) await db.query(stackSql('demo-phone'), [options.demoPhone]);
	return !seeded;
}

/** The patients' names for WhatsApp numbers (digits → name): who the sandbox's phones belong to. */
export async function contactNames(db: Queryable, waIds: string[]): Promise<Record<string, string>> {
	const { rows } = await db.query<{ wa_id: string; name: string }>(stackSql('contact-names'), [waIds]);
	return Object.fromEntries(rows.map((row) => [row.wa_id, row.name]));
}

export interface DemoBooking {
	appointmentId: string;
	patient: string;
	/** E.164. */
	phone: string;
	date: string;
	time: string;
}

/** Books the demo patient an appointment: the database queues the WhatsApp pre-confirmation. */
export async function bookDemoAppointment(db: Queryable): Promise<DemoBooking> {
	const patient = (await db.query<{ name: string; phone: string | null; opted_out: boolean }>(stackSql('demo-patient'))).rows[0];
	if (!patient) throw new StackError('the demo patient is missing: demo data is off for this database (BARNUM_DEMO_DATA)');
	if (!patient.phone) throw new StackError(`${patient.name} has no phone number`);
	if (patient.opted_out) throw new StackError(`${patient.name} opted out of WhatsApp messages (answered STOP); opt back in from n8n or reset`);
	const booked = (await db.query<{ id: string; date: string; time: string }>(stackSql('demo-book'))).rows[0];
	return { appointmentId: booked.id, patient: patient.name, phone: patient.phone, date: booked.date, time: booked.time };
}

export function describeBooking(booking: DemoBooking): string {
	return `Booked ${booking.patient} (${maskPhone(booking.phone)}) with Dra. Maria Santos on ${booking.date} at ${booking.time}.`;
}

/** Waits for the booking's pre-confirmation to leave (n8n sent it to WhatsApp). */
export async function waitForPreConfirmation(db: Queryable, appointmentId: string, ms = 60_000): Promise<{ status: string; whatsapp_message_id: string | null }> {
	const deadline = Date.now() + ms;
	for (;;) {
		const event = (await db.query<{ status: string; whatsapp_message_id: string | null; last_error: string | null }>(stackSql('demo-event'), [appointmentId])).rows[0];
		if (event?.status === 'sent') return event;
		if (event && ['dead_letter', 'skipped', 'cancelled'].includes(event.status)) {
			throw new StackError(`the pre-confirmation ended ${event.status}${event.last_error ? `: ${event.last_error}` : ''}`);
		}
		if (Date.now() > deadline) {
			throw new StackError(`the pre-confirmation was not sent within ${ms / 1000} s (${event ? `it is ${event.status}${event.last_error ? `: ${event.last_error}` : ''}` : 'no event was queued'}); is n8n running with the bundled workflows active?`);
		}
		await delay(200);
	}
}
