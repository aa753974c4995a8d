import { invalidParameter, whatsappError, type GraphFailure } from './errors';
import {
	fillVariables,
	findTranslation,
	resolveUrlBase,
	variablesIn,
	type TemplateDefinition,
	type TemplateTranslation,
	type UrlBase,
} from './templates';

/**
 * Validates a `POST /{phone_number_id}/messages` body the way the Cloud API does, answering each
 * mistake with the code Meta uses for it, and renders what the phone would show. Only the state-
 * free checks live here; the 24-hour window and injected faults depend on the sandbox's state.
 */

export type RenderedButton =
	| { index: number; type: 'QUICK_REPLY'; text: string; payload: string }
	| { index: number; type: 'URL'; text: string; url: string; suffix: string };

export interface RenderedMessage {
	header?: string;
	body: string;
	footer?: string;
	buttons: RenderedButton[];
}

interface Recipient {
	/** `to` exactly as the request gave it (Meta echoes it as `contacts[0].input`). */
	to: string;
	/** The digits: Meta's `wa_id`, the webhooks' `recipient_id`. */
	waId: string;
	bizOpaqueCallbackData?: string;
}

export interface TemplateSend extends Recipient {
	kind: 'template';
	template: TemplateDefinition;
	translation: TemplateTranslation;
	rendered: RenderedMessage;
}

export interface TextSend extends Recipient {
	kind: 'text';
	rendered: RenderedMessage;
}

/** `{ status: 'read', message_id }`: the business marking an inbound message as read. */
export interface MarkRead {
	kind: 'read';
	messageId: string;
}

export type ValidSend = TemplateSend | TextSend | MarkRead;
/** `bug` is set when the sandbox itself failed: answered as Meta answers its own faults (131000, HTTP 500). */
export type Validation = { ok: true; send: ValidSend } | { ok: false; failure: GraphFailure; bug?: Error };

/** E.164 without the formatting: an optional +, then 7 to 15 digits, the first not 0. */
const PHONE = /^\+?[1-9]\d{6,14}$/;
const MAX_TEXT_BODY = 4096;
const MAX_TEMPLATE_BODY = 1024;
const MAX_OPAQUE_DATA = 512;
/** Meta refuses parameters that would break the approved layout. */
const LAYOUT_BREAKING = /[\n\t]| {5,}/;
const MEDIA_PARAMETER_TYPES = new Set(['currency', 'date_time', 'image', 'document', 'video', 'location']);

class Refusal {
	constructor(readonly failure: GraphFailure) {}
}

function refuse(failure: GraphFailure): never {
	throw new Refusal(failure);
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
	return typeof value === 'string' && value.trim() !== '';
}

function missing(details: string): never {
	return refuse(whatsappError(131008, details));
}

function notValid(details: string): never {
	return refuse(whatsappError(131009, details));
}

function recipient(body: Record<string, unknown>): Recipient {
	if (body.recipient_type !== undefined && body.recipient_type !== 'individual') {
		refuse(invalidParameter(`Param recipient_type must be one of {INDIVIDUAL} - got "${String(body.recipient_type)}".`));
	}
	if (body.to === undefined || body.to === '') missing('The parameter to is required.');
	if (typeof body.to !== 'string' || !PHONE.test(body.to)) {
		notValid('The phone number is malformed: Please use the format: +1234567890.');
	}
	const opaque = body.biz_opaque_callback_data;
	if (opaque !== undefined && (typeof opaque !== 'string' || opaque.length > MAX_OPAQUE_DATA)) {
		refuse(invalidParameter(`Param biz_opaque_callback_data must be a string of at most ${MAX_OPAQUE_DATA} characters.`));
	}
	return { to: body.to, waId: body.to.replace(/^\+/, ''), ...(typeof opaque === 'string' ? { bizOpaqueCallbackData: opaque } : {}) };
}

