import { createActionLink, type LinkAction } from '../action-links/create';
import type { Queryable } from '../db/types';
import { appointmentLine, teamLocale, type AttentionRow, type TeamLocale } from './compose';

/** The message WhatsApp could not deliver, as an email to the patient. */
export interface PatientEmail {
	to: string;
	subject: string;
	text: string;
}

const ACTIVE = ['scheduled', 'pre_confirmed', 'confirmed'];

interface Letter {
	subject: (business: string) => string;
	hello: (name: string) => string;
	/** Per outbox event type: the message's point. */
	body: Record<string, string>;
	link: Record<LinkAction, string>;
	appointment: string;
	signature: (business: string) => string;
}

const LETTERS: Record<TeamLocale, Letter> = {
	en: {
		subject: (business) => `Your appointment at ${business}`,
		hello: (name) => `Hello ${name},`,
		body: {
			'appointment.pre_confirmed': 'We could not reach you on WhatsApp. Please confirm your appointment, or tell us if you cannot come:',
			'appointment.reminder': 'A reminder of your appointment (we could not reach you on WhatsApp):',
			'appointment.no_show': 'We missed you at your appointment. If you would like a new time, tell us here and we will call you:',
		},
		link: { confirm: 'Confirm', cancel: 'Cancel', reschedule: 'Ask for another time' },
		appointment: 'Appointment',
		signature: (business) => `${business}`,
	},
	'pt-PT': {
		subject: (business) => `A sua consulta na ${business}`,
		hello: (name) => `Olá ${name},`,
		body: {
			'appointment.pre_confirmed': 'Não o conseguimos contactar pelo WhatsApp. Confirme a sua consulta, ou diga-nos se não puder vir:',
			'appointment.reminder': 'Lembramos a sua consulta (não o conseguimos contactar pelo WhatsApp):',
			'appointment.no_show': 'Sentimos a sua falta na consulta. Se quiser uma nova data, diga-nos aqui e ligamos-lhe:',
		},
		link: { confirm: 'Confirmar', cancel: 'Cancelar', reschedule: 'Pedir outra data' },
		appointment: 'Consulta',
		signature: (business) => `${business}`,
	},
};

/** The links each message carried, by outbox event type, and the appointment states they still fit. */
const LINKS: Record<string, { actions: LinkAction[]; statuses: string[] }> = {
	'appointment.pre_confirmed': { actions: ['confirm', 'cancel', 'reschedule'], statuses: ACTIVE },
	'appointment.reminder': { actions: ['confirm', 'cancel', 'reschedule'], statuses: ACTIVE },
	'appointment.no_show': { actions: ['reschedule'], statuses: ['no_show'] },
};

/**
 * The email for a patient WhatsApp cannot reach, with fresh links: only for the messages that ask
 * the patient something (pre-confirmation, reminder, no-show), while the appointment still allows
 * it and the clinic has an address. Otherwise undefined, and the team's notice says to call.
 */
export async function patientFallbackEmail(db: Queryable, row: AttentionRow): Promise<PatientEmail | undefined> {
	const plan = row.event_type ? LINKS[row.event_type] : undefined;
	const email = row.patient_email?.trim();
	if (!plan || !email || !/^[^\s@]+@[^\s@]+$/.test(email) || !row.appointment_id || !plan.statuses.includes(row.appointment_status ?? '')) return undefined;
	if (plan.actions.includes('confirm') && row.starts_at && row.starts_at.getTime() <= Date.now()) return undefined;
	const locale = teamLocale(row.patient_locale ?? row.locale);
	const letter = LETTERS[locale];
	const links: string[] = [];
	for (const action of plan.actions) {
		const link = await createActionLink(db, { appointmentId: row.appointment_id, action, metadata: { via: 'email' } });
		links.push(`${letter.link[action]}: ${link.url}`);
	}
	const firstName = (row.patient_name ?? '').trim().split(/\s+/)[0] ?? '';
	return {
		to: email,
		subject: letter.subject(row.location_name),
		text: [
			letter.hello(firstName),
			letter.body[row.event_type!],
			`${letter.appointment}: ${appointmentLine(row, locale)}`,
			links.join('\n'),
			letter.signature(row.location_name),
		].join('\n\n'),
	};
}
