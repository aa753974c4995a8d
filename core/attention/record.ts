import { isUuid } from '../appointments/transitions';
import { sql } from '../db/sql';
import type { Queryable } from '../db/types';
import { BarnumError } from '../errors';
import { hasControl } from '../validation/text';

/** What needs a person. */
export const ATTENTION_KINDS = ['reschedule_request', 'cancellation', 'reply', 'no_show_answer', 'opt_out', 'unreachable'] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

/** Where the patient said it. */
export const ATTENTION_CHANNELS = ['link', 'whatsapp', 'callback', 'n8n', 'delivery'] as const;
export type AttentionChannel = (typeof ATTENTION_CHANNELS)[number];

export interface AttentionInput {
	kind: AttentionKind;
	channel: AttentionChannel;
	/** What makes it the same item when it is reported again (a wamid, a link, an event). */
	sourceKey: string;
	appointmentId?: string | null;
	patientId?: string | null;
	/** The sender's number, kept only when no patient has it. */
	phone?: string | null;
	detail?: string | null;
	eventId?: string | null;
	eventType?: string | null;
}

const DETAIL_MAX = 2000;

/**
 * Records one item; undefined when its source key was recorded before (the team is told once).
 * Runs on whatever it is given, so a caller in a transaction records it with the change itself.
 */
export async function recordAttention(db: Queryable, input: AttentionInput): Promise<{ id: string } | undefined> {
	if (!ATTENTION_KINDS.includes(input.kind)) {
		throw new BarnumError('invalid_input', `kind must be one of ${ATTENTION_KINDS.join(', ')}, got "${input.kind}"`, { field: 'kind' });
	}
	if (!ATTENTION_CHANNELS.includes(input.channel)) {
		throw new BarnumError('invalid_input', `channel must be one of ${ATTENTION_CHANNELS.join(', ')}, got "${input.channel}"`, { field: 'channel' });
	}
	const sourceKey = input.sourceKey.trim();
	if (sourceKey.length === 0 || sourceKey.length > 300 || hasControl(sourceKey)) {
		throw new BarnumError('invalid_input', 'sourceKey must be 1 to 300 printable characters', { field: 'sourceKey' });
	}
	for (const field of ['appointmentId', 'patientId', 'eventId'] as const) {
		const value = input[field];
		if (value && !isUuid(value)) throw new BarnumError('invalid_input', `${field} must be a UUID, got "${value}"`, { field });
	}
	const phone = input.phone && /^\+[1-9]\d{6,14}$/.test(input.phone) ? input.phone : null;
	const { rows } = await db.query<{ id: string }>(sql('attention-record'), [
		input.kind,
		input.channel,
		sourceKey,
		input.appointmentId || null,
		input.patientId || null,
		phone,
		readable(input.detail),
		input.eventId || null,
		input.eventType ?? null,
	]);
	return rows[0];
}

/**
 * The text as a person can read it in a notice: control characters (which PostgreSQL's text may
 * refuse, NUL) become spaces, and a text past the column's size is cut with an ellipsis — the
 * notice tells the team to read the rest in WhatsApp.
 */
function readable(detail: string | null | undefined): string | null {
	if (!detail) return null;
	const clean = [...detail].map((c) => (hasControl(c, true) ? ' ' : c)).join('').trim();
	if (!clean) return null;
	return clean.length > DETAIL_MAX ? `${clean.slice(0, DETAIL_MAX - 1)}…` : clean;
}

/**
 * A WhatsApp message from `from` that needs a person. Without an appointment, the sender's
 * patient and their next (else latest) appointment are looked up by number.
 */
export async function recordReplyAttention(
	db: Queryable,
	input: { wamid: string; from: string; kind: AttentionKind; text?: string | null; appointmentId?: string | null },
): Promise<{ id: string } | undefined> {
	let appointmentId = input.appointmentId ?? null;
	let patientId: string | null = null;
	if (!appointmentId) {
		const { rows } = await db.query<{ patient_id: string; appointment_id: string | null }>(sql('attention-sender'), [input.from]);
		patientId = rows[0]?.patient_id ?? null;
		appointmentId = rows[0]?.appointment_id ?? null;
	}
	return recordAttention(db, {
		kind: input.kind,
		channel: 'whatsapp',
		sourceKey: `whatsapp:${input.wamid}`,
		appointmentId,
		patientId,
		phone: input.from,
		detail: input.text ?? null,
	});
}

/**
 * WhatsApp cannot reach the patient (131026: not on WhatsApp, or an old app) with the message
 * event `eventId` carried. Keyed by the event, so the send's refusal and a later failed status of
 * the same message are one item. Events about bookings are the resort's: not a clinic team's.
 */
export async function recordUnreachable(db: Queryable, input: { eventId: string; error: string }): Promise<{ id: string } | undefined> {
	const { rows } = await db.query<{ event_type: string; appointment_id: string | null }>(sql('attention-event'), [input.eventId]);
	if (!rows[0]?.appointment_id) return undefined;
	return recordAttention(db, {
		kind: 'unreachable',
		channel: 'delivery',
		sourceKey: `unreachable:${input.eventId}`,
		appointmentId: rows[0].appointment_id,
		detail: input.error,
		eventId: input.eventId,
		eventType: rows[0].event_type,
	});
}

/** WhatsApp's error code for a number it cannot deliver to (not on WhatsApp, or an app too old). */
export const UNREACHABLE_CODE = 131026;
