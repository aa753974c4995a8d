import { BarnumError } from '../../core/errors';
import { claimEvents, enqueueEvent } from '../../core/outbox/operations';
import type { OutboundMessage } from '../../core/outbox/types';
import { deliverTemplate } from '../../core/whatsapp/delivery';
import { eventTemplate, templateLanguage } from '../../core/whatsapp/event-templates';
import { directSender } from '../helpers/whatsapp-sender';
import type { WhatsAppSender } from '../../core/whatsapp/types';
import { startSandbox, type RunningSandbox } from '../../sandbox/start';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';

/**
 * "The Event's Barnum Template": the message the bundled workflow for each event type sends, built
 * from the event the Outbox Trigger emits. Every message is sent to the sandbox, which checks the
 * template, its language, parameter count and buttons as Meta does and renders what the phone shows.
 */
let db: TestDatabase;
let sandbox: RunningSandbox;
let config: WhatsAppSender;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query(
		"UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL, reminder_offsets = '{}', business_name = 'Clínica Sorriso', public_base_url = 'https://clinic.example'",
	);
	clinic = await seedClinic(db.app);
	sandbox = await startSandbox({ accessToken: 'sandbox-token', appSecret: 'sandbox-app-secret', publicBaseUrl: 'https://clinic.example' });
	config = directSender({ accessToken: 'sandbox-token', phoneNumberId: sandbox.settings.phoneNumberId ?? '100000000000001', graphApiVersion: 'v21.0', baseUrl: sandbox.url });
});
afterAll(async () => {
	await sandbox.stop();
	await db.drop();
});

async function claimed(eventType: string): Promise<OutboundMessage> {
	const { events } = await claimEvents(db.app, { consumerId: 'event-templates', limit: 1, leaseSeconds: 60, eventTypes: [eventType] });
	expect(events).toHaveLength(1);
	return events[0].message;
}

/** Sends the built message to the sandbox; returns what the phone shows. */
async function sendAndRender(message: OutboundMessage) {
	const built = eventTemplate(message);
	const outcome = await deliverTemplate(db.app, config, built.message);
	expect(outcome.error).toBeUndefined();
	return sandbox.state.outbound.get(outcome.wamid!)!;
}

test("a pre-confirmation: first name, the day and the time in the clinic's timezone (across the DST change), links and quick replies", async () => {
	// 31 March 2030 is the day Lisbon moves to summer time: 10:30 there is 09:30 UTC.
	const id = await insertAppointment(db.app, clinic, { date: '2030-03-31', time: '10:30' });
	const event = await claimed('appointment.pre_confirmed');
	const built = eventTemplate(event);
	expect(built.message).toMatchObject({
		to: '+351912345678',
		template: 'barnum_appointment_confirmation',
		language: 'pt_PT',
		bodyParameters: ['João', 'domingo, 31 de março', '10:30', 'Dr. Maria Santos', 'Clínica Sorriso'],
		urlButton: { index: 2, suffix: expect.stringMatching(/^type=confirm&token=[\w-]+$/) },
		quickReplies: [
			{ index: 0, payload: `CONFIRM:${id}` },
			{ index: 1, payload: `CANCEL:${id}` },
		],
	});
	expect(built.fallbackText).toBeNull();
	const shown = await sendAndRender(event);
	expect(shown.rendered.body).toContain('Olá João, tem uma consulta marcada para domingo, 31 de março, às 10:30, com Dr. Maria Santos (Clínica Sorriso).');
});

test("the template's language follows the patient's locale into all four translations", async () => {
	expect(['pt-PT', 'en', 'pt-BR', 'es', 'fr', undefined].map(templateLanguage)).toEqual(['pt_PT', 'en', 'pt_BR', 'es', 'pt_PT', 'pt_PT']);
	await db.admin.query("UPDATE patients SET locale = 'en' WHERE id = $1", [clinic.patientId]);
	try {
		await insertAppointment(db.app, clinic, { date: '2030-07-01', time: '09:05' });
		const shown = await sendAndRender(await claimed('appointment.pre_confirmed'));
		expect(shown.template).toMatchObject({ name: 'barnum_appointment_confirmation', language: 'en' });
		expect(shown.rendered.body).toContain('Hello João, you have an appointment on Monday, July 1 at 09:05 with Dr. Maria Santos (Clínica Sorriso).');
	} finally {
		await db.admin.query('UPDATE patients SET locale = NULL WHERE id = $1', [clinic.patientId]);
	}
});

