import type { AttentionChannel, AttentionKind } from './record';

/** One row of attention-read.sql. */
export interface AttentionRow {
	id: string;
	kind: AttentionKind;
	channel: AttentionChannel;
	detail: string | null;
	sender_phone: string | null;
	event_type: string | null;
	created_at: Date;
	notified_at: Date | null;
	handled_at: Date | null;
	handled_by: string | null;
	handled_via: string | null;
	appointment_id: string | null;
	starts_at: Date | null;
	appointment_status: string | null;
	patient_id: string | null;
	patient_name: string | null;
	patient_phone: string | null;
	patient_email: string | null;
	patient_locale: string | null;
	professional_name: string | null;
	specialty_name: string | null;
	location_id: string | null;
	business_name: string;
	location_name: string;
	timezone: string;
	locale: string;
	public_base_url: string;
	team_email: string | null;
	team_email_from: string | null;
	team_chat_webhook_url: string | null;
	team_chat_format: ChatFormat;
	team_whatsapp: string | null;
}

export type ChatFormat = 'slack' | 'teams' | 'google_chat' | 'mattermost';
/** The team's language: the location's (or the business's); Portuguese or English. */
export type TeamLocale = 'pt-PT' | 'en';

/** What a notice says about one item. */
export interface ItemSummary {
	id: string;
	kind: AttentionKind;
	title: string;
	/** What happened, who, and how they said it. */
	what: string;
	/** The appointment, in the location's timezone; or that there is none. */
	appointment: string;
	/** What to do next. */
	next: string;
	patient: { id: string | null; name: string | null; phone: string | null; email: string | null };
	appointmentId: string | null;
	/** The location's timezone, which the appointment line is written in. */
	timezone: string;
	createdAt: Date;
	handledAt: Date | null;
	handledBy: string | null;
	/** The one-press "mark handled" link, when one was issued with this notice. */
	handleUrl?: string;
}

interface Words {
	title: Record<AttentionKind, string>;
	channel: Record<AttentionChannel, string>;
	unknownSender: (phone: string) => string;
	what: Record<AttentionKind, (who: string, detail: string | null, channel: string) => string>;
	emailFallback: (email: string) => string;
	next: Record<AttentionKind, (name: string, phone: string) => string>;
	unreachableNoEmail: (name: string, phone: string) => string;
	noAppointment: string;
	noPhone: string;
	appointmentLabel: string;
	patientLabel: string;
	nextLabel: string;
	handleLabel: string;
	digestSubject: (count: number, place: string) => string;
	digestIntro: (count: number, place: string) => string;
	digestNext: string;
}

