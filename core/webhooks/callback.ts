import type pg from 'pg';
import { z } from 'zod/v4';
import { recordNoShowRescheduleAttempt, recordReactivation, recordReview } from '../appointments/records';
import { changeAppointmentStatus, rescheduleAppointment } from '../appointments/transitions';
import { calendarDate, clockTime } from '../validation/calendar';
import { int4 } from '../validation/numbers';
import { text } from '../validation/text';

/**
 * The seed's unified callback (`POST /api/webhook`): six actions, each carried out by the same
 * domain operations the Barnum node uses.
 */
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');
// What a patient wrote: line breaks are theirs to keep; other control characters are refused.
const shortText = text({ max: 1000, multiline: true });
// Not stored (the server keeps its own time), but still no text a log would show otherwise.
const timestamp = text({ max: 64 });

export const callbackSchema = z.discriminatedUnion(
	'action',
	[
		z.object({ action: z.literal('confirm'), appointmentId: uuid, patientResponse: shortText.optional(), timestamp: timestamp.optional() }),
		z.object({ action: z.literal('cancel'), appointmentId: uuid, reason: shortText.optional(), timestamp: timestamp.optional() }),
		z.object({
			action: z.literal('reschedule'),
			appointmentId: uuid,
			newDate: calendarDate(),
			newTime: clockTime(),
			timestamp: timestamp.optional(),
		}),
		z.object({
			action: z.literal('no_show_reschedule'),
			appointmentId: uuid,
			attempt: int4(1).optional(),
			patientResponse: shortText.optional(),
			timestamp: timestamp.optional(),
		}),
		z.object({
			action: z.literal('reactivation'),
			patientId: uuid,
			workflowType: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits and underscores').optional(),
			patientResponse: shortText.optional(),
			timestamp: timestamp.optional(),
		}),
		z.object({
			action: z.literal('review'),
			appointmentId: uuid,
			reviewSubmitted: z.boolean().optional(),
			rating: z.number().int('must be a whole number').min(1, 'must be from 1 to 5').max(5, 'must be from 1 to 5').optional(),
			timestamp: timestamp.optional(),
		}),
	],
	{ error: 'action must be one of confirm, cancel, reschedule, no_show_reschedule, reactivation, review' },
);

export type CallbackRequest = z.infer<typeof callbackSchema>;

/** "appointmentId: must be a UUID; rating: must be from 1 to 5" — every bad field, by name. */
export function describeIssues(error: z.ZodError): string {
	return error.issues
		.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
		.join('; ');
}

export async function performCallback(pool: pg.Pool, request: CallbackRequest): Promise<unknown> {
	switch (request.action) {
		case 'confirm':
			return changeAppointmentStatus(pool, {
				appointmentId: request.appointmentId,
				action: 'confirm',
				response: request.patientResponse ?? null,
			});
		case 'cancel':
			return changeAppointmentStatus(pool, { appointmentId: request.appointmentId, action: 'cancel', reason: request.reason ?? null });
		case 'reschedule':
			return rescheduleAppointment(pool, request);
		case 'no_show_reschedule':
			return {
				records: await recordNoShowRescheduleAttempt(pool, {
					appointmentId: request.appointmentId,
					attempt: request.attempt ?? null,
					response: request.patientResponse ?? null,
					channel: 'callback',
				}),
			};
		case 'reactivation':
			return recordReactivation(pool, {
				patientId: request.patientId,
				workflowType: request.workflowType ?? null,
				response: request.patientResponse ?? null,
			});
		case 'review':
			return {
				records: await recordReview(pool, {
					appointmentId: request.appointmentId,
					reviewSubmitted: request.reviewSubmitted ?? null,
					rating: request.rating ?? null,
				}),
			};
	}
}
