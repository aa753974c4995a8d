import { recordUnreachable, UNREACHABLE_CODE } from '../attention/record';
import { sql } from '../db/sql';
import type { Queryable } from '../db/types';

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusReport {
	wamid: string;
	status: DeliveryStatus;
	/** When Meta says it happened. */
	at: Date;
	errorCode?: number | null;
	errorTitle?: string | null;
}

export interface RecordedStatus {
	wamid: string;
	/** The status now on record: later than or equal to what was reported (statuses arrive out of order). */
	status: string;
	applied: boolean;
	/** Set when a failure dead-lettered the event the message carried. */
	deadLetteredEvent?: string;
	/** WhatsApp cannot reach the patient (131026): recorded for the clinic's team. */
	unreachable?: true;
}

/** Records one status; never moves a message backwards. */
export async function recordDeliveryStatus(db: Queryable, report: StatusReport): Promise<RecordedStatus> {
	const { rows } = await db.query<{ wamid: string; status: string; event_id: string | null; applied: boolean }>(sql('message-status'), [
		report.wamid,
		report.status,
		report.at,
		report.errorCode ?? null,
		report.errorTitle ?? null,
	]);
	const row = rows[0];
	const recorded: RecordedStatus = { wamid: row.wamid, status: row.status, applied: row.applied };
	if (report.status === 'failed' && row.event_id) {
		const reason = `WhatsApp ${report.errorCode !== null && report.errorCode !== undefined ? `(#${report.errorCode}) ` : ''}${report.errorTitle ?? 'message failed'}`;
		const dead = await db.query<{ id: string }>(sql('message-failed-event'), [row.event_id, reason]);
		if (dead.rows[0]) recorded.deadLetteredEvent = dead.rows[0].id;
		// WhatsApp cannot reach this patient at all: someone has to, another way.
		if (report.errorCode === UNREACHABLE_CODE && (await recordUnreachable(db, { eventId: row.event_id, error: reason }))) recorded.unreachable = true;
	}
	return recorded;
}

/**
 * The statuses inside a Meta webhook body ({ object, entry: [{ changes: [{ value: { statuses } }] }] }).
 * Anything that is not a well-formed status is ignored: the body is remote input.
 */
export function statusesFromWebhook(body: unknown): StatusReport[] {
	const reports: StatusReport[] = [];
	const entries = (body as { entry?: unknown })?.entry;
	if (!Array.isArray(entries)) return reports;
	for (const entry of entries) {
		const changes = (entry as { changes?: unknown })?.changes;
		if (!Array.isArray(changes)) continue;
		for (const change of changes) {
			const statuses = (change as { value?: { statuses?: unknown } })?.value?.statuses;
			if (!Array.isArray(statuses)) continue;
			for (const s of statuses as Array<Record<string, unknown>>) {
				const status = s?.status;
				if (typeof s?.id !== 'string' || !['sent', 'delivered', 'read', 'failed'].includes(status as string)) continue;
				const seconds = Number(s.timestamp);
				const firstError = Array.isArray(s.errors) ? (s.errors[0] as { code?: unknown; title?: unknown; message?: unknown }) : undefined;
				reports.push({
					wamid: s.id,
					status: status as DeliveryStatus,
					at: Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date(),
					errorCode: typeof firstError?.code === 'number' ? firstError.code : null,
					errorTitle: typeof firstError?.title === 'string' ? firstError.title : typeof firstError?.message === 'string' ? firstError.message : null,
				});
			}
		}
	}
	return reports;
}
