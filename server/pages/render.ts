import type { LinkAppointment, LinkState } from '../../core/action-links/redeem';
import type { LinkAction } from '../../core/action-links/create';
import { ICONS } from './icons';
import { MESSAGES, type Locale, type Messages } from './messages';
import { STYLES } from './styles';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every value from the database or the request goes through this before reaching HTML. */
export function escapeHtml(value: string): string {
	return value.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function page(locale: Locale, title: string, body: string, footer?: string): string {
	return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex,nofollow"><title>${escapeHtml(title)}</title><style>${STYLES}</style></head><body><main aria-labelledby="title">${body}${footer ? `<footer>${escapeHtml(footer)}</footer>` : ''}</main></body></html>`;
}

// Building an Intl.DateTimeFormat costs more than rendering the page, and each one holds native
// memory: one per locale and timezone, kept.
const formats = new Map<string, Intl.DateTimeFormat>();

function when(appointment: LinkAppointment, locale: Locale): string {
	const key = `${locale}|${appointment.timezone}`;
	let format = formats.get(key);
	if (!format) {
		format = new Intl.DateTimeFormat(locale, {
			timeZone: appointment.timezone,
			weekday: 'long',
			day: 'numeric',
			month: 'long',
			year: 'numeric',
			hour: '2-digit',
			minute: '2-digit',
		});
		formats.set(key, format);
	}
	return format.format(appointment.startsAt);
}

function details(appointment: LinkAppointment, locale: Locale, m: Messages): string {
	const rows: Array<[string, string | null]> = [
		[m.when, when(appointment, locale)],
		[m.professional, appointment.professionalName],
		[m.specialty, appointment.specialtyName],
		[m.clinic, appointment.businessName],
	];
	return `<dl>${rows
		.filter((row): row is [string, string] => Boolean(row[1]))
		.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`)
		.join('')}</dl>`;
}

const BUTTON_CLASS: Record<LinkAction, string> = { confirm: '', cancel: ' class="danger"', reschedule: ' class="neutral"' };
const DONE_ICON: Record<LinkAction, string> = { confirm: ICONS.check, cancel: ICONS.cross, reschedule: ICONS.calendar };

/** The page with the appointment and its one button; the form is all it takes to act. */
export function renderReady(
	state: Extract<LinkState, { state: 'ready' }>,
	locale: Locale,
	form: { token: string; nonce: string },
	notice?: string,
): string {
	const m = MESSAGES[locale];
	const { action, appointment } = state;
	const preferred =
		action === 'reschedule'
			? `<label for="preferred_time">${escapeHtml(m.preferredLabel)}</label><textarea id="preferred_time" name="preferred_time" maxlength="500" aria-describedby="preferred_hint"></textarea><p class="hint" id="preferred_hint">${escapeHtml(m.preferredHint)}</p>`
			: '';
	const body =
		`${action === 'reschedule' ? ICONS.calendar : ICONS.appointment}` +
		`<h1 id="title">${escapeHtml(m.title[action])}</h1>` +
		(notice ? `<p class="notice" role="status">${escapeHtml(notice)}</p>` : '') +
		`<p class="lead">${escapeHtml(m.greeting(firstName(appointment.patientName)))}. ${escapeHtml(m.intro[action])}</p>` +
		details(appointment, locale, m) +
		`<form method="post" action="">` +
		`<input type="hidden" name="type" value="${action}"><input type="hidden" name="token" value="${escapeHtml(form.token)}"><input type="hidden" name="nonce" value="${escapeHtml(form.nonce)}">` +
		preferred +
		`<button type="submit"${BUTTON_CLASS[action]}>${escapeHtml(m.button[action])}</button></form>`;
	return page(locale, m.title[action], body, m.sentBy(appointment.businessName));
}

/** What happened (now or before), or why nothing can happen. */
export function renderOutcome(state: Exclude<LinkState, { state: 'ready' | 'invalid' }>, locale: Locale): string {
	const m = MESSAGES[locale];
	const { action, appointment } = state;
	let icon: string;
	let title: string;
	let text: string;
	if (state.state === 'done') {
		icon = DONE_ICON[action];
		title = m.done[action].title;
		text = m.done[action].body;
	} else if (state.state === 'already') {
		icon = DONE_ICON[action];
		title = m.done[action].title;
		text = m.already[action];
	} else {
		icon = ICONS.question;
		title = m.title[action];
		const status = appointment.status;
		text = `${status === 'cancelled' || status === 'completed' || status === 'no_show' ? m.closed[status] : m.closed.other} ${m.contactClinic}`;
	}
	const body = `${icon}<h1 id="title">${escapeHtml(title)}</h1><p class="lead" role="status">${escapeHtml(text)}</p>${details(appointment, locale, m)}`;
	return page(locale, title, body, m.sentBy(appointment.businessName));
}

/** One page for unknown, expired, foreign and spent links: it reveals nothing about any of them. */
export function renderInvalid(locale: Locale, businessName: string): string {
	const m = MESSAGES[locale];
	const body = `${ICONS.question}<h1 id="title">${escapeHtml(m.invalidTitle)}</h1><p class="lead">${escapeHtml(m.invalidBody)}</p>`;
	return page(locale, m.invalidTitle, body, m.sentBy(businessName));
}

function firstName(name: string): string {
	return name.trim().split(/\s+/)[0] ?? name;
}
