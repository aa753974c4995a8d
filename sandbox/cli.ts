#!/usr/bin/env node
import { Command } from 'commander';
import { z } from 'zod/v4';
import { createLogger } from '../server/logger';
import { DEFAULTS, GRAPH_VERSION } from './options';
import { startSandbox } from './start';
import { renderTemplateDoc } from './template-doc';

/** `50,150,300`: when the sent, delivered and read webhooks go out. */
const delays = z
	.string()
	.transform((value) => value.split(',').map((s) => s.trim()).filter(Boolean).map(Number))
	.pipe(z.array(z.number().int().min(0).max(60_000)).min(1).max(3));

const environment = z.object({
	SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
	SANDBOX_HOST: z.string().trim().min(1).default('127.0.0.1'),
	WHATSAPP_ACCESS_TOKEN: z.string().trim().min(1).optional(),
	WHATSAPP_APP_SECRET: z.string().trim().min(1).optional(),
	WHATSAPP_PHONE_NUMBER_ID: z.string().regex(/^\d+$/, 'must be digits').default(DEFAULTS.phoneNumberId),
	WHATSAPP_BUSINESS_ACCOUNT_ID: z.string().regex(/^\d+$/, 'must be digits').default(DEFAULTS.businessAccountId),
	WHATSAPP_DISPLAY_PHONE_NUMBER: z.string().regex(/^\+?\d{7,15}$/, 'must be a phone number').default(DEFAULTS.displayPhoneNumber),
	WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
	PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
	REVIEW_URL: z.url({ protocol: /^https?$/ }).optional(),
	BOOKING_URL: z.url({ protocol: /^https?$/ }).optional(),
	GRAPH_VERSION: z.string().regex(GRAPH_VERSION, 'must look like v21.0').default(DEFAULTS.graphVersion),
	SANDBOX_STATUS_DELAYS_MS: delays.optional(),
	SANDBOX_STATUS_ORDER: z.enum(['in-order', 'reversed']).default('in-order'),
	SANDBOX_AUTO_READ: z.enum(['true', 'false']).default('true'),
	SANDBOX_REENGAGEMENT: z.enum(['async', 'sync']).default('async'),
	LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

// Development defaults, so `npm run sandbox` works as is; the server listens on loopback only.
const DEVELOPMENT_TOKEN = 'sandbox-access-token';
const DEVELOPMENT_SECRET = 'sandbox-app-secret';

const program = new Command()
	.name('barnum-sandbox')
	.description(
		'A local stand-in for the WhatsApp Cloud API: Meta-like validation, wamids, signed status and message webhooks,\n' +
			'fault injection and phone pages. Configured from the environment (WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET,\n' +
			'WEBHOOK_URL, PUBLIC_BASE_URL, SANDBOX_PORT, …).',
	)
	.showHelpAfterError();

program
	.command('serve', { isDefault: true })
	.description('start the sandbox (default)')
	.action(async () => {
		const parsed = environment.safeParse(process.env);
		if (!parsed.success) {
			const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
			process.stderr.write(`barnum-sandbox: invalid environment: ${problems}\n`);
			process.exit(1);
		}
		const env = parsed.data;
		const logger = createLogger(env.LOG_LEVEL).child({ component: 'whatsapp-sandbox' });
		if (!env.WHATSAPP_ACCESS_TOKEN || !env.WHATSAPP_APP_SECRET) {
			logger.warn(
				{ accessToken: env.WHATSAPP_ACCESS_TOKEN ? 'from WHATSAPP_ACCESS_TOKEN' : DEVELOPMENT_TOKEN, appSecret: env.WHATSAPP_APP_SECRET ? 'from WHATSAPP_APP_SECRET' : DEVELOPMENT_SECRET },
				'using development credentials; set WHATSAPP_ACCESS_TOKEN and WHATSAPP_APP_SECRET to match your n8n credentials',
			);
		}
		const sandbox = await startSandbox({
			port: env.SANDBOX_PORT,
			host: env.SANDBOX_HOST,
			accessToken: env.WHATSAPP_ACCESS_TOKEN ?? DEVELOPMENT_TOKEN,
			appSecret: env.WHATSAPP_APP_SECRET ?? DEVELOPMENT_SECRET,
			phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID,
			businessAccountId: env.WHATSAPP_BUSINESS_ACCOUNT_ID,
			displayPhoneNumber: env.WHATSAPP_DISPLAY_PHONE_NUMBER,
			webhookUrl: env.WEBHOOK_URL,
			publicBaseUrl: env.PUBLIC_BASE_URL,
			reviewUrl: env.REVIEW_URL,
			bookingUrl: env.BOOKING_URL,
			graphVersion: env.GRAPH_VERSION,
			statusDelaysMs: env.SANDBOX_STATUS_DELAYS_MS,
			statusOrder: env.SANDBOX_STATUS_ORDER,
			autoRead: env.SANDBOX_AUTO_READ === 'true',
			reengagement: env.SANDBOX_REENGAGEMENT,
			logger,
		});
		logger.info(
			{ graphUrl: sandbox.graphUrl, phones: `${sandbox.url}/_sandbox/`, phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID, webhookUrl: env.WEBHOOK_URL ?? null },
			'WhatsApp Cloud API sandbox listening',
		);
		const shutdown = (signal: NodeJS.Signals) => {
			logger.info({ signal }, 'shutting down');
			sandbox.stop().then(
				() => process.exit(0),
				(error: Error) => {
					logger.error({ err: error }, 'shutdown failed');
					process.exit(1);
				},
			);
		};
		process.once('SIGINT', shutdown);
		process.once('SIGTERM', shutdown);
	});

program
	.command('docs')
	.description('print docs/whatsapp-templates.md, generated from the template registry')
	.action(() => {
		process.stdout.write(renderTemplateDoc());
	});

program.parseAsync(process.argv).catch((error: Error) => {
	process.stderr.write(`barnum-sandbox: ${error.stack ?? error.message}\n`);
	process.exit(1);
});
