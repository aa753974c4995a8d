import type pg from 'pg';
import { BarnumError } from '../errors';
import { sql } from '../db/sql';
import { statement } from '../db/prepared';
import { inTransaction } from '../db/transaction';
import type { Queryable } from '../db/types';

export type AppointmentStatus = 'scheduled' | 'pre_confirmed' | 'confirmed' | 'cancelled' | 'no_show' | 'completed';
export type StatusAction = 'confirm' | 'cancel' | 'mark_no_show' | 'complete';

/** Which status each action leads to, and from which statuses it may start. */
const RULES: Record<StatusAction, { to: AppointmentStatus; from: AppointmentStatus[] }> = {
	confirm: { to: 'confirmed', from: ['scheduled', 'pre_confirmed'] },
	cancel: { to: 'cancelled', from: ['scheduled', 'pre_confirmed', 'confirmed'] },
	mark_no_show: { to: 'no_show', from: ['scheduled', 'pre_confirmed', 'confirmed'] },
	complete: { to: 'completed', from: ['scheduled', 'pre_confirmed', 'confirmed'] },
};
const RESCHEDULABLE: AppointmentStatus[] = ['scheduled', 'pre_confirmed', 'confirmed', 'no_show'];

/** The records a patient's answer closes, per action (the seed's "update the workflow"). */
const ANSWERED_RECORDS = ['pre_confirmation_sent', 'appointment_reminder'];

export interface AppointmentSummary {
	id: string;
	patient_id: string;
	status: AppointmentStatus;
	date: string;
	time: string;
	starts_at: Date;
}

export interface TransitionResult {
	/** changed: this call moved it; unchanged: it was already there (repeat calls are safe). */
	outcome: 'changed' | 'unchanged';
	previousStatus: AppointmentStatus;
	appointment: AppointmentSummary;
}

/** prepared: named prepared statements (core/db/prepared.ts); only the server's action page asks for them. */
interface StatementOptions {
	prepared?: boolean;
}

async function lockAppointment(client: pg.ClientBase, id: string, options: StatementOptions = {}): Promise<AppointmentSummary> {
	if (!isUuid(id)) throw new BarnumError('invalid_input', `appointmentId must be a UUID, got "${id}"`, { field: 'appointmentId' });
	const { rows } = await client.query<AppointmentSummary>(statement('appointment-lock', [id], options.prepared === true));
	if (!rows[0]) throw new BarnumError('not_found', `Appointment ${id} does not exist`, { appointmentId: id });
	return rows[0];
}

export function isUuid(value: unknown): value is string {
	return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/**
 * Confirms, cancels, marks a no-show or completes an appointment, and records the patient's
 * answer on its open conversation records. Idempotent: repeating an action reports 'unchanged'.
 * Moving from a status the action does not start from (confirming a cancelled appointment) is an
 * illegal transition.
 */
export async function changeAppointmentStatus(
	pool: pg.Pool,
	input: StatusChangeInput,
): Promise<TransitionResult> {
	return inTransaction(pool, (client) => applyStatusChange(client, input));
}

export interface StatusChangeInput {
	appointmentId: string;
	action: StatusAction;
	reason?: string | null;
	response?: string | null;
}

/** What an action would do to an appointment in `status`, without doing it. */
export function verdict(status: AppointmentStatus, action: StatusAction): 'apply' | 'already' | 'illegal' {
	const rule = RULES[action];
	if (status === rule.to) return 'already';
	return rule.from.includes(status) ? 'apply' : 'illegal';
}

/** changeAppointmentStatus inside a transaction the caller owns (the action page redeems a token in the same one). */
export async function applyStatusChange(client: pg.ClientBase, input: StatusChangeInput, options: StatementOptions = {}): Promise<TransitionResult> {
	const rule = RULES[input.action];
	const prepared = options.prepared === true;
	const current = await lockAppointment(client, input.appointmentId, options);
	const next = verdict(current.status, input.action);
	if (next === 'already') return { outcome: 'unchanged', previousStatus: current.status, appointment: current };
	if (next === 'illegal') {
		throw new BarnumError(
			'illegal_transition',
			`Cannot ${input.action.replace('_', ' ')} appointment ${current.id}: it is ${current.status.replace('_', '-')}`,
			{ appointmentId: current.id, status: current.status, action: input.action },
		);
	}
	// The answer is recorded first: the status change fires the trigger that cancels the
	// appointment's pending conversations, and a conversation the patient answered is complete.
	if (input.action === 'confirm' || input.action === 'cancel') {
		const response = input.response ?? (input.action === 'confirm' ? 'confirmed' : `cancelled${input.reason ? `: ${input.reason}` : ''}`);
		await client.query(statement('workflow-records-answer', [current.id, ANSWERED_RECORDS, 'completed', response, null, null, null, null], prepared));
	}
	const { rows } = await client.query<AppointmentSummary>(statement('appointment-set-status', [current.id, rule.to, input.reason ?? null], prepared));
	return { outcome: 'changed', previousStatus: current.status, appointment: rows[0] };
}

/**
 * Moves an appointment to a new date and time (the clinic's wall clock). Pending reminders are
 * superseded by the database trigger; the appointment needs confirming again.
 */
export async function rescheduleAppointment(
	pool: pg.Pool,
	input: { appointmentId: string; newDate: string; newTime: string },
): Promise<TransitionResult> {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(input.newDate) || Number.isNaN(Date.parse(`${input.newDate}T00:00:00Z`))) {
		throw new BarnumError('invalid_input', `newDate must be a date as YYYY-MM-DD, got "${input.newDate}"`, { field: 'newDate' });
	}
	if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(input.newTime)) {
		throw new BarnumError('invalid_input', `newTime must be a time as HH:MM (24 h), got "${input.newTime}"`, { field: 'newTime' });
	}
	return inTransaction(pool, async (client) => {
		const current = await lockAppointment(client, input.appointmentId);
		if (current.date === input.newDate && current.time === input.newTime) {
			return { outcome: 'unchanged', previousStatus: current.status, appointment: current };
		}
		if (!RESCHEDULABLE.includes(current.status)) {
			throw new BarnumError(
				'illegal_transition',
				`Cannot reschedule appointment ${current.id}: it is ${current.status.replace('_', '-')}`,
				{ appointmentId: current.id, status: current.status, action: 'reschedule' },
			);
		}
		const target = await client.query<{ starts_at: Date }>(sql('appointment-starts-at'), [input.newDate, input.newTime, current.id]);
		if (target.rows[0].starts_at.getTime() <= Date.now()) {
			throw new BarnumError('invalid_input', `The new time ${input.newDate} ${input.newTime} is in the past`, { field: 'newDate' });
		}
		const { rows } = await client.query<AppointmentSummary>(sql('appointment-reschedule'), [
			current.id,
			input.newDate,
			input.newTime,
		]);
		return { outcome: 'changed', previousStatus: current.status, appointment: rows[0] };
	});
}

export async function getAppointment(db: Queryable, appointmentId: string): Promise<Record<string, unknown>> {
	if (!isUuid(appointmentId)) {
		throw new BarnumError('invalid_input', `appointmentId must be a UUID, got "${appointmentId}"`, { field: 'appointmentId' });
	}
	const { rows } = await db.query(sql('appointment-get'), [appointmentId]);
	if (!rows[0]) throw new BarnumError('not_found', `Appointment ${appointmentId} does not exist`, { appointmentId });
	return rows[0];
}
