import type { IncomingHttpHeaders } from 'node:http';
import { TextDecoder } from 'node:util';
import { DEFAULT_TOLERANCE_SECONDS, verifyMetaHandshake, verifyWebhook } from '../signatures';
import { isDeliveryId } from '../signatures/headers';
import { parseSecretList, secretKeys } from '../signatures/secret-list';
import type { CustomOptions, SignatureScheme, VerificationSuccess, VerifyWebhookInput } from '../signatures/types';
import type { DeliveryStore } from './deliveries';

/**
 * Receiving a signed webhook, independent of the host: the Barnum Webhook Trigger (n8n) calls
 * this with what n8n hands it, and the companion server can call it with Express's request. The
 * host only turns the outcome into an HTTP answer or a workflow run.
 *
 * Order, and why: the signature is checked before the body is parsed or the delivery claimed, so
 * an unauthenticated caller learns nothing about parsing or storage and cannot fill the
 * de-duplication store.
 */

/** Which sender format to verify; `custom` and `stripe` carry the options that scheme needs. */
export type WebhookProfile =
	| { scheme: 'standard-webhooks' }
	| { scheme: 'barnum-legacy' }
	| { scheme: 'meta' }
	| { scheme: 'github' }
	| { scheme: 'calcom' }
	| { scheme: 'stripe'; signatureHeader?: string }
	| { scheme: 'custom'; custom: CustomOptions };

export interface WebhookRequest {
	method: string;
	/** n8n's webhook name: 'setup' is the GET registration, 'default' the POST one. */
	webhookName?: string;
	/** Header names in lower case, as Node gives them. */
	headers: IncomingHttpHeaders;
	/** The exact bytes received; not needed for a GET. */
	rawBody?: Uint8Array;
	query?: unknown;
}

export interface Deduplication {
	store: DeliveryStore;
	/** One per receiving endpoint, such as `n8n:<workflowId>:<nodeId>`: ids are only unique per sender. */
	scope: string;
}

export interface ReceiveOptions {
	profile: WebhookProfile;
	/** The configured secret text (see core/signatures/secret-list.ts): the rule the sender signs with too. */
	secrets: string | undefined;
	/** Meta's hub.verify_token, for the GET handshake. */
	verifyToken?: string;
	toleranceSeconds?: number;
	/** Request headers to copy into the event, e.g. 'content-type,user-agent'. */
	includeHeaders?: string | readonly string[];
	deduplication?: Deduplication;
	now?: Date;
}

/** What a workflow receives for one verified delivery. */
export interface WebhookEvent {
	/** Parsed JSON, or the text as received when the body is not JSON. */
	body: unknown;
	headers: Record<string, string | string[]>;
	verification: {
		scheme: SignatureScheme;
		/** What de-duplication keys on: the sender's delivery id, or for Meta and Stripe an id from the body. */
		deliveryId: string | null;
		timestamp: number | null;
		/** 0 is the first configured secret; a higher index means the sender still signs with an older one. */
		secretIndex: number;
	};
	receivedAt: string;
}

export type ReceiveOutcome =
	| {
			kind: 'respond';
			status: number;
			/** Sent as JSON unless `contentType` says otherwise. */
			body: unknown;
			contentType?: string;
			headers?: Record<string, string>;
			/** Something the operator has to fix; the host logs it. Never set for a sender's mistake. */
			warning?: string;
	  }
	| { kind: 'run'; json: WebhookEvent; deliveryId?: string };

type Respond = Extract<ReceiveOutcome, { kind: 'respond' }>;

const DUPLICATE_BODY = { received: true, duplicate: true };
/** Long enough for the first copy of a delivery to finish claiming; short enough not to stall the sender. */
const IN_PROGRESS_RETRY_AFTER_SECONDS = 5;

