import type { LinkAction } from '../../core/action-links/create';
import type { LinkAppointment, LinkState } from '../../core/action-links/state';
import { FAVICON, ICONS } from './icons';
import { MESSAGES, type Locale, type Messages } from './messages';
import { STYLES } from './styles';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const SPECIAL = /[&<>"']/;

/** Every value from the database or the request goes through this before reaching HTML. */
export function escapeHtml(value: string): string {
	return SPECIAL.test(value) ? value.replace(/[&<>"']/g, (c) => ESCAPES[c]) : value;
}

// Everything in <head> but the title is the same on every page: built once.
const HEAD = `<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex,nofollow"><link rel="icon" href="${FAVICON}"><style>${STYLES}</style>`;

export function page(locale: string, title: string, body: string, footer?: string): string {
	return `<!doctype html><html lang="${locale}"><head><title>${escapeHtml(title)}</title>${HEAD}</head><body><main aria-labelledby="title">${body}${footer ? `<footer>${escapeHtml(footer)}</footer>` : ''}</main></body></html>`;
}

// Building an Intl.DateTimeFormat costs far more than rendering the page, and each one holds
// native memory until V8 collects it: one pair per locale and timezone, kept. Formatting is still
// the page's largest single step, and a clinic's appointments fall on a few hundred distinct
// slots: each slot's two lines are kept too, up to a bound.
interface Formats {
	date: Intl.DateTimeFormat;
	time: Intl.DateTimeFormat;
	lines: Map<number, string>;
}
const formats = new Map<string, Formats>();
const SLOTS_KEPT = 2000;

/** The appointment's date line and time line, in the clinic's timezone, as HTML. */
function dateAndTime(locale: Locale, timeZone: string, startsAt: Date, m: Messages): string {
	const key = `${locale}|${timeZone}`;
	let f = formats.get(key);
	if (!f) {
		f = {
			date: new Intl.DateTimeFormat(locale, { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }),
			time: new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit' }),
			lines: new Map(),
		};
		formats.set(key, f);
	}
	const at = startsAt.getTime();
	let lines = f.lines.get(at);
	if (lines === undefined) {
		lines =
			`<dt>${escapeHtml(m.date)}</dt><dd>${escapeHtml(f.date.format(startsAt))}</dd>` +
			`<dt>${escapeHtml(m.time)}</dt><dd>${escapeHtml(f.time.format(startsAt))}</dd>`;
		if (f.lines.size >= SLOTS_KEPT) f.lines.clear();
		f.lines.set(at, lines);
	}
	return lines;
}

/** The appointment, one fact a line: date, time (the clinic's wall clock), professional, specialty, clinic. */
function details(appointment: LinkAppointment, locale: Locale, m: Messages, caption: boolean): string {
	let rows = dateAndTime(locale, appointment.timezone, appointment.startsAt, m);
	if (appointment.professionalName) rows += `<dt>${escapeHtml(m.professional)}</dt><dd>${escapeHtml(appointment.professionalName)}</dd>`;
	if (appointment.specialtyName) rows += `<dt>${escapeHtml(m.specialty)}</dt><dd>${escapeHtml(appointment.specialtyName)}</dd>`;
	rows += `<dt>${escapeHtml(m.clinic)}</dt><dd>${escapeHtml(appointment.businessName)}</dd>`;
	return caption ? `<h2 id="current">${escapeHtml(m.yourAppointment)}</h2><dl aria-labelledby="current">${rows}</dl>` : `<dl>${rows}</dl>`;
}

const BUTTON_CLASS: Record<LinkAction, string> = { confirm: '', cancel: ' class="danger"', reschedule: ' class="neutral"' };
const READY_ICON: Record<LinkAction, string> = { confirm: ICONS.appointment, cancel: ICONS.cancelCalendar, reschedule: ICONS.calendar };
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
			? `<label for="preferred_time">${escapeHtml(m.preferredLabel)}</label><p class="hint" id="preferred_hint">${escapeHtml(m.preferredHint)}</p><textarea id="preferred_time" name="preferred_time" maxlength="500" aria-describedby="preferred_hint"></textarea>`
			: '';
	const body =
		READY_ICON[action] +
		`<h1 id="title">${escapeHtml(m.title[action])}</h1>` +
		(notice ? `<p class="notice" role="status">${escapeHtml(notice)}</p>` : '') +
		`<p class="lead">${escapeHtml(m.greeting(firstName(appointment.patientName)))}. ${escapeHtml(m.intro[action])}</p>` +
		details(appointment, locale, m, action === 'reschedule') +
		`<form method="post" action="">` +
		`<input type="hidden" name="type" value="${action}"><input type="hidden" name="token" value="${escapeHtml(form.token)}"><input type="hidden" name="nonce" value="${escapeHtml(form.nonce)}">` +
		preferred +
		`<button type="submit"${BUTTON_CLASS[action]} aria-describedby="after">${escapeHtml(m.button[action])}</button>` +
		`<p class="after" id="after">${escapeHtml(m.afterButton[action])}</p></form>`;
	return page(locale, m.title[action], body, m.sentBy(appointment.businessName));
}

/** What happened (now or before), or why nothing can happen. */
export function renderOutcome(state: Extract<LinkState, { state: 'done' | 'already' | 'closed' }>, locale: Locale): string {
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
		const why = status === 'cancelled' || status === 'completed' || status === 'no_show' ? m.closed[status] : appointment.started ? m.closed.past : m.closed.other;
		text = `${why} ${m.contactClinic}`;
	}
	const body = `${icon}<h1 id="title">${escapeHtml(title)}</h1><p class="lead" role="status">${escapeHtml(text)}</p>${details(appointment, locale, m, action === 'reschedule')}`;
	return page(locale, title, body, m.sentBy(appointment.businessName));
}

/** One page for unknown, expired, foreign and spent links: it reveals nothing about any of them. */
export function renderInvalid(locale: Locale, businessName: string): string {
	const m = MESSAGES[locale];
	const body = `${ICONS.question}<h1 id="title">${escapeHtml(m.invalidTitle)}</h1><p class="lead">${escapeHtml(m.invalidBody)}</p>`;
	return page(locale, m.invalidTitle, body, m.sentBy(businessName));
}

/**
 * A request that failed on the server's side (or a form too large to read): nothing happened, and
 * the patient can try again. No clinic name, since the database may be what failed.
 */
export function renderFailure(locale: Locale): string {
	const m = MESSAGES[locale];
	const body = `${ICONS.question}<h1 id="title">${escapeHtml(m.failureTitle)}</h1><p class="lead" role="alert">${escapeHtml(m.failureBody)}</p>`;
	return page(locale, m.failureTitle, body);
}

/** The server's front page: what it is and what its links do; nothing about how it runs. */
export function renderHome(locale: Locale): string {
	const m = MESSAGES[locale];
	const body = `${ICONS.appointment}<h1 id="title">${escapeHtml(m.homeTitle)}</h1><p class="lead">${escapeHtml(m.homeBody)}</p><p>${escapeHtml(m.homeHint)}</p>`;
	return page(locale, m.homeTitle, body, 'Barnum');
}

function firstName(name: string): string {
	return name.trim().split(/\s+/)[0] ?? name;
}
