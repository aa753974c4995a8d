import { randomBytes } from 'node:crypto';

/**
 * Meta's error catalogue for the codes the sandbox produces, in the shapes the Cloud API uses:
 * the Graph error body of a refused request, and the `errors[]` entry of a `failed` status
 * webhook. Titles, details and HTTP statuses follow Meta's error-code reference
 * (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes); `delivery` says how
 * Meta usually reports the code: `sync` in the response to the send, `async` as a `failed`
 * status webhook after a 200 with a wamid.
 */
export interface MetaErrorInfo {
	title: string;
	details: string;
	httpStatus: number;
	delivery: 'sync' | 'async';
}

export const META_ERRORS: Record<number, MetaErrorInfo> = {
	4: { title: 'Application request limit reached', details: 'The app has reached its API call rate limit.', httpStatus: 400, delivery: 'sync' },
	100: { title: 'Invalid parameter', details: 'Invalid parameter', httpStatus: 400, delivery: 'sync' },
	80007: { title: 'Rate limit issues', details: 'The WhatsApp Business Account has reached its rate limit.', httpStatus: 400, delivery: 'sync' },
	130429: { title: 'Rate limit hit', details: 'Cloud API message throughput has been reached.', httpStatus: 400, delivery: 'sync' },
	131000: { title: 'Something went wrong', details: 'Message failed to send due to an unknown error.', httpStatus: 500, delivery: 'sync' },
	131008: { title: 'Required parameter is missing', details: 'Required parameter is missing', httpStatus: 400, delivery: 'sync' },
	131009: { title: 'Parameter value is not valid', details: 'Parameter value is not valid', httpStatus: 400, delivery: 'sync' },
	131021: { title: 'Recipient cannot be sender', details: 'Sender and recipient phone number is the same.', httpStatus: 400, delivery: 'sync' },
	131026: { title: 'Message undeliverable', details: 'Message Undeliverable.', httpStatus: 400, delivery: 'async' },
	131030: {
		title: 'Recipient phone number not in allowed list',
		details: 'Add recipient phone number to recipient list and try again.',
		httpStatus: 400,
		delivery: 'sync',
	},
	131047: {
		title: 'Re-engagement message',
		details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
		httpStatus: 400,
		delivery: 'async',
	},
	131048: {
		title: 'Spam rate limit hit',
		details:
			'Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam.',
		httpStatus: 400,
		delivery: 'sync',
	},
	131049: {
		title: 'This message was not delivered to maintain healthy ecosystem engagement.',
		details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
		httpStatus: 400,
		delivery: 'async',
	},
	131050: {
		title: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
		details: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
		httpStatus: 400,
		delivery: 'async',
	},
	131051: { title: 'Unsupported message type', details: 'Message type is not currently supported.', httpStatus: 400, delivery: 'sync' },
	131056: {
		title: '(Business Account, Consumer Account) pair rate limit hit',
		details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
		httpStatus: 400,
		delivery: 'sync',
	},
	132000: {
		title: 'Number of parameters does not match the expected number of params',
		details: 'Number of parameters does not match the expected number of params',
		httpStatus: 400,
		delivery: 'sync',
	},
	132001: { title: 'Template name does not exist in the translation', details: 'Template name does not exist in the translation', httpStatus: 404, delivery: 'sync' },
	132005: { title: 'Translated text too long', details: 'Translated text is too long.', httpStatus: 400, delivery: 'sync' },
	132012: {
		title: 'Parameter format does not match format in the created template',
		details: 'Parameter format does not match format in the created template',
		httpStatus: 400,
		delivery: 'sync',
	},
	132015: { title: 'Template is Paused', details: 'Template is paused due to low quality so it cannot be sent in a template message.', httpStatus: 400, delivery: 'sync' },
	132016: { title: 'Template is Disabled', details: 'Template has been paused too many times due to low quality and is now permanently disabled.', httpStatus: 400, delivery: 'sync' },
	133010: { title: 'Account not registered', details: 'Phone number not registered on the WhatsApp Business Platform.', httpStatus: 400, delivery: 'sync' },
};

