import type pg from 'pg';
import { recordNoShowRescheduleAttempt } from '../appointments/records';
import { applyStatusChange, isUuid } from '../appointments/transitions';
import { recordAttention, recordReplyAttention } from '../attention/record';
import { maskPhone, setOptOut } from '../contacts';
import { sql } from '../db/sql';
import { inTransaction } from '../db/transaction';
import { BarnumError } from '../errors';
import type { GuestKeyRing } from '../resort/guest-crypto';
import { setGuestOptOut } from '../resort/guests';
import { recordDeliveryStatus, statusesFromWebhook, type RecordedStatus } from './statuses';

/** A message a patient sent, as Meta's webhook carries it. */
export interface InboundMessage {
	wamid: string;
	/** E.164 with the plus (Meta sends digits only). */
	from: string;
	text?: string;
	/** The payload of a tapped quick-reply button (our templates' CONFIRM:<appointment id> …). */
	buttonPayload?: string;
	/** The wamid of the message being answered, when Meta says. */
	replyTo?: string;
}

export type Intent = 'confirm' | 'cancel' | 'reschedule_yes' | 'reschedule_no' | 'stop' | 'start' | 'unknown';

const WORDS: Record<'yes' | 'no' | 'stop' | 'start', RegExp> = {
	yes: /^(sim|s|yes|y|si|sí|ok|claro|quero|pode ser)\b/,
	no: /^(não|nao|no|n)\b/,
	stop: /^(stop|parar|pare|sair|cancelar subscrição|baja|unsubscribe)$/,
	start: /^(start|começar|comecar|alta|subscribe)$/,
};

/** What a reply means. Buttons carry our own payloads; free text is matched on a few words per language. */
export function interpretReply(message: InboundMessage): { intent: Intent; appointmentId?: string } {
	if (message.buttonPayload) {
		const [action, id] = message.buttonPayload.split(':', 2);
		const appointmentId = isUuid(id) ? id : undefined;
		const intent = ({ CONFIRM: 'confirm', CANCEL: 'cancel', RESCHEDULE_YES: 'reschedule_yes', RESCHEDULE_NO: 'reschedule_no' } as const)[
			action as 'CONFIRM'
		];
		if (intent && appointmentId) return { intent, appointmentId };
	}
	const text = (message.text ?? '')
		.trim()
		.toLowerCase()
		.replace(/[!.?¡¿]+$/g, '');
	if (WORDS.stop.test(text)) return { intent: 'stop' };
	if (WORDS.start.test(text)) return { intent: 'start' };
	if (WORDS.yes.test(text)) return { intent: 'reschedule_yes' };
	if (WORDS.no.test(text)) return { intent: 'reschedule_no' };
	return { intent: 'unknown' };
}

export function messagesFromWebhook(body: unknown): InboundMessage[] {
	const messages: InboundMessage[] = [];
	for (const value of changeValues(body)) {
		const list = (value as { messages?: unknown }).messages;
		if (!Array.isArray(list)) continue;
		for (const m of list as Array<Record<string, unknown>>) {
			if (typeof m?.id !== 'string' || typeof m?.from !== 'string' || !/^\d{7,15}$/.test(m.from)) continue;
			const button = m.button as { payload?: unknown; text?: unknown } | undefined;
			const interactive = m.interactive as { button_reply?: { id?: unknown; title?: unknown } } | undefined;
			messages.push({
				wamid: m.id,
				from: `+${m.from}`,
				text:
					typeof (m.text as { body?: unknown })?.body === 'string'
						? ((m.text as { body: string }).body)
						: typeof button?.text === 'string'
							? button.text
							: undefined,
				buttonPayload:
					typeof button?.payload === 'string' ? button.payload : typeof interactive?.button_reply?.id === 'string' ? interactive.button_reply.id : undefined,
				replyTo: typeof (m.context as { id?: unknown })?.id === 'string' ? (m.context as { id: string }).id : undefined,
			});
		}
	}
	return messages;
}

