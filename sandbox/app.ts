import express from 'express';
import pino, { type Logger } from 'pino';
import type { SandboxContext } from './context';
import { controlRoutes } from './control';
import { graphRoutes } from './graph';
import { PhoneSimulator, type PhoneInput, type PhoneResult } from './inbound';
import { Lifecycle } from './lifecycle';
import { identityFrom, settingsFrom, type SandboxOptions, type SandboxSettings } from './options';
import { SandboxState, type Fault } from './state';
import { StatusPipeline } from './statuses';
import { WebhookSender } from './webhooks';

/** The same levers as the `/_sandbox/` API, for code that holds the sandbox in-process. */
export interface SandboxControls {
	/** Makes the next `times` sends (to `waId`, or to anyone) fail with `code`. */
	addFault(fault: Omit<Fault, 'id'>): Fault;
	/** The phone `waId` (digits) writes or taps a quick reply. */
	reply(waId: string, input: PhoneInput): PhoneResult;
	/** The phone opens the chat: delivered messages become read. */
	markRead(waId: string): number;
	/** Forgets every message, phone, fault and webhook, and cancels pending webhooks. */
	reset(): void;
	/** Resolves when no status or webhook is pending. */
	idle(): Promise<void>;
	/** Cancels pending work for good (the sandbox is stopping). */
	close(): void;
}

export interface Sandbox {
	app: express.Express;
	state: SandboxState;
	/** Live settings: changing them changes what the next sends and webhooks do. */
	settings: SandboxSettings;
	controls: SandboxControls;
	/** Where the Graph API is, once the caller knows its own address. */
	setBaseUrl(url: string): void;
}

/**
 * A WhatsApp Cloud API stand-in: Meta's send endpoint with Meta's validation and errors, signed
 * status and message webhooks, fault injection, and phone pages to play the customer.
 */
export function createSandbox(options: SandboxOptions): Sandbox {
	const identity = identityFrom(options);
	const settings = settingsFrom(options);
	const logger: Logger = options.logger ?? pino({ level: 'silent' });
	const now = options.now ?? Date.now;
	const state = new SandboxState();
	const lifecycle = new Lifecycle();
	const number = {
		businessAccountId: identity.businessAccountId,
		phoneNumberId: identity.phoneNumberId,
		displayPhoneNumber: identity.displayPhoneNumber,
	};
	const sender = new WebhookSender(
		{
			url: () => settings.webhookUrl,
			appSecret: identity.appSecret,
			retryDelaysMs: () => settings.webhookRetryDelaysMs,
			timeoutMs: identity.webhookTimeoutMs,
		},
		state,
		lifecycle,
		logger,
	);
	const graphMajor = Number(/^v(\d+)/.exec(identity.graphVersion)?.[1]);
	const pipeline = new StatusPipeline(number, settings, graphMajor, state, sender, lifecycle, now, logger);
	const phones = new PhoneSimulator(number, state, sender, pipeline, lifecycle, now, logger);
	const ctx: SandboxContext = { identity, settings, number, state, pipeline, phones, lifecycle, now, logger, demo: options.demo, contactNames: options.contactNames };

	let baseUrl = '';
	const controls: SandboxControls = {
		addFault: (fault) => state.addFault(fault),
		reply: (waId, input) => phones.write(waId, input),
		markRead: (waId) => pipeline.markRead(waId),
		reset() {
			lifecycle.cancel();
			pipeline.reset();
			state.reset();
		},
		idle: () => lifecycle.idle(),
		close: () => lifecycle.cancel(),
	};

	const app = express();
	app.disable('x-powered-by');
	app.get('/', (_req, res) => res.redirect(302, '/_sandbox/'));
	app.use('/_sandbox', controlRoutes(ctx, { reset: controls.reset, graphUrl: () => `${baseUrl}/${identity.graphVersion}` }));
	app.use(graphRoutes(ctx));
	return {
		app,
		state,
		settings,
		controls,
		setBaseUrl(url) {
			baseUrl = url.replace(/\/+$/, '');
		},
	};
}
