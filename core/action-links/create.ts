import type { Queryable } from '../db/types';
import { BarnumError } from '../errors';
import { sql } from '../db/sql';
import { isUuid } from '../appointments/transitions';

export type LinkAction = 'confirm' | 'cancel' | 'reschedule';

/** A one-click link on the public base URL; only its token's hash is stored. */
export async function createActionLink(
	db: Queryable,
	input: { appointmentId: string; action: LinkAction; workflowId?: string | null; metadata?: object | null; expiresInDays?: number | null },
): Promise<{ url: string; token: string; expires_at: Date }> {
	if (!isUuid(input.appointmentId)) {
		throw new BarnumError('invalid_input', `appointmentId must be a UUID, got "${input.appointmentId}"`, { field: 'appointmentId' });
	}
	if (!['confirm', 'cancel', 'reschedule'].includes(input.action)) {
		throw new BarnumError('invalid_input', `action must be confirm, cancel or reschedule, got "${input.action}"`, { field: 'action' });
	}
	const { rows } = await db.query<{ url: string; token: string; expires_at: Date }>(sql('action-link-create'), [
		input.action,
		input.workflowId ?? null,
		input.metadata ?? null,
		input.expiresInDays ?? null,
		input.appointmentId,
	]);
	if (!rows[0]) throw new BarnumError('not_found', `Appointment ${input.appointmentId} does not exist`, { appointmentId: input.appointmentId });
	return rows[0];
}
