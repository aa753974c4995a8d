import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { isUuid } from '../appointments/transitions';
import { sql } from '../db/sql';
import { inTransaction } from '../db/transaction';
import type { Queryable } from '../db/types';
import { BarnumError } from '../errors';
import { chatPayload, itemText, summarise, teamLocale, templateParameter, wordsFor, type AttentionRow, type ItemSummary, type TeamLocale } from './compose';
import { patientFallbackEmail, type PatientEmail } from './fallback';

/** One message to the team: one item (told at once) or a location's digest. */
export interface TeamNotice {
	type: 'item' | 'digest';
	/** The items it tells of: Mark Notified takes these. */
	itemIds: string[];
	locale: TeamLocale;
	location: { id: string | null; name: string; timezone: string };
	/** Where to tell the team; an empty channel is skipped. */
	team: { email: string | null; emailFrom: string; chatWebhookUrl: string | null; chatFormat: string; whatsapp: string | null };
	subject: string;
	/** Plain text: the email's body. */
	text: string;
	/** The chat webhook's JSON body, in the shape of `team.chatFormat`. */
	chat: Record<string, unknown>;
	/** The staff WhatsApp message: template barnum_team_notice and its four body parameters. */
	whatsapp: { template: string; language: string; parameters: string[] };
	items: ItemSummary[];
	/** WhatsApp could not reach the patient and the clinic has their email: the message, by email. */
	patientEmail?: PatientEmail;
}

export const TEAM_TEMPLATE = 'barnum_team_notice';
/** Meta's language codes for the team template. */
const TEMPLATE_LANGUAGE: Record<TeamLocale, string> = { 'pt-PT': 'pt_PT', en: 'en' };

export interface ClaimOptions {
	/** The most items told one by one per claim. */
	limit?: number;
	/** How long a claimed item is held before another claim may take it (a notifier that died). */
	leaseSeconds?: number;
	/** How long a "handled" link works. */
	linkDays?: number;
}

/**
 * What the team should be told now: the items of places told at once (each held until Mark
 * Notified, so a notifier that dies loses nothing), and the digests whose hour has come (each
 * claimed once a day, so two notifiers never send the same digest). Every item in a notice gets a
 * fresh "handled" link; an undeliverable message to a patient with an email gets its email.
 */
export async function claimTeamNotices(pool: pg.Pool, options: ClaimOptions = {}): Promise<TeamNotice[]> {
	const limit = wholeNumber(options.limit ?? 50, 'limit', 1, 500);
	const leaseSeconds = wholeNumber(options.leaseSeconds ?? 600, 'leaseSeconds', 10, 86_400);
	const linkDays = wholeNumber(options.linkDays ?? 30, 'linkDays', 1, 365);
	return inTransaction(pool, async (client) => {
		const single = (await client.query<{ id: string }>(sql('attention-claim'), [limit, leaseSeconds])).rows.map((r) => r.id);
		const scopes = (await client.query<{ location_id: string | null }>(sql('attention-digest-claim'))).rows;
		const digests: string[][] = [];
		for (const scope of scopes) {
			const { rows } = await client.query<{ id: string; created_at: Date }>(sql('attention-digest-items'), [scope.location_id]);
			digests.push(rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime()).map((r) => r.id));
		}
		const rows = await readItems(client, [...single, ...digests.flat()]);
		const byId = new Map(rows.map((r) => [r.id, r]));
		const notices: TeamNotice[] = [];
		const tokens: Array<{ token: string; itemId: string }> = [];
		const link = (row: AttentionRow) => {
			const token = randomBytes(24).toString('base64url');
			tokens.push({ token, itemId: row.id });
			return `${row.public_base_url}/api/team/handled?token=${token}`;
		};
		for (const id of single) {
			const row = byId.get(id);
			if (!row) continue;
			const patientEmail = row.kind === 'unreachable' ? await patientFallbackEmail(client, row) : undefined;
			notices.push(itemNotice(row, summarise(row, { handleUrl: link(row), fallbackEmail: patientEmail?.to }), patientEmail));
		}
		for (const ids of digests) {
			const scoped = ids.map((id) => byId.get(id)).filter((r): r is AttentionRow => r !== undefined);
			if (scoped.length > 0) notices.push(digestNotice(scoped, scoped.map((r) => summarise(r, { handleUrl: link(r) }))));
		}
		if (tokens.length > 0) {
			await client.query(sql('attention-links-create'), [tokens.map((t) => t.token), tokens.map((t) => t.itemId), linkDays]);
		}
		return notices;
	});
}