function respond(status: number, body: unknown, extra: Partial<Omit<Respond, 'kind' | 'status' | 'body'>> = {}): Respond {
	return { kind: 'respond', status, body, ...extra };
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/**
 * Handles one request. Never throws: every failure is an answer, so a bad request never starts an
 * execution (n8n turns a throwing webhook into an error execution).
 */
export async function receiveWebhook(request: WebhookRequest, options: ReceiveOptions): Promise<ReceiveOutcome> {
	try {
		return await receive(request, options);
	} catch (error) {
		return respond(500, { error: 'internal_error' }, { warning: `Receiving the webhook failed unexpectedly: ${messageOf(error)}` });
	}
}

async function receive(request: WebhookRequest, options: ReceiveOptions): Promise<ReceiveOutcome> {
	const method = request.method.toUpperCase();
	if (request.webhookName === 'setup' || method === 'GET' || method === 'HEAD') {
		return handshake(request, options);
	}
	if (method !== 'POST') {
		return respond(405, { error: 'method_not_allowed', message: 'Send webhooks with POST' }, { headers: { Allow: allowed(options) } });
	}

	const keys = secretKeys(options.secrets);
	if (keys.length === 0) {
		const message = 'The webhook secret credential has no secret: add the signing secret the sender uses';
		return respond(401, { error: 'invalid_signature', reason: 'no_secret', message }, { warning: message });
	}
	const rawBody = request.rawBody ?? new Uint8Array();
	const verified = verifyWebhook(options.profile.scheme, {
		headers: request.headers,
		rawBody,
		secrets: keys,
		now: options.now,
		toleranceSeconds: options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
		...schemeOptions(options.profile),
	} as VerifyWebhookInput<SignatureScheme>);
	if (!verified.ok) {
		// Options and tolerance come from the node's configuration, not from the sender.
		if (verified.reason === 'invalid_options') {
			const message = `The webhook trigger is misconfigured: ${verified.message}`;
			return respond(500, { error: 'configuration_error', message }, { warning: message });
		}
		return respond(401, { error: 'invalid_signature', reason: verified.reason, message: verified.message });
	}

	const parsed = parseWebhookBody(request.headers, rawBody);
	if (!parsed.ok) return respond(400, { error: parsed.error, message: parsed.message });

	const deliveryId = verified.deliveryId ?? bodyDeliveryId(options.profile.scheme, parsed.body);
	const json = eventJson(verified, parsed.body, deliveryId, request.headers, options);
	if (deliveryId === undefined || !options.deduplication) return { kind: 'run', json };

	const duplicate = await claimDelivery(options.deduplication, deliveryId);
	return duplicate ?? { kind: 'run', json, deliveryId };
}

function allowed(options: ReceiveOptions): string {
	return options.profile.scheme === 'meta' ? 'GET, POST' : 'POST';
}

function handshake(request: WebhookRequest, options: ReceiveOptions): Respond {
	if (options.profile.scheme !== 'meta') {
		return respond(
			405,
			{ error: 'method_not_allowed', message: 'Only the Meta profile answers GET (its subscription handshake); send webhooks with POST' },
			{ headers: { Allow: allowed(options) } },
		);
	}
	const result = verifyMetaHandshake(request.query, options.verifyToken ?? '');
	if (result.ok) return respond(200, result.challenge, { contentType: 'text/plain' });
	if (result.reason === 'no_verify_token') {
		const message = 'The webhook secret credential has no verify token: set the one entered in the Meta app dashboard';
		return respond(403, { error: 'forbidden', reason: result.reason, message }, { warning: message });
	}
	if (result.reason === 'token_mismatch') {
		return respond(403, { error: 'forbidden', reason: result.reason, message: result.message });
	}
	return respond(400, { error: 'invalid_handshake', reason: result.reason, message: result.message });
}

function schemeOptions(profile: WebhookProfile): Record<string, unknown> {
	if (profile.scheme === 'custom') return { ...profile.custom };
	if (profile.scheme === 'stripe' && profile.signatureHeader) return { signatureHeader: profile.signatureHeader };
	return {};
}

function eventJson(
	verified: VerificationSuccess,
	body: unknown,
	deliveryId: string | undefined,
	headers: IncomingHttpHeaders,
	options: ReceiveOptions,
): WebhookEvent {
	return {
		body,
		headers: selectHeaders(headers, options.includeHeaders ?? ''),
		verification: {
			scheme: verified.scheme,
			deliveryId: deliveryId ?? null,
			timestamp: verified.timestamp ?? null,
			secretIndex: verified.secretIndex,
		},
		receivedAt: (options.now ?? new Date()).toISOString(),
	};
}

/**
 * Returns the answer for a repeat, or undefined when this request owns the delivery. The claim is
 * completed at once: the host starts the execution as soon as this returns and nothing reports
 * back afterwards, so "done" here means "an execution was started for it".
 */
async function claimDelivery({ store, scope }: Deduplication, deliveryId: string): Promise<Respond | undefined> {
	let claim;
	try {
		claim = await store.claim(scope, deliveryId);
	} catch (error) {
		return unavailable(error);
	}
	if (!claim.claimed) {
		if (claim.status === 'done') return respond(200, DUPLICATE_BODY);
		return respond(
			409,
			{ error: 'delivery_in_progress', message: `delivery ${deliveryId} is being received by another request` },
			{ headers: { 'Retry-After': String(IN_PROGRESS_RETRY_AFTER_SECONDS) } },
		);
	}
	try {
		await store.complete(scope, deliveryId, 200, { received: true });
	} catch (error) {
		// Forget the claim so the sender's retry is received; if that fails too, the retry gets 409
		// until the stored claim is purged.
		await store.release(scope, deliveryId).catch(() => undefined);
		return unavailable(error);
	}
	return undefined;
}

/** The sender retries a 503, so nothing is lost while de-duplication cannot be checked. */
function unavailable(error: unknown): Respond {
	return respond(
		503,
		{ error: 'deduplication_unavailable', message: 'The delivery could not be checked for duplicates; retry later' },
		{ warning: `Webhook de-duplication failed: ${messageOf(error)}`, headers: { 'Retry-After': '30' } },
	);
}

/**
 * A store that refuses every claim with `reason`: lets a host with a broken de-duplication setting
 * (no database credential, a bad connection string) still answer 503 only after the signature is
 * checked, rather than tell an unauthenticated caller about its configuration.
 */
export function unavailableStore(reason: string): DeliveryStore {
	const fail = async (): Promise<never> => {
		throw new Error(reason);
	};
	return { claim: fail, complete: fail, release: fail };
}

interface MediaType {
	type: string;
	charset?: string;
}

function mediaType(headers: IncomingHttpHeaders): MediaType | undefined {
	const header = headers['content-type'];
	if (typeof header !== 'string') return undefined;
	const [type, ...parameters] = header.split(';');
	let charset: string | undefined;
	for (const parameter of parameters) {
		const [name, value] = parameter.split('=');
		if (name?.trim().toLowerCase() === 'charset' && value) charset = value.trim().replace(/^"|"$/g, '');
	}
	return { type: type.trim().toLowerCase(), charset };
}

export function isJsonMediaType(type: string | undefined): boolean {
	return type === 'application/json' || (type !== undefined && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+\+json$/.test(type));
}

function decoder(charset: string | undefined, fatal: boolean): TextDecoder {
	try {
		return new TextDecoder(charset ?? 'utf-8', { fatal });
	} catch {
		// An unknown charset label: UTF-8 is what every supported sender sends anyway.
		return new TextDecoder('utf-8', { fatal });
	}
}

export type ParsedBody = { ok: true; body: unknown } | { ok: false; error: 'invalid_json' | 'invalid_encoding'; message: string };

/**
 * The event body from the verified bytes (never from a host's own parse, which may differ from
 * what was signed). A JSON media type must hold JSON; other bodies are parsed only when they look
 * like a JSON object or array (some senders label JSON text/plain), else kept as text. Either way
 * the bytes must be text in their charset (UTF-8 unless the type says otherwise): broken bytes are
 * refused, never handed to the workflow with U+FFFD in their place.
 */
export function parseWebhookBody(headers: IncomingHttpHeaders, rawBody: Uint8Array): ParsedBody {
	const type = mediaType(headers);
	let text: string;
	try {
		text = decoder(type?.charset, true).decode(rawBody);
	} catch {
		return { ok: false, error: 'invalid_encoding', message: `the body is not valid ${type?.charset ?? 'UTF-8'} text` };
	}
	if (isJsonMediaType(type?.type)) {
		try {
			return { ok: true, body: JSON.parse(text) };
		} catch (error) {
			return { ok: false, error: 'invalid_json', message: `the body is not valid JSON: ${messageOf(error)}` };
		}
	}
	if (/^\s*[[{]/.test(text)) {
		try {
			return { ok: true, body: JSON.parse(text) };
		} catch {
			// Looked like JSON but is not: the text itself is the body.
		}
	}
	return { ok: true, body: text };
}

function record(value: unknown): Record<string, unknown> | undefined {
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function first(value: unknown): Record<string, unknown> | undefined {
	return Array.isArray(value) ? record(value[0]) : undefined;
}

/**
 * A delivery id from a signed body, for the schemes whose headers carry none. Meta retries the
 * same notification, so its first message id (or status id plus the status, since one message
 * goes sent → delivered → read) identifies it; a Stripe event's `id` is what Stripe says to
 * de-duplicate on. Nothing is returned when the body has no such id: then nothing is de-duplicated.
 */
export function bodyDeliveryId(scheme: SignatureScheme, body: unknown): string | undefined {
	let id: unknown;
	if (scheme === 'meta') {
		const value = record(first(first(record(body)?.entry)?.changes)?.value);
		const message = first(value?.messages);
		const status = first(value?.statuses);
		if (typeof message?.id === 'string') id = message.id;
		else if (typeof status?.id === 'string' && typeof status.status === 'string') id = `${status.id}:${status.status}`;
	} else if (scheme === 'stripe') {
		id = record(body)?.id;
	}
	return typeof id === 'string' && isDeliveryId(id) ? id : undefined;
}

/** Header names from a list such as 'content-type, user-agent'; matched case-insensitively. */
export function selectHeaders(headers: IncomingHttpHeaders, names: string | readonly string[]): Record<string, string | string[]> {
	const wanted = typeof names === 'string' ? names.split(/[\s,]+/) : names;
	const selected: Record<string, string | string[]> = {};
	for (const name of wanted) {
		const key = name.trim().toLowerCase();
		if (!key || Object.hasOwn(selected, key)) continue;
		const value = Object.hasOwn(headers, key) ? headers[key] : undefined;
		if (value !== undefined) selected[key] = value;
	}
	return selected;
}

export interface SecretCheck {
	ok: boolean;
	message: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * What the credential's "Test" button says: there is nothing remote to call, so it checks that the
 * secrets are usable the way the sender will use them.
 */
export function checkWebhookSecrets(secretText: string | undefined, verifyToken?: string): SecretCheck {
	const secrets = parseSecretList(secretText);
	if (secrets.length === 0) return { ok: false, message: 'Add at least one secret: the signing secret the sender uses' };
	for (const [index, secret] of secrets.entries()) {
		const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : undefined;
		// A whsec_ secret that is not base64 would be used as plain text, which no Standard Webhooks sender does.
		if (encoded !== undefined && (!BASE64.test(encoded) || encoded.length % 4 === 1)) {
			return { ok: false, message: `Secret ${index + 1} starts with whsec_ but the rest is not base64: check it was copied whole` };
		}
	}
	if (new Set(secrets).size !== secrets.length) return { ok: false, message: 'The same secret is listed twice' };
	const count = secrets.length === 1 ? 'One secret' : `${secrets.length} secrets (the first is the newest)`;
	const token = verifyToken ? ' and a Meta verify token' : '';
	return { ok: true, message: `${count}${token} ready` };
}