test('reminder, no-show, review request and reactivation: each template, with its parameters and buttons, is accepted', async () => {
	await db.admin.query("UPDATE barnum_settings SET reminder_offsets = ARRAY[interval '24 hours']");
	const reminded = await insertAppointment(db.app, clinic, { date: '2030-09-02', time: '11:00' });
	await db.admin.query("UPDATE barnum_settings SET reminder_offsets = '{}'");
	await db.admin.query("UPDATE whatsapp_events SET scheduled_for = now() WHERE entity_id = $1 AND event_type = 'appointment.reminder'", [reminded]);
	const reminder = eventTemplate(await claimed('appointment.reminder'));
	expect(reminder.message).toMatchObject({ template: 'barnum_appointment_reminder', bodyParameters: ['João', 'segunda-feira, 2 de setembro', '11:00', 'Dr. Maria Santos', 'Clínica Sorriso'] });

	const missed = await insertAppointment(db.app, clinic, { daysAhead: 1 });
	await db.admin.query("UPDATE appointments SET status = 'no_show' WHERE id = $1", [missed]);
	await db.admin.query("UPDATE whatsapp_events SET scheduled_for = now() WHERE entity_id = $1 AND event_type = 'appointment.no_show'", [missed]);
	const noShow = await claimed('appointment.no_show');
	expect(eventTemplate(noShow).message).toMatchObject({
		template: 'barnum_no_show_reschedule',
		bodyParameters: ['João', 'Clínica Sorriso'],
		urlButton: { index: 2, suffix: expect.stringMatching(/^type=reschedule&token=/) },
		quickReplies: [
			{ index: 0, payload: `RESCHEDULE_YES:${missed}` },
			{ index: 1, payload: `RESCHEDULE_NO:${missed}` },
		],
	});
	await sendAndRender(noShow);

	const done = await insertAppointment(db.app, clinic, { daysAhead: 1 });
	await db.admin.query("UPDATE appointments SET status = 'completed' WHERE id = $1", [done]);
	await db.admin.query("UPDATE whatsapp_events SET scheduled_for = now() WHERE entity_id = $1 AND event_type = 'appointment.review_request'", [done]);
	const review = await claimed('appointment.review_request');
	expect(eventTemplate(review).message).toMatchObject({ template: 'barnum_review_request', bodyParameters: ['João', 'Clínica Sorriso'], urlButton: { index: 0, suffix: done } });
	await sendAndRender(review);

	await enqueueEvent(db.app, { eventType: 'patient.reactivation', entityType: 'patient', entityId: clinic.patientId, payload: { months_since_last_visit: 8 }, respectQuietHours: false });
	const reactivation = await claimed('patient.reactivation');
	const shown = await sendAndRender(reactivation);
	expect(shown.rendered.body).toContain('Já passaram 8 meses desde a sua última consulta');
});