function itemNotice(row: AttentionRow, item: ItemSummary, patientEmail: PatientEmail | undefined): TeamNotice {
	const locale = teamLocale(row.locale);
	const text = itemText(item, locale);
	return {
		type: 'item',
		itemIds: [row.id],
		locale,
		location: { id: row.location_id, name: row.location_name, timezone: row.timezone },
		team: teamOf(row),
		subject: `[${row.location_name}] ${item.title}`,
		text,
		chat: chatPayload(row.team_chat_format, item.title, text.replace(/\n[^\n]*$/, ''), [{ label: wordsFor(locale).handleLabel, url: item.handleUrl! }]),
		whatsapp: {
			template: TEAM_TEMPLATE,
			language: TEMPLATE_LANGUAGE[locale],
			parameters: [
				templateParameter(`${item.title}. ${item.what}`, 600),
				templateParameter(item.appointment, 200),
				templateParameter(item.next, 300),
				templateParameter(item.handleUrl!, 300),
			],
		},
		items: [item],
		...(patientEmail ? { patientEmail } : {}),
	};
}

function digestNotice(rows: AttentionRow[], items: ItemSummary[]): TeamNotice {
	const first = rows[0];
	const locale = teamLocale(first.locale);
	const w = wordsFor(locale);
	const intro = w.digestIntro(items.length, first.location_name);
	const text = [`${intro}.`, ...items.map((item, n) => `${n + 1}. ${item.title}\n${itemText(item, locale)}`), w.digestNext].join('\n\n');
	return {
		type: 'digest',
		itemIds: rows.map((r) => r.id),
		locale,
		location: { id: first.location_id, name: first.location_name, timezone: first.timezone },
		team: teamOf(first),
		subject: w.digestSubject(items.length, first.location_name),
		text,
		chat: chatPayload(
			first.team_chat_format,
			intro,
			text.slice(text.indexOf('\n\n') + 2),
			items.map((item, n) => ({ label: `${w.handleLabel} ${n + 1}`, url: item.handleUrl! })),
		),
		whatsapp: {
			template: TEAM_TEMPLATE,
			language: TEMPLATE_LANGUAGE[locale],
			parameters: [
				templateParameter(intro, 200),
				templateParameter(items.map((item, n) => `${n + 1}) ${item.title}, ${item.appointment}`).join('; '), 500),
				templateParameter(w.digestNext, 200),
				templateParameter(items.map((item, n) => `${n + 1}) ${item.handleUrl}`).join(' '), 900),
			],
		},
		items,
	};
}

function teamOf(row: AttentionRow): TeamNotice['team'] {
	const host = /^https?:\/\/([^/:]+)/.exec(row.public_base_url)?.[1] ?? 'localhost';
	return {
		email: row.team_email,
		// Without a sender of its own, the notices come from the link address's host.
		emailFrom: row.team_email_from ?? `Barnum <barnum@${host}>`,
		chatWebhookUrl: row.team_chat_webhook_url,
		chatFormat: row.team_chat_format,
		whatsapp: row.team_whatsapp,
	};
}

async function readItems(db: Queryable, ids: string[]): Promise<AttentionRow[]> {
	if (ids.length === 0) return [];
	return (await db.query<AttentionRow>(sql('attention-read'), [ids])).rows;
}

/** The team was told about these items: they leave the notifier's queue. Returns the ids marked. */
export async function markNotified(db: Queryable, itemIds: string[]): Promise<string[]> {
	for (const id of itemIds) if (!isUuid(id)) throw new BarnumError('invalid_input', `item IDs must be UUIDs, got "${id}"`, { field: 'itemIds' });
	if (itemIds.length === 0) return [];
	return (await db.query<{ id: string }>(sql('attention-notified'), [itemIds])).rows.map((r) => r.id);
}

