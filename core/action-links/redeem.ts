import type pg from 'pg';
import { recordRescheduleRequest } from '../appointments/records';
import { applyStatusChange } from '../appointments/transitions';
import { statement } from '../db/prepared';
import { inTransaction } from '../db/transaction';
import type { LinkAction } from './create';
import { clinicOf, linkState, tokenOf, type LinkRow, type LinkState } from './state';

export type { LinkAppointment, LinkState } from './state';

/**
 * POST: performs the action once, atomically with using up the token. `prepared` (the default):
 * its statements go as named prepared statements (see LinkReaderOptions.prepared).
 */
export async function redeemLink(
	pool: pg.Pool,
	raw: string,
	action: LinkAction,
	options: { preferredTime?: string | null; prepared?: boolean } = {},
): Promise<LinkState> {
	const prepared = options.prepared !== false;
	const token = tokenOf(raw);
	if (token === undefined) {
		const { rows } = await pool.query<LinkRow>(statement('settings-public', [], prepared));
		return linkState(undefined, action, clinicOf(rows[0]));
	}
	return inTransaction(pool, async (client) => {
		const { rows } = await client.query<LinkRow>(statement('action-link-lock', [token], prepared));
		const before = linkState(rows[0], action, clinicOf(rows[0] ?? (await client.query<LinkRow>(statement('settings-public', [], prepared))).rows[0]));
		if (before.state !== 'ready') return before;
		await client.query(statement('action-link-use', [token, action], prepared));
		if (action === 'reschedule') {
			await recordRescheduleRequest(client, { appointmentId: before.appointment.id, preferredTime: options.preferredTime ?? null });
			return { ...before, state: 'done' };
		}
		const result = await applyStatusChange(client, { appointmentId: before.appointment.id, action }, { prepared });
		return { state: 'done', action, appointment: { ...before.appointment, status: result.appointment.status } };
	});
}