function changeValues(body: unknown): unknown[] {
	const values: unknown[] = [];
	const entries = (body as { entry?: unknown })?.entry;
	if (!Array.isArray(entries)) return values;
	for (const entry of entries) {
		const changes = (entry as { changes?: unknown })?.changes;
		if (Array.isArray(changes)) for (const change of changes) if ((change as { value?: unknown })?.value) values.push((change as { value: unknown }).value);
	}
	return values;
}

/** What a reply did: the appointment it acted on, or the patient / guest it opted out or in. */
interface ActOutcome {
	appointmentId?: string;
	patientId?: string;
	guestId?: string;
	outcome: string;
	error?: string;
}

/** forTheTeam: what it did is recorded for the clinic's team (core/attention): a notifier has something to tell. */
export type InboundResult =
	| { kind: 'status'; status: RecordedStatus; forTheTeam: boolean }
	| ({ kind: 'message'; wamid: string; from: string; text?: string; intent: Intent; forTheTeam: boolean } & ActOutcome);

/** The outcomes recorded for the team, as act() and processInboundWebhook record them. */
const FOR_THE_TEAM = new Set(['cancelled', 'opted out', 'needs a person', 'refused', 'no open reschedule prompt']);

export interface InboundOptions {
	/**
	 * The guest data key (GUEST_DATA_KEY): with it, STOP / START from a resort guest's number find
	 * the guest through the blind index. Without it only patients are found.
	 */
	guestKeys?: GuestKeyRing;
	/** Who acted, for the guest audit log (`n8n:<node name>`). */
	actor?: string;
}

/**
 * Handles everything in one WhatsApp webhook: records delivery statuses, and acts on replies —
 * quick-reply Confirm/Cancel (from the appointment's patient only), "yes" to a reschedule prompt,
 * STOP/START (patients, and guests when `options.guestKeys` is given). A reply that cannot be
 * acted on (unknown text, an appointment in the wrong state) is returned with its reason, never
 * thrown, so one bad message does not lose the others in the same webhook.
 */
export async function processInboundWebhook(pool: pg.Pool, body: unknown, options: InboundOptions = {}): Promise<InboundResult[]> {
	const results: InboundResult[] = [];
	for (const report of statusesFromWebhook(body)) {
		const status = await recordDeliveryStatus(pool, report);
		results.push({ kind: 'status', status, forTheTeam: status.unreachable === true });
	}
	for (const message of messagesFromWebhook(body)) {
		const { intent, appointmentId } = interpretReply(message);
		const base = { kind: 'message' as const, wamid: message.wamid, from: message.from, text: message.text, intent };
		const outcome = await act(pool, message, intent, appointmentId, options).catch((error: unknown) =>
			error instanceof BarnumError ? { appointmentId, outcome: 'refused', error: error.message } : Promise.reject(error),
		);
		// What Barnum could not settle is recorded for the team, once per message (Meta may deliver
		// the same webhook again).
		if (outcome.outcome === 'needs a person' || outcome.outcome === 'refused' || outcome.outcome === 'no open reschedule prompt') {
			const said = message.text ?? message.buttonPayload ?? '';
			await recordReplyAttention(pool, {
				wamid: message.wamid,
				from: message.from,
				kind: 'reply',
				text: outcome.error ? `${said} (${outcome.error})` : said,
				appointmentId: outcome.appointmentId,
			});
		}
		const forTheTeam = FOR_THE_TEAM.has(outcome.outcome) || (intent === 'reschedule_yes' && outcome.outcome === 'recorded');
		results.push({ ...base, ...outcome, forTheTeam });
	}
	return results;
}

