import { sql } from '../db/sql';
import type { Queryable } from '../db/types';
import { BarnumError } from '../errors';

function wholeDays(value: number, field: string): number {
	if (!Number.isInteger(value) || value < 1 || value > 3650) {
		throw new BarnumError('invalid_input', `${field} must be a whole number of days from 1 to 3650, got ${value}`, { field });
	}
	return value;
}

/**
 * Queues one `patient.reactivation` event per patient with no visit in `inactiveDays`, once per
 * `periodDays` (idempotent: run it as often as you like). Returns the patients queued now.
 */
export async function enqueueReactivations(db: Queryable, input: { inactiveDays: number; periodDays: number }): Promise<string[]> {
	const { rows } = await db.query<{ entity_id: string }>(sql('reactivations-enqueue'), [
		wholeDays(input.inactiveDays, 'inactiveDays'),
		wholeDays(input.periodDays, 'periodDays'),
	]);
	return rows.map((r) => r.entity_id);
}

/** Events dead-lettered in the last `sinceMinutes` minutes (at most 100, newest first). */
export async function recentDeadLetters(db: Queryable, sinceMinutes: number): Promise<Array<Record<string, unknown>>> {
	if (!Number.isInteger(sinceMinutes) || sinceMinutes < 1) {
		throw new BarnumError('invalid_input', `sinceMinutes must be a whole number of minutes, got ${sinceMinutes}`, { field: 'sinceMinutes' });
	}
	const { rows } = await db.query(sql('dead-letters-recent'), [sinceMinutes]);
	return rows;
}
