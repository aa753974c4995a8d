import type { FailureKind } from './types';

/**
 * WhatsApp Cloud API error codes (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes)
 * whose retry cannot succeed: the number, the template or the request itself is wrong.
 */
const PERMANENT_WHATSAPP_CODES = new Set([
	100, // invalid parameter
	131008, // required parameter missing
	131009, // parameter value not valid
	131021, // recipient cannot be sender
	131026, // message undeliverable: not a WhatsApp user, or an old app
	131030, // recipient not in the allowed list (test numbers)
	131045, // incorrect certificate
	131047, // re-engagement message: more than 24 h since the customer last replied
	131051, // unsupported message type
	131052, // media download error
	131053, // media upload error
	132000, // template parameter count mismatch
	132001, // template does not exist
	132005, // template hydrated text too long
	132007, // template format character policy violated
	132012, // template parameter format mismatch
	132015, // template paused
	132016, // template disabled
	133010, // phone number not registered
]);

/** Meta telling us to slow down: the recipient is fine, we are too fast. */
const THROTTLING_WHATSAPP_CODES = new Set([
	4, // application request limit
	80007, // WhatsApp Business Account rate limit
	130429, // Cloud API throughput reached
	131048, // spam rate limit
	131056, // too many messages to the same recipient (pair rate limit)
]);

export interface DeliveryError {
	/** HTTP status of the failed request, when there was a response. */
	httpStatus?: number;
	/** Meta's `error.code`. */
	whatsappCode?: number;
	/** Our own verdict before calling out (an invalid E.164 number, a template we do not have). */
	kind?: FailureKind;
}

/**
 * Decides what a failed delivery deserves. Anything not known to be permanent or throttling is
 * transient: retried with backoff, dead-lettered once its retries are spent. Authentication
 * failures (190, 401) are transient on purpose: a rotated token is fixed by an operator, and the
 * events should still be there when it is.
 */
export function classifyFailure(error: DeliveryError): FailureKind {
	if (error.kind) return error.kind;
	if (error.whatsappCode !== undefined) {
		if (PERMANENT_WHATSAPP_CODES.has(error.whatsappCode)) return 'permanent';
		if (THROTTLING_WHATSAPP_CODES.has(error.whatsappCode)) return 'throttled';
	}
	if (error.httpStatus === 429) return 'throttled';
	return 'transient';
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
	if (!value) return undefined;
	const trimmed = value.trim();
	if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed);
	const at = Date.parse(trimmed);
	if (Number.isNaN(at)) return undefined;
	return Math.max(0, Math.ceil((at - now) / 1000));
}