test('resort bookings: the property\'s template, the guest\'s first name (or "olá"), the stay and the fallback text', () => {
	const base = {
		event_id: 'e1',
		entity_type: 'booking',
		entity_id: 'b1',
		business: { name: 'Hotel Praia Azul', timezone: 'Europe/Lisbon', locale: 'pt-PT' },
		payload: {},
	};
	const booking = {
		reference: 'AB12CD',
		check_in: '2030-07-01',
		check_out: '2030-07-05',
		guest: { name: 'Ana Sousa', locale: 'pt-PT', phone: '+351912345678' },
		property: { external_id: 'ChIJ-place', name: 'Hotel Praia Azul', locale: 'pt-PT' },
		template: { name: 'barnum_booking_reminder', language: 'pt_PT' },
		fallback_text: 'Olá Ana, a sua reserva está à sua espera.',
	};
	const reminder = eventTemplate({ ...base, event_type: 'booking.reminder', booking } as unknown as OutboundMessage);
	expect(reminder).toEqual({
		message: {
			to: '+351912345678',
			template: 'barnum_booking_reminder',
			language: 'pt_PT',
			bodyParameters: ['Ana', 'Hotel Praia Azul', '1 jul. – 5 jul. 2030'],
			urlButton: { index: 0, suffix: 'booking=AB12CD' },
		},
		fallbackText: 'Olá Ana, a sua reserva está à sua espera.',
	});
	const anonymous = { ...booking, guest: { locale: 'en', phone: '+351912345678' }, template: { name: 'barnum_post_stay_review', language: 'en' } };
	expect(eventTemplate({ ...base, event_type: 'booking.review_request', booking: anonymous } as unknown as OutboundMessage).message).toMatchObject({
		language: 'en',
		bodyParameters: ['olá', 'Hotel Praia Azul'],
		urlButton: { index: 0, suffix: 'ChIJ-place' },
	});
	const confirmation = { ...booking, confirmation_code: 'XYZ9', template: { name: 'barnum_reservation_confirmation', language: 'pt_PT' } };
	expect(eventTemplate({ ...base, event_type: 'booking.confirmation', booking: confirmation } as unknown as OutboundMessage).message.bodyParameters).toEqual([
		'Ana',
		'Hotel Praia Azul',
		'2030-07-01',
		'2030-07-05',
		'XYZ9',
	]);
});

test('the stay messages: pre-arrival with the day written out and the check-in time, check-out with its time, the corrected confirmation with the new days — each accepted by the sandbox as Meta would', async () => {
	const base = { event_id: 'e3', entity_type: 'booking', entity_id: 'b3', business: { name: 'Hotel Praia Azul', timezone: 'Europe/Lisbon', locale: 'pt-PT' } };
	const booking = (template: string, locale = 'pt-PT') => ({
		reference: 'AB12CD',
		confirmation_code: 'PA-7731',
		check_in: '2030-08-12',
		check_out: '2030-08-15',
		guest: { name: 'Sofia Reis', locale, phone: '+351912345678' },
		property: { external_id: 'praia-azul', name: 'Hotel Praia Azul', locale: 'pt-PT' },
		template: { name: template, language: locale.replace('-', '_') },
	});
	const preArrival = { ...base, event_type: 'booking.pre_arrival', payload: { check_in_time: '15:00' }, booking: booking('barnum_pre_arrival') } as unknown as OutboundMessage;
	expect(eventTemplate(preArrival).message.bodyParameters).toEqual(['Sofia', 'Hotel Praia Azul', 'segunda-feira, 12 de agosto', '15:00']);
	expect((await sendAndRender(preArrival)).rendered.body).toContain('O check-in é a partir das 15:00');

	const checkOut = { ...base, event_type: 'booking.check_out', payload: { check_out_time: '11:00' }, booking: booking('barnum_check_out', 'en') } as unknown as OutboundMessage;
	expect(eventTemplate(checkOut).message).toMatchObject({ language: 'en', bodyParameters: ['Sofia', 'Hotel Praia Azul', '11:00'] });
	expect((await sendAndRender(checkOut)).rendered.body).toContain('check-out is by 11:00');

	const modified = { ...base, event_type: 'booking.modification', payload: {}, booking: booking('barnum_booking_modified', 'es') } as unknown as OutboundMessage;
	expect(eventTemplate(modified).message.bodyParameters).toEqual(['Sofia', 'Hotel Praia Azul', 'lunes, 12 de agosto', 'jueves, 15 de agosto', 'PA-7731']);
	expect((await sendAndRender(modified)).rendered.body).toContain('Entrada: lunes, 12 de agosto');
});

test('an item that is not an event of a known type is refused with what to do instead', () => {
	const custom = { event_id: 'e2', event_type: 'custom.birthday', business: { name: 'x', timezone: 'UTC', locale: 'en' }, payload: {} } as unknown as OutboundMessage;
	expect(() => eventTemplate(custom)).toThrow(BarnumError);
	expect(() => eventTemplate(custom)).toThrow('No bundled Barnum template for custom.birthday events: set the message with "Define Below"');
	expect(() => eventTemplate({} as OutboundMessage)).toThrow(/not an outbox event/);
});