/** Header and body parameters: `{ type: 'text', text }`, as many as the text has variables. */
function textParameters(where: 'header' | 'body', parameters: unknown, expected: number): string[] {
	if (parameters !== undefined && !Array.isArray(parameters)) {
		refuse(invalidParameter(`Param template['components'][${where}]['parameters'] must be an array.`));
	}
	const list = (parameters ?? []) as unknown[];
	if (list.length !== expected) {
		refuse(whatsappError(132000, `${where}: number of localizable_params (${list.length}) does not match the expected number of params (${expected})`));
	}
	return list.map((parameter, i) => {
		const n = i + 1;
		if (!isRecord(parameter) || parameter.type === undefined) missing(`${where}: parameter ${n} has no type`);
		const type = String(parameter.type).toLowerCase();
		if (type !== 'text') {
			if (MEDIA_PARAMETER_TYPES.has(type)) {
				refuse(whatsappError(132012, `${where}: parameter ${n} is of type ${type}, but the template expects text`));
			}
			notValid(`${where}: parameter ${n} has an invalid type ${JSON.stringify(parameter.type)}`);
		}
		if (!nonEmptyString(parameter.text)) missing(`${where}: parameter ${n} (type text) requires a non-empty text value`);
		if (LAYOUT_BREAKING.test(parameter.text)) {
			refuse(invalidParameter('Invalid parameter', 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces'));
		}
		return parameter.text;
	});
}

const META_BUTTON_TYPE = { QUICK_REPLY: 'QuickReply', URL: 'Url' } as const;
const SUB_TYPES = { quick_reply: 'QUICK_REPLY', url: 'URL' } as const;

function buttonComponent(component: Record<string, unknown>, translation: TemplateTranslation, bases: Record<UrlBase, string>): RenderedButton {
	if (component.sub_type === undefined) missing("The parameter template['components'][button]['sub_type'] is required.");
	const subType = String(component.sub_type).toLowerCase();
	if (!(subType in SUB_TYPES)) notValid(`buttons: sub_type ${JSON.stringify(component.sub_type)} does not match any button of this template`);
	const wanted = SUB_TYPES[subType as keyof typeof SUB_TYPES];
	if (component.index === undefined) missing("The parameter template['components'][button]['index'] is required.");
	const indexText = String(component.index);
	if (!/^\d$/.test(indexText)) notValid(`buttons: Invalid button index ${JSON.stringify(component.index)}: it must be 0 to 9`);
	const index = Number(indexText);
	const button = translation.buttons[index];
	if (!button) notValid(`buttons: Button at index ${index} of type ${META_BUTTON_TYPE[wanted]} does not exist`);
	if (button.type !== wanted) {
		notValid(`buttons: Button at index ${index} is of type ${META_BUTTON_TYPE[button.type]}, not ${META_BUTTON_TYPE[wanted]}`);
	}
	if (component.parameters !== undefined && !Array.isArray(component.parameters)) {
		refuse(invalidParameter(`Param template['components'][button ${index}]['parameters'] must be an array.`));
	}
	const parameters = (component.parameters ?? []) as unknown[];

	if (button.type === 'URL') {
		const expected = variablesIn(button.url).length;
		if (expected > 0 && parameters.length === 0) missing(`buttons: Button at index ${index} of type Url requires a parameter`);
		if (parameters.length !== expected) {
			refuse(whatsappError(132000, `buttons: number of localizable_params (${parameters.length}) does not match the expected number of params (${expected})`));
		}
		const parameter = parameters[0];
		if (expected === 0) return { index, type: 'URL', text: button.text, url: resolveUrlBase(button.url, bases), suffix: '' };
		if (!isRecord(parameter) || String(parameter.type).toLowerCase() !== 'text') {
			notValid(`buttons: Button at index ${index} of type Url expects a parameter of type text`);
		}
		if (!nonEmptyString(parameter.text)) missing(`buttons: Button at index ${index} of type Url requires a non-empty text parameter`);
		const suffix = parameter.text;
		return { index, type: 'URL', text: button.text, url: fillVariables(resolveUrlBase(button.url, bases), [suffix]), suffix };
	}

	if (parameters.length > 1) notValid(`buttons: Button at index ${index} of type QuickReply takes one payload parameter`);
	const parameter = parameters[0];
	if (parameter === undefined) return { index, type: 'QUICK_REPLY', text: button.text, payload: button.text };
	if (!isRecord(parameter) || String(parameter.type).toLowerCase() !== 'payload') {
		notValid(`buttons: Button at index ${index} of type QuickReply expects a parameter of type payload`);
	}
	if (!nonEmptyString(parameter.payload)) missing(`buttons: Button at index ${index} of type QuickReply requires a non-empty payload`);
	return { index, type: 'QUICK_REPLY', text: button.text, payload: parameter.payload };
}

function templateSend(body: Record<string, unknown>, to: Recipient, bases: Record<UrlBase, string>): TemplateSend {
	const template = body.template;
	if (!isRecord(template)) missing('The parameter template is required.');
	if (!nonEmptyString(template.name)) missing("The parameter template['name'] is required.");
	if (!isRecord(template.language) || !nonEmptyString(template.language.code)) missing("The parameter template['language']['code'] is required.");
	const found = findTranslation(template.name, template.language.code);
	if (!found) refuse(whatsappError(132001, `template name (${template.name}) does not exist in ${template.language.code}`));
	const { translation } = found;
	if (template.components !== undefined && !Array.isArray(template.components)) {
		refuse(invalidParameter("Param template['components'] must be an array."));
	}

	let header: unknown;
	let bodyParameters: unknown;
	let sawHeader = false;
	const pressed = new Map<number, RenderedButton>();
	for (const component of (template.components ?? []) as unknown[]) {
		if (!isRecord(component) || component.type === undefined) missing("The parameter template['components'][]['type'] is required.");
		const type = String(component.type).toLowerCase();
		if (type === 'header' || type === 'body') {
			const seen = type === 'header' ? sawHeader : bodyParameters !== undefined;
			if (seen) notValid(`Duplicate component of type ${type}`);
			if (type === 'header') {
				sawHeader = true;
				header = component.parameters ?? [];
			} else {
				bodyParameters = component.parameters ?? [];
			}
		} else if (type === 'button') {
			const button = buttonComponent(component, translation, bases);
			if (pressed.has(button.index)) notValid(`buttons: Button at index ${button.index} appears more than once`);
			pressed.set(button.index, button);
		} else {
			refuse(invalidParameter(`Param template['components'][]['type'] must be one of {HEADER, BODY, BUTTON} - got "${String(component.type)}".`));
		}
	}

	const headerValues = textParameters('header', header, variablesIn(translation.header ?? '').length);
	const bodyValues = textParameters('body', bodyParameters, variablesIn(translation.body).length);
	const buttons = translation.buttons.map((button, index): RenderedButton => {
		const sent = pressed.get(index);
		if (sent) return sent;
		if (button.type === 'URL') {
			if (variablesIn(button.url).length > 0) missing(`buttons: Button at index ${index} of type Url requires a parameter`);
			return { index, type: 'URL', text: button.text, url: resolveUrlBase(button.url, bases), suffix: '' };
		}
		// A quick reply sent without a payload comes back with the button's text as its payload.
		return { index, type: 'QUICK_REPLY', text: button.text, payload: button.text };
	});

	const rendered: RenderedMessage = {
		...(translation.header ? { header: fillVariables(translation.header, headerValues) } : {}),
		body: fillVariables(translation.body, bodyValues),
		...(translation.footer ? { footer: translation.footer } : {}),
		buttons,
	};
	if (rendered.body.length > MAX_TEMPLATE_BODY) {
		refuse(whatsappError(132005, `body: the text with its parameters is ${rendered.body.length} characters, more than ${MAX_TEMPLATE_BODY}`));
	}
	return { kind: 'template', ...to, template: found.template, translation, rendered };
}

function textSend(body: Record<string, unknown>, to: Recipient): TextSend {
	const text = body.text;
	if (!isRecord(text) || !nonEmptyString(text.body)) missing("The parameter text['body'] is required.");
	if (text.body.length > MAX_TEXT_BODY) refuse(invalidParameter(`Param text['body'] must be at most ${MAX_TEXT_BODY} characters long.`));
	return { kind: 'text', ...to, rendered: { body: text.body, buttons: [] } };
}

function validateOrRefuse(body: unknown, bases: Record<UrlBase, string>): ValidSend {
	if (!isRecord(body)) refuse(invalidParameter('Invalid parameter', 'The request body must be a JSON object.'));
	if (body.messaging_product === undefined) refuse(invalidParameter('The parameter messaging_product is required.'));
	if (body.messaging_product !== 'whatsapp') {
		refuse(invalidParameter(`Param messaging_product must be one of {WHATSAPP} - got "${String(body.messaging_product)}".`));
	}
	if (body.status !== undefined) {
		if (body.status !== 'read') refuse(invalidParameter(`Param status must be one of {READ} - got "${String(body.status)}".`));
		if (!nonEmptyString(body.message_id)) missing('The parameter message_id is required.');
		return { kind: 'read', messageId: body.message_id };
	}
	const to = recipient(body);
	// Meta's default when `type` is left out.
	const type = body.type ?? 'text';
	if (type === 'template') return templateSend(body, to, bases);
	if (type === 'text') return textSend(body, to);
	return refuse(whatsappError(131051, `Message type ${JSON.stringify(type)} is not supported by the sandbox, which accepts template and text messages`));
}

/** Checks a send request; `bases` are where URL buttons point before their variable. */
export function validateSend(body: unknown, bases: Record<UrlBase, string>): Validation {
	try {
		return { ok: true, send: validateOrRefuse(body, bases) };
	} catch (error) {
		if (error instanceof Refusal) return { ok: false, failure: error.failure };
		return { ok: false, failure: whatsappError(131000, `The sandbox failed to validate this request: ${String(error)}`), bug: error as Error };
	}
}