export const ERROR_CODES_HREF = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';

export interface GraphErrorBody {
	error: {
		message: string;
		type: string;
		code: number;
		error_subcode?: number;
		error_data?: { messaging_product: 'whatsapp'; details: string };
		fbtrace_id: string;
	};
}

/** A refused Graph request: what to answer, and how. */
export interface GraphFailure {
	httpStatus: number;
	body: GraphErrorBody;
	headers?: Record<string, string>;
}

/** The `errors[]` entry of a failed status webhook. */
export interface WebhookError {
	code: number;
	title: string;
	message: string;
	error_data: { details: string };
	href: string;
}

/** Meta's trace ids are opaque base64-ish strings; tests only need them present and distinct. */
export function fbtraceId(): string {
	return `A${randomBytes(16).toString('base64url').slice(0, 22)}`;
}

export function errorInfo(code: number, overrides: { title?: string; details?: string; httpStatus?: number } = {}): MetaErrorInfo {
	const known = META_ERRORS[code] ?? { title: `Error ${code}`, details: `Error ${code}`, httpStatus: 400, delivery: 'sync' as const };
	return {
		...known,
		...(overrides.title ? { title: overrides.title } : {}),
		...(overrides.details ? { details: overrides.details } : {}),
		...(overrides.httpStatus ? { httpStatus: overrides.httpStatus } : {}),
	};
}

/** A WhatsApp error as the send's response: `(#code) title`, with the details beside it. */
export function whatsappError(code: number, details?: string, overrides: { title?: string; httpStatus?: number } = {}): GraphFailure {
	const info = errorInfo(code, { ...overrides, details });
	return {
		httpStatus: info.httpStatus,
		body: {
			error: {
				message: `(#${code}) ${info.title}`,
				type: 'OAuthException',
				code,
				error_data: { messaging_product: 'whatsapp', details: info.details },
				fbtrace_id: fbtraceId(),
			},
		},
	};
}

/** The same error as a failed status webhook reports it. */
export function webhookError(code: number, overrides: { title?: string; details?: string } = {}): WebhookError {
	const info = errorInfo(code, overrides);
	return { code, title: info.title, message: info.title, error_data: { details: info.details }, href: ERROR_CODES_HREF };
}

/** A token that does not parse, or none at all. */
export function invalidToken(): GraphFailure {
	return {
		httpStatus: 401,
		body: { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: fbtraceId() } },
	};
}

/** A token that parsed but has expired (subcode 463), as an injected 190 fault answers. */
export function expiredToken(): GraphFailure {
	return {
		httpStatus: 401,
		body: {
			error: {
				message: 'Error validating access token: Session has expired.',
				type: 'OAuthException',
				code: 190,
				error_subcode: 463,
				fbtrace_id: fbtraceId(),
			},
		},
	};
}

/** Graph's answer for an id that is not a node it knows (a wrong phone_number_id). */
export function unknownObject(id: string, method: 'get' | 'post'): GraphFailure {
	return {
		httpStatus: 400,
		body: {
			error: {
				message:
					`Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, ` +
					'or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api',
				type: 'GraphMethodException',
				code: 100,
				error_subcode: 33,
				fbtrace_id: fbtraceId(),
			},
		},
	};
}

/** Graph's answer for a path it has no route for. */
export function unknownPath(path: string): GraphFailure {
	return {
		httpStatus: 400,
		body: { error: { message: `Unknown path components: ${path}`, type: 'OAuthException', code: 2500, fbtrace_id: fbtraceId() } },
	};
}

/** Graph's generic `(#100)` refusal, with Meta's wording of what is wrong. */
export function invalidParameter(message: string, details?: string): GraphFailure {
	return {
		httpStatus: 400,
		body: {
			error: {
				message: `(#100) ${message}`,
				type: 'OAuthException',
				code: 100,
				...(details ? { error_data: { messaging_product: 'whatsapp' as const, details } } : {}),
				fbtrace_id: fbtraceId(),
			},
		},
	};
}
