import { createHash } from 'node:crypto';
import type pg from 'pg';
import { recordAttention } from '../attention/record';
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
		// The link's own key (never the token itself): a link is pressed to effect once.
		const sourceKey = `link:${createHash('sha256').update(token).digest('hex')}`;
		if (action === 'reschedule') {
			await recordRescheduleRequest(client, {
				appointmentId: before.appointment.id,
				preferredTime: options.preferredTime ?? null,
				channel: 'link',
				sourceKey,
			});
			return { ...before, state: 'done' };
		}
		const result = await applyStatusChange(client, { appointmentId: before.appointment.id, action }, { prepared });
		// A cancellation frees a slot someone else could take: the team hears of it with the change.
		if (action === 'cancel' && result.outcome === 'changed') {
			await recordAttention(client, { kind: 'cancellation', channel: 'link', sourceKey, appointmentId: before.appointment.id });
		}
		return { state: 'done', action, appointment: { ...before.appointment, status: result.appointment.status } };
	});
}