async function act(pool: pg.Pool, message: InboundMessage, intent: Intent, appointmentId: string | undefined, options: InboundOptions): Promise<ActOutcome> {
	// A button names its appointment; only that appointment's patient may act on it (a forwarded
	// message, a shared phone). Anyone else's tap is left for a person to look at.
	if (appointmentId && (await senderIsNotThePatient(pool, appointmentId, message.from))) {
		return { appointmentId, outcome: 'needs a person', error: "sent from a number that is not this appointment's patient's: nothing was changed" };
	}
	switch (intent) {
		case 'confirm':
		case 'cancel': {
			const result = await inTransaction(pool, async (client) => {
				const change = await applyStatusChange(client, {
					appointmentId: appointmentId!,
					action: intent,
					response: `${intent === 'confirm' ? 'confirmed' : 'cancelled'} via WhatsApp`,
				});
				// A freed slot: the team hears of it in the same transaction as the cancellation.
				if (intent === 'cancel' && change.outcome === 'changed') {
					await recordAttention(client, { kind: 'cancellation', channel: 'whatsapp', sourceKey: `whatsapp:${message.wamid}`, appointmentId });
				}
				return change;
			});
			return { appointmentId, outcome: result.outcome === 'changed' ? (intent === 'confirm' ? 'confirmed' : 'cancelled') : 'unchanged' };
		}
		case 'reschedule_yes':
		case 'reschedule_no': {
			const target = appointmentId ?? (await openReschedulePrompt(pool, message.from));
			if (!target) return { outcome: 'no open reschedule prompt' };
			await recordNoShowRescheduleAttempt(pool, {
				appointmentId: target,
				response: intent === 'reschedule_yes' ? `yes: ${message.text ?? 'button'}` : `no: ${message.text ?? 'button'}`,
				channel: 'whatsapp',
				wantsNewTime: intent === 'reschedule_yes',
			});
			return { appointmentId: target, outcome: 'recorded' };
		}
		case 'stop':
		case 'start':
			return optOutOrIn(pool, message.from, intent === 'stop', { ...options, wamid: message.wamid });
		default:
			return { outcome: 'needs a person' };
	}
}

/** True when the appointment exists and its patient's number (E.164, a CHECK says so) is not the sender's. */
async function senderIsNotThePatient(pool: pg.Pool, appointmentId: string, from: string): Promise<boolean> {
	const { rows } = await pool.query<{ phone: string | null }>(sql('appointment-patient-phone'), [appointmentId]);
	// No such appointment: the action itself reports it.
	if (rows.length === 0) return false;
	return rows[0].phone !== from;
}

/**
 * STOP / START: the patient with this number, and the resort guest with it when the guest data
 * key is given (one person can be both). Refused only when nobody has the number.
 */
async function optOutOrIn(pool: pg.Pool, phone: string, optedOut: boolean, options: InboundOptions & { wamid?: string }): Promise<ActOutcome> {
	const patient = await unlessUnknown(() => setOptOut(pool, { phone, optedOut }));
	const keys = options.guestKeys;
	const guest = keys
		? await unlessUnknown(() => setGuestOptOut(pool, keys, { phone, optedOut, actor: options.actor ?? 'whatsapp-inbound' }), 'invalid_input')
		: undefined;
	if (!patient && !guest) {
		throw new BarnumError(
			'not_found',
			keys
				? `No patient or guest has the number ${maskPhone(phone)}`
				: `No patient has the number ${maskPhone(phone)} (a resort guest's number is found only with the guest data key)`,
		);
	}
	// A patient who stops messages still has appointments: the team takes it from here.
	if (optedOut && patient) {
		await recordAttention(pool, { kind: 'opt_out', channel: 'whatsapp', sourceKey: `whatsapp:${options.wamid ?? phone}`, patientId: patient.id });
	}
	return { outcome: optedOut ? 'opted out' : 'opted in', patientId: patient?.id, guestId: guest?.id };
}

/** The work's result, or undefined when it found nobody (or, for guests, the number cannot be one). */
function unlessUnknown<T>(work: () => Promise<T>, ...alsoIgnored: string[]): Promise<T | undefined> {
	// Through then(): `work` may refuse its input before returning a promise.
	return Promise.resolve()
		.then(work)
		.catch((error: unknown) =>
			error instanceof BarnumError && (error.code === 'not_found' || alsoIgnored.includes(error.code)) ? undefined : Promise.reject(error),
		);
}

async function openReschedulePrompt(pool: pg.Pool, phone: string): Promise<string | undefined> {
	const { rows } = await pool.query<{ appointment_id: string }>(sql('reschedule-prompt-open'), [phone]);
	return rows[0]?.appointment_id;
}
