import type { Logger } from 'pino';
import type { UrlBase } from './templates';

/** How a sandbox behaves; only the access token and the app secret have no default. */
export interface SandboxOptions {
	/** What `Authorization: Bearer …` must carry. */
	accessToken: string;
	/** Signs the webhooks (`X-Hub-Signature-256`), as a Meta app secret does. */
	appSecret: string;
	/** The business phone number's id: the only one `/{phone_number_id}/messages` accepts. */
	phoneNumberId?: string;
	/** The WhatsApp Business Account id: `entry[].id` in webhooks. */
	businessAccountId?: string;
	/** The business number, digits only, as webhooks' `metadata.display_phone_number`. */
	displayPhoneNumber?: string;
	verifiedName?: string;
	/** Where status and message webhooks go; none: they are logged as `no-webhook-url`. */
	webhookUrl?: string;
	/** The Barnum companion server's public base URL: URL buttons' `{PUBLIC_BASE_URL}`. */
	publicBaseUrl?: string;
	/** URL buttons' `{REVIEW_URL}`. */
	reviewUrl?: string;
	/** URL buttons' `{BOOKING_URL}`. */
	bookingUrl?: string;
	/** The Graph version the webhooks are shaped for (any `vN.M` is accepted in request paths). */
	graphVersion?: string;
	/** When each status webhook goes out, in ms after the send: first, second, third. */
	statusDelaysMs?: number[];
	/** `reversed` sends read before delivered before sent, as Meta sometimes does, to test monotonic handling. */
	statusOrder?: 'in-order' | 'reversed';
	/** false: messages stop at delivered until the phone is opened or replies. */
	autoRead?: boolean;
	/** How free text outside the 24-hour window is refused: Meta's way (`async`: 200, then a failed status) or a 400. */
	reengagement?: 'async' | 'sync';
	/** Waits before each webhook retry; the list's length is the number of retries. */
	webhookRetryDelaysMs?: number[];
	webhookTimeoutMs?: number;
	/** The clock for timestamps and the 24-hour window (ms since the epoch). */
	now?: () => number;
	logger?: Logger;
	/** A "try it" button on the phone pages (the local stack's demo booking); none: no button. */
	demo?: SandboxDemo;
	/**
	 * The business's own names for these numbers (digits → name), as its address book has them:
	 * the phone pages show them until the phone writes with a WhatsApp profile name. None: numbers.
	 */
	contactNames?(waIds: string[]): Promise<Record<string, string>>;
}

/**
 * What the phone pages' "try it" button does: something outside the sandbox (the local stack)
 * makes the business send a message to `waId`, and the button lands on that phone's page.
 */
export interface SandboxDemo {
	/** The button's text, e.g. "Book a demo appointment". */
	label: string;
	/** One sentence under the button: what will happen. */
	description: string;
	/** The phone (digits) the message goes to. */
	waId: string;
	/** Does it; resolves with a sentence for the phone page, e.g. what was booked. */
	run(): Promise<string>;
}

/** What can change while the sandbox runs (`PUT /_sandbox/config`). */
export interface SandboxSettings {
	webhookUrl?: string;
	urlBases: Record<UrlBase, string>;
	statusDelaysMs: number[];
	statusOrder: 'in-order' | 'reversed';
	autoRead: boolean;
	reengagement: 'async' | 'sync';
	webhookRetryDelaysMs: number[];
}

/** Who the sandbox is: fixed for its lifetime. */
export interface SandboxIdentity {
	accessToken: string;
	appSecret: string;
	phoneNumberId: string;
	businessAccountId: string;
	displayPhoneNumber: string;
	verifiedName: string;
	graphVersion: string;
	webhookTimeoutMs: number;
}

export const DEFAULTS = {
	phoneNumberId: '100000000000001',
	businessAccountId: '100000000000002',
	displayPhoneNumber: '351210000001',
	verifiedName: 'Barnum Sandbox',
	publicBaseUrl: 'http://127.0.0.1:3000',
	reviewUrl: 'https://search.google.com/local/writereview?placeid=',
	graphVersion: 'v21.0',
	statusDelaysMs: [50, 150, 300],
	webhookRetryDelaysMs: [250, 1000, 4000],
	webhookTimeoutMs: 5000,
} as const;

export const GRAPH_VERSION = /^v\d+\.\d+$/;

export function identityFrom(options: SandboxOptions): SandboxIdentity {
	const graphVersion = options.graphVersion ?? DEFAULTS.graphVersion;
	if (!GRAPH_VERSION.test(graphVersion)) throw new TypeError(`graphVersion must look like v21.0, got ${graphVersion}`);
	if (!options.accessToken) throw new TypeError('accessToken is required');
	if (!options.appSecret) throw new TypeError('appSecret is required');
	return {
		accessToken: options.accessToken,
		appSecret: options.appSecret,
		phoneNumberId: options.phoneNumberId ?? DEFAULTS.phoneNumberId,
		businessAccountId: options.businessAccountId ?? DEFAULTS.businessAccountId,
		displayPhoneNumber: (options.displayPhoneNumber ?? DEFAULTS.displayPhoneNumber).replace(/\D/g, ''),
		verifiedName: options.verifiedName ?? DEFAULTS.verifiedName,
		graphVersion,
		webhookTimeoutMs: options.webhookTimeoutMs ?? DEFAULTS.webhookTimeoutMs,
	};
}

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

export function settingsFrom(options: SandboxOptions): SandboxSettings {
	const publicBaseUrl = withoutTrailingSlash(options.publicBaseUrl ?? DEFAULTS.publicBaseUrl);
	return {
		webhookUrl: options.webhookUrl,
		urlBases: {
			PUBLIC_BASE_URL: publicBaseUrl,
			REVIEW_URL: options.reviewUrl ?? DEFAULTS.reviewUrl,
			BOOKING_URL: options.bookingUrl ?? `${publicBaseUrl}/booking?`,
		},
		statusDelaysMs: [...(options.statusDelaysMs ?? DEFAULTS.statusDelaysMs)],
		statusOrder: options.statusOrder ?? 'in-order',
		autoRead: options.autoRead ?? true,
		reengagement: options.reengagement ?? 'async',
		webhookRetryDelaysMs: [...(options.webhookRetryDelaysMs ?? DEFAULTS.webhookRetryDelaysMs)],
	};
}
