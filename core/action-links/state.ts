import { verdict, type AppointmentStatus } from '../appointments/transitions';
import type { LinkAction } from './create';

/** What a patient's link leads to. Only `invalid` is shown for unknown, expired or foreign tokens. */
export type LinkState =
	/** Nothing to show: unknown, expired, for another action, or used for something since undone. */
	| { state: 'invalid'; reason: 'not_found' | 'expired' | 'wrong_action' | 'used'; clinic: ClinicPage }
	/** The button can be pressed. */
	| { state: 'ready'; action: LinkAction; appointment: LinkAppointment }
	/** Done already (by this link, a WhatsApp reply or the front desk). */
	| { state: 'already'; action: LinkAction; appointment: LinkAppointment }
	/** Done now, by this press. */
	| { state: 'done'; action: LinkAction; appointment: LinkAppointment }
	/** The appointment's state rules the action out (confirming a cancelled appointment). */
	| { state: 'closed'; action: LinkAction; appointment: LinkAppointment };

/** What the page of an invalid link may show: the clinic's name and language, nothing about the link. */
export interface ClinicPage {
	businessName: string;
	defaultLocale: string;
}

export interface LinkAppointment extends ClinicPage {
	id: string;
	status: AppointmentStatus;
	startsAt: Date;
	/** Its time has come: it can no longer be confirmed or cancelled by a link. */
	started: boolean;
	timezone: string;
	professionalName: string | null;
	specialtyName: string | null;
	patientName: string;
	/** The patient's own language, when stored. */
	patientLocale: string | null;
}

/** One row of action-links-read.sql / action-link-lock.sql: the token and its page's data. */
export interface LinkRow {
	action_type: LinkAction | null;
	appointment_id: string | null;
	used: boolean | null;
	expired: boolean | null;
	status: AppointmentStatus | null;
	starts_at: Date | null;
	/** The appointment's time has come (by the database's clock, like `expired`). */
	started: boolean | null;
	patient_name: string | null;
	patient_locale: string | null;
	professional_name: string | null;
	specialty_name: string | null;
	business_name: string;
	default_locale: string;
	timezone: string;
}

// Barnum's tokens are URL-safe base64; the seed's generate_action_token made standard base64
// (+ and /), and links it sent before an upgrade still carry those.
const TOKEN_SHAPE = /^[A-Za-z0-9_+/-]{16,128}={0,2}$/;

/**
 * The token a link carries, or undefined when it cannot be one. A + that the seed put in a link
 * unencoded arrives as a space (the query string's encoding of a space); no token has a space,
 * so it can only have been a +.
 */
export function tokenOf(raw: string): string | undefined {
	const token = raw.includes(' ') ? raw.replaceAll(' ', '+') : raw;
	return TOKEN_SHAPE.test(token) ? token : undefined;
}
const RESCHEDULABLE: AppointmentStatus[] = ['scheduled', 'pre_confirmed', 'confirmed', 'no_show'];

/** The state a link's row puts its page in (the same rules for GET and, under lock, for POST). */
export function linkState(row: LinkRow | undefined, action: LinkAction, clinic: ClinicPage): LinkState {
	if (!row || !row.action_type || !row.appointment_id) return { state: 'invalid', reason: 'not_found', clinic };
	if (row.action_type !== action) return { state: 'invalid', reason: 'wrong_action', clinic };
	if (row.expired && !row.used) return { state: 'invalid', reason: 'expired', clinic };
	const appointment = appointmentOf(row);
	if (row.used) {
		// Pressing again (or reloading) shows what the press did, as long as it still stands.
		const stands = action === 'reschedule' || appointment.status === (action === 'confirm' ? 'confirmed' : 'cancelled');
		return stands ? { state: 'already', action, appointment } : { state: 'invalid', reason: 'used', clinic };
	}
	if (action === 'reschedule') {
		return RESCHEDULABLE.includes(appointment.status) ? { state: 'ready', action, appointment } : { state: 'closed', action, appointment };
	}
	const next = verdict(appointment.status, action);
	// Once its time has come, confirming or cancelling an appointment says nothing the clinic can
	// use (it was attended or missed): the page says the date has passed. Rescheduling stays open.
	if (next === 'apply' && appointment.started) return { state: 'closed', action, appointment };
	return { state: next === 'apply' ? 'ready' : next === 'already' ? 'already' : 'closed', action, appointment };
}

export function clinicOf(row: Pick<LinkRow, 'business_name' | 'default_locale'> | undefined): ClinicPage {
	return { businessName: row?.business_name ?? 'Barnum', defaultLocale: row?.default_locale ?? 'pt-PT' };
}

function appointmentOf(row: LinkRow): LinkAppointment {
	return {
		id: row.appointment_id as string,
		status: row.status as AppointmentStatus,
		startsAt: row.starts_at as Date,
		started: row.started === true,
		timezone: row.timezone,
		businessName: row.business_name,
		defaultLocale: row.default_locale,
		professionalName: row.professional_name,
		specialtyName: row.specialty_name,
		patientName: row.patient_name as string,
		patientLocale: row.patient_locale,
	};
}
