import type pg from 'pg';
import { recordRescheduleRequest } from '../appointments/records';
import { applyStatusChange, getAppointment, verdict, type AppointmentStatus } from '../appointments/transitions';
import { sql } from '../db/sql';
import { inTransaction } from '../db/transaction';
import type { Queryable } from '../db/types';
import type { LinkAction } from './create';

/** What a patient's link leads to. Only `invalid` is shown for unknown, expired or foreign tokens. */
export type LinkState =
	/** Nothing to show: unknown, expired, for another action, or used for something since undone. */
	| { state: 'invalid'; reason: 'not_found' | 'expired' | 'wrong_action' | 'used' }
	/** The button can be pressed. */
	| { state: 'ready'; action: LinkAction; appointment: LinkAppointment }
	/** Done already (by this link, a WhatsApp reply or the front desk). */
	| { state: 'already'; action: LinkAction; appointment: LinkAppointment }
	/** Done now, by this press. */
	| { state: 'done'; action: LinkAction; appointment: LinkAppointment }
	/** The appointment's state rules the action out (confirming a cancelled appointment). */
	| { state: 'closed'; action: LinkAction; appointment: LinkAppointment };

export interface LinkAppointment {
	id: string;
	status: AppointmentStatus;
	startsAt: Date;
	timezone: string;
	businessName: string;
	professionalName: string | null;
	specialtyName: string | null;
	patientName: string;
	/** The patient's own language, when stored. */
	patientLocale: string | null;
	/** The clinic's default language. */
	defaultLocale: string;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;
const RESCHEDULABLE: AppointmentStatus[] = ['scheduled', 'pre_confirmed', 'confirmed', 'no_show'];

interface TokenRow {
	action_type: LinkAction;
	appointment_id: string;
	used: boolean;
	expired: boolean;
}

/** GET: what the page shows, with no side effect at all. */
export async function inspectLink(db: Queryable, token: string, action: LinkAction): Promise<LinkState> {
	if (!TOKEN_SHAPE.test(token)) return { state: 'invalid', reason: 'not_found' };
	const { rows } = await db.query<TokenRow>(sql('token-peek'), [token]);
	return judge(db, rows[0], action);
}

/** POST: performs the action once, atomically with using up the token. */
export async function redeemLink(
	pool: pg.Pool,
	token: string,
	action: LinkAction,
	options: { preferredTime?: string | null } = {},
): Promise<LinkState> {
	if (!TOKEN_SHAPE.test(token)) return { state: 'invalid', reason: 'not_found' };
	return inTransaction(pool, async (client) => {
		const { rows } = await client.query<TokenRow>(sql('token-lock'), [token]);
		const before = await judge(client, rows[0], action);
		if (before.state !== 'ready') return before;
		await client.query('SELECT mark_token_used($1, $2)', [token, action]);
		if (action === 'reschedule') {
			await recordRescheduleRequest(client, { appointmentId: before.appointment.id, preferredTime: options.preferredTime ?? null });
			return { ...before, state: 'done' };
		}
		const result = await applyStatusChange(client, { appointmentId: before.appointment.id, action });
		return { state: 'done', action, appointment: { ...before.appointment, status: result.appointment.status } };
	});
}

async function judge(db: Queryable, token: TokenRow | undefined, action: LinkAction): Promise<LinkState> {
	if (!token) return { state: 'invalid', reason: 'not_found' };
	if (token.action_type !== action) return { state: 'invalid', reason: 'wrong_action' };
	if (token.expired && !token.used) return { state: 'invalid', reason: 'expired' };
	const appointment = await loadAppointment(db, token.appointment_id);
	if (token.used) {
		// Pressing again (or reloading) shows what the press did, as long as it still stands.
		const stands = action === 'reschedule' || appointment.status === (action === 'confirm' ? 'confirmed' : 'cancelled');
		return stands ? { state: 'already', action, appointment } : { state: 'invalid', reason: 'used' };
	}
	if (action === 'reschedule') {
		return RESCHEDULABLE.includes(appointment.status) ? { state: 'ready', action, appointment } : { state: 'closed', action, appointment };
	}
	const next = verdict(appointment.status, action);
	return { state: next === 'apply' ? 'ready' : next === 'already' ? 'already' : 'closed', action, appointment };
}

async function loadAppointment(db: Queryable, id: string): Promise<LinkAppointment> {
	const row = (await getAppointment(db, id)) as Record<string, unknown>;
	return {
		id,
		status: row.status as AppointmentStatus,
		startsAt: row.starts_at as Date,
		timezone: row.timezone as string,
		businessName: row.business_name as string,
		professionalName: (row.professional_name as string | null) ?? null,
		specialtyName: (row.specialty_name as string | null) ?? null,
		patientName: row.patient_name as string,
		patientLocale: (row.patient_locale as string | null) ?? null,
		defaultLocale: row.default_locale as string,
	};
}
