import { BarnumError } from '../errors';
import { bookingOf } from '../resort/message';
import type { OutboundMessage } from '../outbox/types';
import type { TemplateMessage } from './types';

/**
 * The message the bundled workflow for an event type sends (workflows/*.json, "Send …" nodes),
 * built here from the event the Outbox Trigger emitted instead of by n8n expressions. In n8n 2.x
 * every expression runs in an isolated VM and costs about half a millisecond; the bundled Send
 * nodes have eleven per message, which caps a batch execution at about 150 messages a second per
 * core. Built here, a message costs microseconds (docs/performance.md, "End-to-end throughput").
 *
 * Same templates, parameters and buttons as the bundled workflows, with two differences: the
 * template language follows the recipient's locale into all four translations the templates have
 * (pt_PT, en, pt_BR, es) instead of English-or-pt_PT, and the appointment's day is written as the
 * action pages write it ("quarta-feira, 1 de julho").
 */

export interface EventTemplate {
	message: TemplateMessage;
	/** Sent as plain text when the template does not exist (resort properties' fallback message). */
	fallbackText: string | null;
}

const LANGUAGES: Record<string, string> = { 'pt-PT': 'pt_PT', en: 'en', 'pt-BR': 'pt_BR', es: 'es' };

/** Meta's code for a Barnum locale (pt-PT → pt_PT); Portuguese (Portugal) when unknown. */
export function templateLanguage(locale: string | undefined): string {
	if (!locale) return 'pt_PT';
	return LANGUAGES[locale] ?? LANGUAGES[locale.split(/[-_]/)[0]] ?? (/^[a-z]{2}_[A-Z]{2}$/.test(locale) ? locale : 'pt_PT');
}

const firstName = (name: string | undefined) => (name ?? '').trim().split(/\s+/)[0] ?? '';
const query = (link: string | undefined) => link?.split('?')[1];

// One formatter per (locale, timezone, style): building an Intl.DateTimeFormat costs far more than using it.
const formatters = new Map<string, Intl.DateTimeFormat>();
const STYLES: Record<'date' | 'time' | 'month', Intl.DateTimeFormatOptions> = {
	date: { weekday: 'long', day: 'numeric', month: 'long' },
	time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
	month: { month: 'short' },
};
function format(date: Date, locale: string, timeZone: string, style: keyof typeof STYLES): string {
	const key = `${locale}|${timeZone}|${style}`;
	let formatter = formatters.get(key);
	if (!formatter) {
		formatter = new Intl.DateTimeFormat(locale, { ...STYLES[style], timeZone });
		formatters.set(key, formatter);
	}
	return formatter.format(date);
}

/** The appointment's day as the action pages write it: "quarta-feira, 1 de julho", "Wednesday, July 1". */
function longDate(iso: string, locale: string, timeZone: string): string {
	return format(new Date(iso), locale, timeZone, 'date');
}

/** "10:30", in the clinic's timezone. */
function clockTime(iso: string, timeZone: string): string {
	return format(new Date(iso), 'en-GB', timeZone, 'time');
}

/** A calendar day (YYYY-MM-DD) as "1 jul." or "1 jul. 2026" (Luxon's `d LLL [yyyy]`, as the bundled resort workflow writes it). */
function shortDate(day: string | undefined, locale: string, withYear: boolean): string {
	if (!day) return '';
	const date = new Date(`${day.slice(0, 10)}T12:00:00Z`);
	const text = `${date.getUTCDate()} ${format(date, locale, 'UTC', 'month')}`;
	return withYear ? `${text} ${date.getUTCFullYear()}` : text;
}

/** A calendar day (YYYY-MM-DD) written out: "sábado, 12 de agosto", "Saturday, 12 August". */
function dayWritten(day: string | undefined, locale: string): string {
	return day ? format(new Date(`${day.slice(0, 10)}T12:00:00Z`), locale, 'UTC', 'date') : '';
}

function required<T>(value: T | undefined | null, what: string, message: OutboundMessage): T {
	if (value === undefined || value === null || value === '') {
		throw new BarnumError('invalid_input', `The ${message.event_type} event ${message.event_id} has no ${what}`);
	}
	return value;
}

