import type { ItemSummary, TeamLocale } from '../../core/attention/compose';
import { ICONS } from './icons';
import { escapeHtml, page } from './render';

/** The staff page's texts, in the team's language. */
const TEAM: Record<TeamLocale, {
	title: string;
	button: string;
	nameLabel: string;
	nameHint: string;
	after: string;
	doneTitle: string;
	done: (by: string | null) => string;
	alreadyTitle: string;
	already: (by: string | null, at: string) => string;
	invalidTitle: string;
	invalid: string;
	pressAgain: string;
	appointment: string;
	next: string;
}> = {
	en: {
		title: 'Needs a person',
		button: 'Mark handled',
		nameLabel: 'Your name (optional)',
		nameHint: 'So the team knows who took it.',
		after: 'It leaves the team’s list and the next digest.',
		doneTitle: 'Marked handled',
		done: (by) => `Thank you${by ? `, ${by}` : ''}. It leaves the team’s list and the next digest.`,
		alreadyTitle: 'Already handled',
		already: (by, at) => `${by ? `${by} marked it handled` : 'It was marked handled'} on ${at}.`,
		invalidTitle: 'This link does not work',
		invalid: 'It may have expired. The item is still in the team’s list and in the Barnum node (Team Item → List Open).',
		pressAgain: 'Press the button again to mark it handled.',
		appointment: 'Appointment',
		next: 'Next',
	},
	'pt-PT': {
		title: 'Precisa de alguém',
		button: 'Marcar como tratado',
		nameLabel: 'O seu nome (opcional)',
		nameHint: 'Para a equipa saber quem tratou.',
		after: 'Sai da lista da equipa e do próximo resumo.',
		doneTitle: 'Marcado como tratado',
		done: (by) => `Obrigado${by ? `, ${by}` : ''}. Sai da lista da equipa e do próximo resumo.`,
		alreadyTitle: 'Já tratado',
		already: (by, at) => `${by ? `${by} marcou como tratado` : 'Foi marcado como tratado'} em ${at}.`,
		invalidTitle: 'Este link não funciona',
		invalid: 'Pode ter expirado. O assunto continua na lista da equipa e no nó Barnum (Team Item → List Open).',
		pressAgain: 'Carregue outra vez no botão para o marcar como tratado.',
		appointment: 'Consulta',
		next: 'A fazer',
	},
};

function details(item: ItemSummary, locale: TeamLocale): string {
	const t = TEAM[locale];
	return (
		`<p class="lead">${escapeHtml(item.what)}</p><dl>` +
		`<dt>${escapeHtml(t.appointment)}</dt><dd>${escapeHtml(item.appointment)}</dd>` +
		`<dt>${escapeHtml(t.next)}</dt><dd>${escapeHtml(item.next)}</dd></dl>`
	);
}

/** The item and one button; nothing happens until it is pressed. */
export function renderTeamReady(item: ItemSummary, locale: TeamLocale, form: { token: string; nonce: string }, pressAgain = false): string {
	const t = TEAM[locale];
	const body =
		ICONS.question +
		`<h1 id="title">${escapeHtml(item.title)}</h1>` +
		(pressAgain ? `<p class="notice" role="status">${escapeHtml(t.pressAgain)}</p>` : '') +
		details(item, locale) +
		`<form method="post" action=""><input type="hidden" name="token" value="${escapeHtml(form.token)}"><input type="hidden" name="nonce" value="${escapeHtml(form.nonce)}">` +
		`<label for="handled_by">${escapeHtml(t.nameLabel)}</label><p class="hint" id="handled_by_hint">${escapeHtml(t.nameHint)}</p>` +
		`<input id="handled_by" name="handled_by" maxlength="200" autocomplete="name" aria-describedby="handled_by_hint">` +
		`<button type="submit" aria-describedby="after">${escapeHtml(t.button)}</button><p class="after" id="after">${escapeHtml(t.after)}</p></form>`;
	return page(locale, t.title, body, 'Barnum');
}

/** Done now, or before (by whom and when, in the location's timezone). */
export function renderTeamOutcome(item: ItemSummary, locale: TeamLocale, state: 'done' | 'already'): string {
	const t = TEAM[locale];
	const at = item.handledAt
		? new Intl.DateTimeFormat(locale, { timeZone: item.timezone, dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(item.handledAt)
		: '';
	const title = state === 'done' ? t.doneTitle : t.alreadyTitle;
	const text = state === 'done' ? t.done(item.handledBy) : t.already(item.handledBy, at);
	const body = `${ICONS.check}<h1 id="title">${escapeHtml(title)}</h1><p class="lead" role="status">${escapeHtml(text)}</p><h2>${escapeHtml(item.title)}</h2>${details(item, locale)}`;
	return page(locale, title, body, 'Barnum');
}

/** Unknown and expired links share one page that reveals nothing. */
export function renderTeamInvalid(locale: TeamLocale): string {
	const t = TEAM[locale];
	return page(locale, t.invalidTitle, `${ICONS.question}<h1 id="title">${escapeHtml(t.invalidTitle)}</h1><p class="lead">${escapeHtml(t.invalid)}</p>`, 'Barnum');
}