export interface HandleOutcome {
	/** handled: this call did it; already: someone had (who and when are on the item). */
	state: 'handled' | 'already';
	item: ItemSummary;
}

/** Marks an item handled, once; it leaves every later digest. */
export async function markHandled(pool: pg.Pool, input: { itemId: string; handledBy?: string | null; via: 'link' | 'n8n' }): Promise<HandleOutcome> {
	if (!isUuid(input.itemId)) throw new BarnumError('invalid_input', `itemId must be a UUID, got "${input.itemId}"`, { field: 'itemId' });
	const by = (input.handledBy ?? '').replace(/\s+/g, ' ').trim();
	if (by.length > 200) throw new BarnumError('invalid_input', 'handledBy must be at most 200 characters', { field: 'handledBy' });
	return inTransaction(pool, async (client) => {
		const lock = await client.query<{ id: string; handled_at: Date | null }>(sql('attention-item-lock'), [input.itemId]);
		if (!lock.rows[0]) throw new BarnumError('not_found', `No item ${input.itemId} needs a person`, { itemId: input.itemId });
		const done = await client.query(sql('attention-handle'), [input.itemId, by || null, input.via]);
		const [row] = await readItems(client, [input.itemId]);
		return { state: done.rowCount === 1 ? 'handled' : 'already', item: summarise(row) };
	});
}

/** Items not yet handled, oldest first (all, or one location's). */
export async function listOpenItems(db: Queryable, input: { locationId?: string | null; limit?: number } = {}): Promise<ItemSummary[]> {
	if (input.locationId && !isUuid(input.locationId)) {
		throw new BarnumError('invalid_input', `locationId must be a UUID, got "${input.locationId}"`, { field: 'locationId' });
	}
	const limit = wholeNumber(input.limit ?? 100, 'limit', 1, 1000);
	const ids = (await db.query<{ id: string }>(sql('attention-open'), [input.locationId || null, limit])).rows.map((r) => r.id);
	return (await readItems(db, ids)).map((row) => summarise(row));
}

/** What a "handled" link's page shows. */
export type HandleLinkState = { state: 'invalid' } | { state: 'ready' | 'already' | 'done'; item: ItemSummary; locale: TeamLocale };

/** GET: the item the link is for, with no side effect. */
export async function inspectHandleLink(db: Queryable, token: string): Promise<HandleLinkState> {
	const link = await readLink(db, token);
	if (!link) return { state: 'invalid' };
	const [row] = await readItems(db, [link]);
	if (!row) return { state: 'invalid' };
	return { state: row.handled_at ? 'already' : 'ready', item: summarise(row), locale: teamLocale(row.locale) };
}

/** POST: marks the item handled, once; a second press (of any of its links) shows who did. */
export async function redeemHandleLink(pool: pg.Pool, token: string, handledBy: string | null): Promise<HandleLinkState> {
	const itemId = await readLink(pool, token);
	if (!itemId) return { state: 'invalid' };
	const outcome = await markHandled(pool, { itemId, handledBy, via: 'link' });
	const [row] = await readItems(pool, [itemId]);
	return { state: outcome.state === 'handled' ? 'done' : 'already', item: outcome.item, locale: teamLocale(row?.locale) };
}

/** The item of an unexpired link; undefined for unknown and expired ones alike. */
async function readLink(db: Queryable, token: string): Promise<string | undefined> {
	if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return undefined;
	const { rows } = await db.query<{ item_id: string; expired: boolean }>(sql('attention-link-read'), [token]);
	return rows[0] && !rows[0].expired ? rows[0].item_id : undefined;
}

function wholeNumber(value: number, field: string, min: number, max: number): number {
	if (!Number.isInteger(value) || value < min || value > max) {
		throw new BarnumError('invalid_input', `${field} must be a whole number from ${min} to ${max}, got ${value}`, { field });
	}
	return value;
}
