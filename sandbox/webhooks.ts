import { sign } from '../core/signatures';
import type { Logger } from 'pino';
import type { Lifecycle } from './lifecycle';
import type { SandboxState, StatusName, WebhookDelivery } from './state';

/**
 * Sends webhooks as Meta does: a JSON POST signed with the app secret in `X-Hub-Signature-256`,
 * retried with growing delays while the receiver answers anything but 2xx (Meta keeps retrying
 * for up to 7 days; the sandbox gives up after its few configured retries). Every delivery and
 * attempt is logged in the state, so tests can see what the receiver was sent.
 */
export interface WebhookSenderOptions {
	/** Read at send time: the webhook URL can be changed while the sandbox runs. */
	url: () => string | undefined;
	appSecret: string;
	/** Waits before each retry; its length is the number of retries. */
	retryDelaysMs: () => readonly number[];
	timeoutMs: number;
}

/** What Meta's webhook requests identify themselves as. */
const USER_AGENT = 'facebookexternalua';

export class WebhookSender {
	constructor(
		private readonly options: WebhookSenderOptions,
		private readonly state: SandboxState,
		private readonly lifecycle: Lifecycle,
		private readonly logger: Logger,
	) {}

	/** Delivers `payload`, retrying, until accepted, out of retries, or `signal` (a reset) cancels it. */
	async send(
		about: { kind: WebhookDelivery['kind']; wamid: string; status?: StatusName },
		payload: unknown,
		signal: AbortSignal = this.lifecycle.signal,
	): Promise<WebhookDelivery> {
		const body = JSON.stringify(payload);
		const url = this.options.url();
		const delivery = this.state.addDelivery({ ...about, url, body });
		if (!url) {
			delivery.outcome = 'no-webhook-url';
			return delivery;
		}
		const headers = {
			'content-type': 'application/json',
			'user-agent': USER_AGENT,
			...sign('meta', {}, body, { secret: this.options.appSecret }),
		};
		const retries = this.options.retryDelaysMs();
		for (let attempt = 0; ; attempt++) {
			if (signal.aborted) break;
			const status = await this.post(url, headers, body, signal, delivery);
			if (status !== undefined && status >= 200 && status < 300) {
				delivery.outcome = 'delivered';
				return delivery;
			}
			if (attempt >= retries.length) {
				delivery.outcome = 'failed';
				this.logger.warn({ url, kind: about.kind, attempts: delivery.attempts.length }, 'webhook not accepted; giving up');
				return delivery;
			}
			if (!(await this.lifecycle.sleep(retries[attempt], signal))) break;
		}
		delivery.outcome = 'cancelled';
		return delivery;
	}

	/** One attempt; the HTTP status, or undefined when there was no response. */
	private async post(url: string, headers: Record<string, string>, body: string, signal: AbortSignal, delivery: WebhookDelivery): Promise<number | undefined> {
		const at = Date.now();
		try {
			const response = await fetch(url, {
				method: 'POST',
				headers,
				body,
				signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
			});
			// Drain the body so the connection can be reused.
			await response.arrayBuffer();
			delivery.attempts.push({ at, status: response.status });
			return response.status;
		} catch (error) {
			delivery.attempts.push({ at, error: (error as Error).message });
			this.logger.debug({ url, error: (error as Error).message }, 'webhook attempt failed');
			return undefined;
		}
	}
}