function appointmentTemplate(message: OutboundMessage, template: string): EventTemplate {
	const appointment = required(message.appointment, 'appointment', message);
	const patient = appointment.patient;
	const business = message.business.name;
	const locale = patient.locale || message.business.locale;
	const replies =
		template === 'barnum_no_show_reschedule'
			? [
					{ index: 0, payload: `RESCHEDULE_YES:${message.entity_id}` },
					{ index: 1, payload: `RESCHEDULE_NO:${message.entity_id}` },
				]
			: [
					{ index: 0, payload: `CONFIRM:${message.entity_id}` },
					{ index: 1, payload: `CANCEL:${message.entity_id}` },
				];
	// A missing number is not this module's to judge: the delivery dead-letters the event with the reason.
	const common = { to: patient.phone ?? '', template, language: templateLanguage(locale) };
	if (template === 'barnum_no_show_reschedule') {
		return {
			message: {
				...common,
				bodyParameters: [firstName(patient.name), business],
				urlButton: { index: 2, suffix: required(query(message.action_links?.reschedule), 'reschedule link', message) },
				quickReplies: replies,
			},
			fallbackText: null,
		};
	}
	if (template === 'barnum_review_request') {
		return {
			message: { ...common, bodyParameters: [firstName(patient.name), business], urlButton: { index: 0, suffix: message.entity_id } },
			fallbackText: null,
		};
	}
	const timeZone = appointment.timezone || message.business.timezone;
	return {
		message: {
			...common,
			bodyParameters: [
				firstName(patient.name),
				longDate(appointment.starts_at, locale, timeZone),
				clockTime(appointment.starts_at, timeZone),
				appointment.professional?.name ?? business,
				business,
			],
			urlButton: { index: 2, suffix: required(query(message.action_links?.confirm), 'confirm link', message) },
			quickReplies: replies,
		},
		fallbackText: null,
	};
}

function bookingTemplate(message: OutboundMessage): EventTemplate {
	const booking = required(bookingOf(message), 'booking', message);
	const guest = booking.guest;
	const locale = guest?.locale || booking.property.locale || message.business.locale;
	const common = {
		to: guest?.phone ?? '',
		template: required(booking.template.name, 'template name', message),
		language: templateLanguage(booking.template.language),
	};
	const name = firstName(guest?.name) || 'olá';
	const fallbackText = booking.fallback_text || null;
	switch (message.event_type) {
		case 'booking.reminder':
			return {
				message: {
					...common,
					bodyParameters: [name, booking.property.name, `${shortDate(booking.check_in, locale, false)} – ${shortDate(booking.check_out, locale, true)}`],
					urlButton: { index: 0, suffix: `booking=${booking.reference}` },
				},
				fallbackText,
			};
		case 'booking.review_request':
			return {
				message: { ...common, bodyParameters: [name, booking.property.name], urlButton: { index: 0, suffix: booking.property.external_id } },
				fallbackText,
			};
		case 'booking.pre_arrival':
			return {
				message: {
					...common,
					bodyParameters: [name, booking.property.name, dayWritten(booking.check_in, locale), String(message.payload?.check_in_time ?? '')],
				},
				fallbackText,
			};
		case 'booking.check_out':
			return {
				message: { ...common, bodyParameters: [name, booking.property.name, String(message.payload?.check_out_time ?? '')] },
				fallbackText,
			};
		case 'booking.modification':
			return {
				message: {
					...common,
					bodyParameters: [
						name,
						booking.property.name,
						dayWritten(booking.check_in, locale),
						dayWritten(booking.check_out, locale),
						booking.confirmation_code ?? booking.reference,
					],
				},
				fallbackText,
			};
		default:
			return {
				message: {
					...common,
					bodyParameters: [name, booking.property.name, booking.check_in ?? '', booking.check_out ?? '', booking.confirmation_code ?? booking.reference],
				},
				fallbackText,
			};
	}
}

/** The bundled workflow's message for this event; a BarnumError (invalid_input) when there is none. */
export function eventTemplate(message: OutboundMessage): EventTemplate {
	switch (message?.event_type) {
		case 'appointment.pre_confirmed':
			return appointmentTemplate(message, 'barnum_appointment_confirmation');
		case 'appointment.reminder':
			return appointmentTemplate(message, 'barnum_appointment_reminder');
		case 'appointment.no_show':
			return appointmentTemplate(message, 'barnum_no_show_reschedule');
		case 'appointment.review_request':
			return appointmentTemplate(message, 'barnum_review_request');
		case 'patient.reactivation': {
			const patient = required(message.patient, 'patient', message);
			return {
				message: {
					to: patient.phone ?? '',
					template: 'barnum_reactivation',
					language: templateLanguage(patient.locale || message.business.locale),
					bodyParameters: [firstName(patient.name), message.business.name, String(message.payload?.months_since_last_visit ?? '')],
				},
				fallbackText: null,
			};
		}
		case 'booking.reminder':
		case 'booking.review_request':
		case 'booking.confirmation':
		case 'booking.pre_arrival':
		case 'booking.check_out':
		case 'booking.modification':
			return bookingTemplate(message);
		default:
			throw new BarnumError(
				'invalid_input',
				message?.event_type
					? `No bundled Barnum template for ${message.event_type} events: set the message with "Define Below"`
					: 'The item is not an outbox event (no event_type): set the message with "Define Below"',
			);
	}
}
