import type { Queryable } from '../db/types';
import { BarnumError } from '../errors';
import { sql } from '../db/sql';
import { isUuid } from './transitions';
import { recordAttention, type AttentionChannel } from '../attention/record';

export interface WorkflowRecord {
	id: string;
	workflow_type: string;
	status: string;
	response: string | null;
	attempt: number | null;
	review_submitted?: boolean | null;
	rating?: number | null;
}

type AnswerFields = { response?: string | null; attempt?: number | null; reviewSubmitted?: boolean | null; rating?: number | null; metadata?: object };

/** The answer recorded on the appointment's open records of these types; none: not_found. */
async function answer(pool: Queryable, appointmentId: string, types: string[], fields: AnswerFields): Promise<WorkflowRecord[]> {
	const rows = await answerOpen(pool, appointmentId, types, fields);
	if (rows.length === 0) {
		throw new BarnumError(
			'not_found',
			`Appointment ${appointmentId} has no ${types.join(' or ')} conversation to record an answer on`,
			{ appointmentId, workflowTypes: types },
		);
	}
	return rows;
}

/** The answer recorded on the appointment's open records of these types: the records, perhaps none. */
async function answerOpen(pool: Queryable, appointmentId: string, types: string[], fields: AnswerFields): Promise<WorkflowRecord[]> {
	if (!isUuid(appointmentId)) {
		throw new BarnumError('invalid_input', `appointmentId must be a UUID, got "${appointmentId}"`, { field: 'appointmentId' });
	}
	const exists = await pool.query(sql('appointment-exists'), [appointmentId]);
	if (exists.rowCount === 0) throw new BarnumError('not_found', `Appointment ${appointmentId} does not exist`, { appointmentId });
	const { rows } = await pool.query<WorkflowRecord>(sql('workflow-records-answer'), [
		appointmentId,
		types,
		'completed',
		fields.response ?? null,
		fields.attempt ?? null,
		fields.reviewSubmitted ?? null,
		fields.rating ?? null,
		fields.metadata ?? null,
	]);
	return rows;
}

/**
 * The seed's `no_show_reschedule`: the patient answered the reschedule prompt (attempt n). An
 * answer asking for a new time (`wantsNewTime`, the default) is recorded for the team too — the
 * seed's "admin team notified" — once per appointment and attempt, whichever way it arrives.
 */
export async function recordNoShowRescheduleAttempt(
	pool: Queryable,
	input: { appointmentId: string; attempt?: number | null; response?: string | null; channel?: AttentionChannel; wantsNewTime?: boolean },
): Promise<WorkflowRecord[]> {
	if (input.attempt !== undefined && input.attempt !== null && (!Number.isInteger(input.attempt) || input.attempt < 1)) {
		throw new BarnumError('invalid_input', `attempt must be a positive whole number, got ${input.attempt}`, { field: 'attempt' });
	}
	const attempt = input.attempt ?? 1;
	const response = input.response ?? 'reschedule requested';
	const records = await answer(pool, input.appointmentId, ['reschedule_prompt'], { response, attempt });
	if (input.wantsNewTime !== false) {
		await recordAttention(pool, {
			kind: 'no_show_answer',
			channel: input.channel ?? 'n8n',
			sourceKey: `no_show_answer:${input.appointmentId}:${attempt}`,
			appointmentId: input.appointmentId,
			detail: response,
		});
	}
	return records;
}

/**
 * A reschedule asked for through the action link; the clinic calls back. Recorded on the
 * appointment's open conversation records; when it has none (its messages were all skipped,
 * cancelled or failed, or none was ever sent and the link was made by hand), on a
 * `reschedule_request` record of its own: the request and the preferred time are never lost.
 */
export async function recordRescheduleRequest(
	pool: Queryable,
	input: { appointmentId: string; preferredTime?: string | null; channel: AttentionChannel; sourceKey: string },
): Promise<WorkflowRecord[]> {
	const response = `reschedule requested via ${input.channel === 'link' ? 'link' : input.channel}`;
	const metadata = input.preferredTime ? { preferred_time: input.preferredTime } : {};
	const types = ['pre_confirmation_sent', 'appointment_reminder', 'reschedule_prompt', 'reschedule_request'];
	let rows = await answerOpen(pool, input.appointmentId, types, { response, metadata });
	if (rows.length === 0) rows = (await pool.query<WorkflowRecord>(sql('workflow-record-reschedule-request'), [input.appointmentId, response, metadata])).rows;
	// The clinic calls back: the team is told, with the time the patient would prefer.
	await recordAttention(pool, {
		kind: 'reschedule_request',
		channel: input.channel,
		sourceKey: input.sourceKey,
		appointmentId: input.appointmentId,
		detail: input.preferredTime ?? null,
	});
	return rows;
}

/** The seed's `review`: whether the patient left a review, and the rating (1–5). */
export function recordReview(
	pool: Queryable,
	input: { appointmentId: string; reviewSubmitted?: boolean | null; rating?: number | null },
): Promise<WorkflowRecord[]> {
	if (input.rating !== undefined && input.rating !== null && (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5)) {
		throw new BarnumError('invalid_input', `rating must be a whole number from 1 to 5, got ${input.rating}`, { field: 'rating' });
	}
	return answer(pool, input.appointmentId, ['review_request'], {
		response: input.reviewSubmitted ? 'review submitted' : 'no review',
		reviewSubmitted: input.reviewSubmitted ?? null,
		rating: input.rating ?? null,
	});
}

/** The seed's `reactivation`: records a reactivation conversation for a patient. */
export async function recordReactivation(
	pool: Queryable,
	input: { patientId: string; workflowType?: string | null; response?: string | null },
): Promise<WorkflowRecord> {
	if (!isUuid(input.patientId)) {
		throw new BarnumError('invalid_input', `patientId must be a UUID, got "${input.patientId}"`, { field: 'patientId' });
	}
	const type = input.workflowType ?? 'reactivation';
	if (!/^[a-z][a-z0-9_]{0,62}$/.test(type)) {
		throw new BarnumError('invalid_input', `workflowType must be lower-case letters, digits and underscores, got "${type}"`, {
			field: 'workflowType',
		});
	}
	const patient = await pool.query(sql('patient-exists'), [input.patientId]);
	if (patient.rowCount === 0) throw new BarnumError('not_found', `Patient ${input.patientId} does not exist`, { patientId: input.patientId });
	const { rows } = await pool.query<WorkflowRecord>(sql('workflow-record-insert'), [
		type,
		null,
		input.patientId,
		'completed',
		input.response ?? null,
		null,
		null,
	]);
	return rows[0];
}
