import pg from 'pg';
import { types as poolTypes } from '../db/pool';
import type { OutboundMessage } from './types';

/** The columns of a claimed (or previewed) event that its message is made of. */
export interface MessageRow {
	id: string;
	event_type: string;
	entity_type: string;
	entity_id: string;
	workflow_id: string | null;
	attempts: number;
	/** timestamptz columns in PostgreSQL's text form (see textTimestamps). */
	created_at: string;
	scheduled_for: string;
	locked_until: string | null;
	payload: unknown;
	/** The entity's part, built in SQL from other tables (barnum_message_part); NULL for none. */
	part: Record<string, unknown> | null;
}

export interface Business {
	business_name: string | null;
	timezone: string | null;
	default_locale: string | null;
}

const TIMESTAMPTZ = pg.types.builtins.TIMESTAMPTZ;
const parseTimestamp = pg.types.getTypeParser(TIMESTAMPTZ) as (text: string) => Date;

/**
 * Per-query type parsers that keep timestamptz as PostgreSQL's text, so the message carries the
 * exact instant (microseconds, offset) rather than a Date's milliseconds; every other type as in
 * every Barnum pool.
 */
export const textTimestamps = {
	getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
		oid === TIMESTAMPTZ ? (value: string) => value : poolTypes.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** A timestamptz in text form as a Date, for the claimed event's own fields. */
export function timestampDate(text: string): Date {
	return parseTimestamp(text);
}

/** PostgreSQL's text form of a timestamptz ("2030-02-01 10:00:00.5+00") in its JSON form ("2030-02-01T10:00:00.5+00:00"). */
export function jsonTimestamp(text: string): string {
	const iso = text.replace(' ', 'T');
	return /[+-]\d\d$/.test(iso) ? `${iso}:00` : iso;
}

/** The value with every null property removed, at any depth (what jsonb_strip_nulls does). */
export function withoutNulls(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(withoutNulls);
	if (value === null || typeof value !== 'object') return value;
	const out: Record<string, unknown> = {};
	for (const [key, inner] of Object.entries(value)) if (inner !== null) out[key] = withoutNulls(inner);
	return out;
}

/**
 * The outbound message: the seed's fields and delivery metadata from the event's row, the
 * business from the settings, then the entity's part. No property is null; absent ones are left out.
 */
export function composeMessage(row: MessageRow, business: Business, preview = false): OutboundMessage {
	const message: Record<string, unknown> = {
		event_id: row.id,
		event_type: row.event_type,
		entity_type: row.entity_type,
		entity_id: row.entity_id,
		created_at: jsonTimestamp(row.created_at),
		scheduled_for: jsonTimestamp(row.scheduled_for),
	};
	if (row.workflow_id !== null) message.workflow_id = row.workflow_id;
	message.attempt = row.attempts;
	if (row.locked_until !== null) message.lease_expires_at = jsonTimestamp(row.locked_until);
	message.idempotency_key = row.id;
	if (preview) message.preview = true;
	message.business = withoutNulls({ name: business.business_name, timezone: business.timezone, locale: business.default_locale });
	if (row.part) Object.assign(message, row.part);
	if (row.payload !== null) message.payload = withoutNulls(row.payload);
	return message as OutboundMessage;
}