const WORDS: Record<TeamLocale, Words> = {
	en: {
		title: {
			reschedule_request: 'Reschedule requested',
			cancellation: 'Appointment cancelled',
			reply: 'WhatsApp reply to read',
			no_show_answer: 'Missed appointment: wants a new time',
			opt_out: 'Stopped WhatsApp messages',
			unreachable: 'Not reachable on WhatsApp',
		},
		channel: { link: 'with the link in their message', whatsapp: 'on WhatsApp', callback: 'through your booking system', n8n: 'through n8n', delivery: '' },
		unknownSender: (phone) => `A number no patient has (${phone})`,
		what: {
			reschedule_request: (who, detail, channel) => `${who} asked for another time ${channel}.${detail ? ` Preferred time: “${detail}”.` : ''}`,
			cancellation: (who, _detail, channel) => `${who} cancelled ${channel}: the slot is free again.`,
			reply: (who, detail) => `${who} wrote on WhatsApp and Barnum could not act on it: “${detail ?? ''}”.`,
			no_show_answer: (who) => `${who} missed the appointment and answered the reschedule message: they want a new time.`,
			opt_out: (who) => `${who} sent STOP: Barnum sends them no more WhatsApp messages.`,
			unreachable: (who, detail) => `WhatsApp cannot deliver messages to ${who}${detail ? ` (${detail})` : ''}.`,
		},
		emailFallback: (email) => ` The message went to ${email} by email instead.`,
		next: {
			reschedule_request: (name, phone) => `Call ${name} on ${phone} to agree a new time.`,
			cancellation: () => 'Offer the slot to someone waiting; nothing else is needed.',
			reply: (name, phone) => `Read it and answer ${name} on WhatsApp (within 24 hours) or call ${phone}.`,
			no_show_answer: (name, phone) => `Call ${name} on ${phone} to book a new time.`,
			opt_out: (name) => `Reach ${name} by phone or email for anything about their appointments.`,
			unreachable: (name, phone) => `Check that ${name} received the email; call ${phone} if the appointment needs an answer.`,
		},
		unreachableNoEmail: (name, phone) => `Call ${name} on ${phone}: WhatsApp messages do not reach them.`,
		noAppointment: 'no appointment found',
		noPhone: 'no phone on record',
		appointmentLabel: 'Appointment',
		patientLabel: 'Patient',
		nextLabel: 'Next',
		handleLabel: 'Mark it handled',
		digestSubject: (count, place) => `${place}: ${count} ${count === 1 ? 'item needs' : 'items need'} a person`,
		digestIntro: (count, place) => `${count} ${count === 1 ? 'item needs' : 'items need'} a person at ${place}`,
		digestNext: 'Each has its own link to mark it handled; handled items leave the next digest.',
	},
	'pt-PT': {
		title: {
			reschedule_request: 'Pedido de remarcação',
			cancellation: 'Consulta cancelada',
			reply: 'Resposta no WhatsApp por ler',
			no_show_answer: 'Faltou à consulta: quer nova data',
			opt_out: 'Deixou de receber mensagens WhatsApp',
			unreachable: 'Sem WhatsApp',
		},
		channel: { link: 'pelo link da mensagem', whatsapp: 'no WhatsApp', callback: 'pelo vosso sistema de marcações', n8n: 'pelo n8n', delivery: '' },
		unknownSender: (phone) => `Um número que nenhum paciente tem (${phone})`,
		what: {
			reschedule_request: (who, detail, channel) => `${who} pediu outra data ${channel}.${detail ? ` Preferência: “${detail}”.` : ''}`,
			cancellation: (who, _detail, channel) => `${who} cancelou ${channel}: a vaga ficou livre.`,
			reply: (who, detail) => `${who} escreveu no WhatsApp e o Barnum não soube o que fazer: “${detail ?? ''}”.`,
			no_show_answer: (who) => `${who} faltou à consulta e respondeu à mensagem de remarcação: quer uma nova data.`,
			opt_out: (who) => `${who} enviou STOP: o Barnum deixa de lhe enviar mensagens WhatsApp.`,
			unreachable: (who, detail) => `O WhatsApp não consegue entregar mensagens a ${who}${detail ? ` (${detail})` : ''}.`,
		},
		emailFallback: (email) => ` A mensagem seguiu por email para ${email}.`,
		next: {
			reschedule_request: (name, phone) => `Ligue a ${name} para o ${phone} e combine uma nova data.`,
			cancellation: () => 'Ofereça a vaga a quem está à espera; não é preciso mais nada.',
			reply: (name, phone) => `Leia e responda a ${name} no WhatsApp (nas próximas 24 horas) ou ligue para o ${phone}.`,
			no_show_answer: (name, phone) => `Ligue a ${name} para o ${phone} e marque uma nova data.`,
			opt_out: (name) => `Contacte ${name} por telefone ou email para o que for das suas consultas.`,
			unreachable: (name, phone) => `Confirme que ${name} recebeu o email; ligue para o ${phone} se a consulta precisar de resposta.`,
		},
		unreachableNoEmail: (name, phone) => `Ligue a ${name} para o ${phone}: as mensagens WhatsApp não lhe chegam.`,
		noAppointment: 'nenhuma consulta encontrada',
		noPhone: 'sem telefone registado',
		appointmentLabel: 'Consulta',
		patientLabel: 'Paciente',
		nextLabel: 'A fazer',
		handleLabel: 'Marcar como tratado',
		digestSubject: (count, place) => `${place}: ${count} ${count === 1 ? 'assunto precisa' : 'assuntos precisam'} de alguém`,
		digestIntro: (count, place) => `${count} ${count === 1 ? 'assunto precisa' : 'assuntos precisam'} de alguém em ${place}`,
		digestNext: 'Cada um tem o seu link para o marcar como tratado; os tratados saem do próximo resumo.',
	},
};

export function teamLocale(locale: string | null | undefined): TeamLocale {
	return locale?.toLowerCase().startsWith('pt') ? 'pt-PT' : 'en';
}

