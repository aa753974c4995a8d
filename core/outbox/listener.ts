import pg from 'pg';
import type { CoreLogger } from '../db/types';

export const OUTBOX_CHANNEL = 'barnum_outbox';

export interface ListenerOptions {
	connectionString?: string;
	/** pg connection config, when not a URL (n8n credentials). */
	config?: pg.ClientConfig;
	onNotify: () => void;
	/** Called after every (re)connection: notifications sent while disconnected were lost. */
	onReconnect: () => void;
	/** Called when the connection is lost, before reconnecting. */
	onLost?: () => void;
	logger: CoreLogger;
	/** How often the idle connection is checked with a query. */
	healthCheckMs?: number;
}

/**
 * A dedicated LISTEN connection that stays up: checked with a query every few seconds and
 * re-established with backoff when PostgreSQL restarts or the backend is terminated. Polling
 * remains the backstop, so a dead listener delays work by at most the poll interval.
 */
export class OutboxListener {
	private client?: pg.Client;
	private stopped = false;
	private timer?: NodeJS.Timeout;
	private reconnectDelayMs = 100;
	private connecting?: Promise<void>;

	constructor(private readonly options: ListenerOptions) {}

	async start(): Promise<void> {
		this.stopped = false;
		await this.connect();
		this.scheduleHealthCheck();
	}

	get connected(): boolean {
		return this.client !== undefined;
	}

	private connect(): Promise<void> {
		this.connecting ??= this.openClient().finally(() => {
			this.connecting = undefined;
		});
		return this.connecting;
	}

	private async openClient(): Promise<void> {
		const client = new pg.Client({
			...(this.options.config ?? {}),
			...(this.options.connectionString ? { connectionString: this.options.connectionString } : {}),
			application_name: 'barnum-listener',
			keepAlive: true,
		});
		client.on('notification', (message) => {
			if (message.channel === OUTBOX_CHANNEL) this.options.onNotify();
		});
		client.on('error', (error) => this.lost(client, error));
		client.on('end', () => this.lost(client));
		const listening = await client
			.connect()
			.then(() => client.query(`LISTEN ${OUTBOX_CHANNEL}`))
			.then(
				() => undefined,
				async (error: Error) => {
					client.removeAllListeners('end');
					await client.end().catch(() => undefined);
					return error;
				},
			);
		if (listening) return Promise.reject(listening);
		if (this.stopped) {
			await client.end();
			return;
		}
		this.client = client;
		this.reconnectDelayMs = 100;
		this.options.onReconnect();
	}

	private lost(client: pg.Client, error?: Error): void {
		if (this.client !== client) return;
		this.client = undefined;
		if (this.stopped) return;
		this.options.logger.warn({ err: error?.message }, 'outbox listener connection lost; reconnecting');
		this.options.onLost?.();
		this.reconnectSoon();
	}

	private reconnectSoon(): void {
		if (this.stopped) return;
		const delay = this.reconnectDelayMs;
		this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 10_000);
		setTimeout(() => {
			if (this.stopped || this.client) return;
			this.connect().catch((error: Error) => {
				this.options.logger.warn({ err: error.message, retryInMs: this.reconnectDelayMs }, 'outbox listener reconnect failed');
				this.reconnectSoon();
			});
		}, delay).unref();
	}

	private scheduleHealthCheck(): void {
		const every = this.options.healthCheckMs ?? 5_000;
		this.timer = setInterval(() => {
			const client = this.client;
			if (!client) return;
			// A half-open TCP connection raises no event; a query that fails or hangs reveals it.
			const deadline = setTimeout(() => client.end().catch(() => undefined), every);
			client
				.query('SELECT 1')
				.catch((error: Error) => this.lost(client, error))
				.finally(() => clearTimeout(deadline));
		}, every);
		this.timer.unref();
	}

	async stop(): Promise<void> {
		this.stopped = true;
		if (this.timer) clearInterval(this.timer);
		await this.connecting?.catch(() => undefined);
		const client = this.client;
		this.client = undefined;
		await client?.end().catch(() => undefined);
	}
}