export function wordsFor(locale: TeamLocale): Words {
	return WORDS[locale];
}

/** The appointment on one line: when (the location's wall clock), with whom, where. */
export function appointmentLine(row: AttentionRow, locale: TeamLocale): string {
	if (!row.starts_at) return WORDS[locale].noAppointment;
	const when = new Intl.DateTimeFormat(locale, {
		timeZone: row.timezone,
		weekday: 'short',
		day: 'numeric',
		month: 'short',
		year: 'numeric',
		hour: '2-digit',
		minute: '2-digit',
		// Clinics read a 24-hour clock in both languages.
		hourCycle: 'h23',
	}).format(row.starts_at);
	return [when, row.professional_name, row.specialty_name, row.location_name].filter(Boolean).join(' · ');
}

/** What a notice says about one item. `fallbackEmail`: the address the undeliverable message went to. */
export function summarise(row: AttentionRow, options: { handleUrl?: string; fallbackEmail?: string | null } = {}): ItemSummary {
	const locale = teamLocale(row.locale);
	const w = WORDS[locale];
	const name = row.patient_name ?? w.unknownSender(row.sender_phone ?? '?');
	const phone = row.patient_phone ?? row.sender_phone ?? w.noPhone;
	let what = w.what[row.kind](name, row.detail, w.channel[row.channel]).replace(/ \./g, '.').replace(/ {2,}/g, ' ');
	let next = w.next[row.kind](row.patient_name ?? name, phone);
	if (row.kind === 'unreachable') {
		if (options.fallbackEmail) what += w.emailFallback(options.fallbackEmail);
		else next = w.unreachableNoEmail(row.patient_name ?? name, phone);
	}
	return {
		id: row.id,
		kind: row.kind,
		title: `${w.title[row.kind]} — ${name}`,
		what,
		appointment: appointmentLine(row, locale),
		next,
		patient: { id: row.patient_id, name: row.patient_name, phone: row.patient_phone ?? row.sender_phone, email: row.patient_email },
		appointmentId: row.appointment_id,
		timezone: row.timezone,
		createdAt: row.created_at,
		handledAt: row.handled_at,
		handledBy: row.handled_by,
		...(options.handleUrl ? { handleUrl: options.handleUrl } : {}),
	};
}

/** The item as a block of plain text (an email, a chat message, a digest's entry). */
export function itemText(item: ItemSummary, locale: TeamLocale): string {
	const w = WORDS[locale];
	const patient = [item.patient.name, item.patient.phone, item.patient.email].filter(Boolean).join(' · ');
	return [
		item.what,
		`${w.appointmentLabel}: ${item.appointment}`,
		...(patient ? [`${w.patientLabel}: ${patient}`] : []),
		`${w.nextLabel}: ${item.next}`,
		...(item.handleUrl ? [`${w.handleLabel}: ${item.handleUrl}`] : []),
	].join('\n');
}

/** The body a chat incoming webhook takes, for each product's own shape. */
export function chatPayload(format: ChatFormat, title: string, text: string, links: Array<{ label: string; url: string }>): Record<string, unknown> {
	if (format === 'teams') {
		// Teams' Workflows webhooks (the successor of its Office 365 connectors) take an Adaptive Card.
		return {
			type: 'message',
			attachments: [
				{
					contentType: 'application/vnd.microsoft.card.adaptive',
					content: {
						$schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
						type: 'AdaptiveCard',
						version: '1.4',
						body: [
							{ type: 'TextBlock', text: title, weight: 'Bolder', wrap: true },
							{ type: 'TextBlock', text, wrap: true },
						],
						actions: links.slice(0, 5).map((link) => ({ type: 'Action.OpenUrl', title: link.label, url: link.url })),
					},
				},
			],
		};
	}
	// Slack and Google Chat make *bold*, Mattermost **bold**; all three turn a bare URL into a link.
	const bold = format === 'mattermost' ? `**${title}**` : `*${title}*`;
	return { text: `${bold}\n${text}` };
}

/** A WhatsApp template parameter: one line, no runs of spaces (Meta refuses both), at most `max` characters. */
export function templateParameter(text: string, max: number): string {
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length > max ? `${line.slice(0, max - 1)}…` : line || '-';
}
