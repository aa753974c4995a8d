import path from 'node:path';
import { z } from 'zod/v4';
import { E164 } from '../core/contacts';
import { defaultDataDir } from './data-dir';
import { StackError } from './run';

/** What `npm start` runs and where; read from the environment by readStackOptions. */
export interface StackOptions {
	dataDir: string;
	/** Throwaway (tests): fsync off, nothing remembered between runs matters. */
	ephemeral: boolean;
	/** 0: any free port. postgres undefined: the one the last run used, else any free one. */
	ports: { server: number; sandbox: number; n8n: number; postgres?: number };
	database: { kind: 'embedded' } | { kind: 'external'; url: string; migrationUrl: string; n8nUrl: string };
	demoData: boolean;
	/** The demo patient's phone (E.164); default +351912345678. */
	demoPhone?: string;
	whatsapp:
		| { kind: 'sandbox' }
		| { kind: 'cloud'; accessToken: string; phoneNumberId: string; baseUrl: string; appSecret?: string; verifyToken?: string };
	n8n: { kind: 'local' } | { kind: 'remote'; url: string; apiKey?: string };
	/**
	 * The local n8n in queue mode: a Redis, n8n's own data in PostgreSQL (a database of its own in
	 * the embedded cluster, or ownDatabaseUrl), one main instance and `workers` workers.
	 */
	queue?: { workers: number; ownDatabaseUrl?: string; concurrency?: number };
	logLevel: string;
	/** Extra companion-server environment (RATE_LIMIT_…, …), over what the stack sets. */
	serverEnv?: Record<string, string>;
	/**
	 * The mail server the team notifications workflow sends through (its Barnum Team SMTP
	 * credential). Default: 127.0.0.1:1025, where a local mail catcher such as Mailpit listens;
	 * nothing is sent at all until a team email is set in barnum_settings.
	 */
	smtp?: { host: string; port: number; user?: string; password?: string; secure?: boolean };
	/** Extra n8n environment. */
	n8nEnv?: Record<string, string>;
	owner?: { email: string; firstName: string; lastName: string };
}

const port = z.coerce.number().int().min(0).max(65535);
const postgresUrl = z
	.string()
	.trim()
	.refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const environment = z.object({
	BARNUM_DATA_DIR: z.string().trim().min(1).optional(),
	PORT: port.default(3979),
	SANDBOX_PORT: port.default(3980),
	N8N_PORT: port.default(5678),
	BARNUM_PG_PORT: port.optional(),
	DATABASE_URL: postgresUrl.optional(),
	SUPABASE_DB_URL: postgresUrl.optional(),
	MIGRATION_DATABASE_URL: postgresUrl.optional(),
	BARNUM_N8N_DATABASE_URL: postgresUrl.optional(),
	BARNUM_DEMO_DATA: flag.optional(),
	BARNUM_DEMO_PHONE: z.string().trim().regex(E164, 'must be a phone number in E.164 form, such as +351912345678').optional(),
	WHATSAPP_ACCESS_TOKEN: z.string().trim().min(1).optional(),
	WHATSAPP_PHONE_NUMBER_ID: z.string().trim().regex(/^\d+$/, 'must be digits').optional(),
	WHATSAPP_BASE_URL: httpUrl.default('https://graph.facebook.com'),
	WHATSAPP_APP_SECRET: z.string().trim().min(1).optional(),
	WHATSAPP_VERIFY_TOKEN: z.string().trim().min(1).optional(),
	SMTP_HOST: z.string().trim().min(1).default('127.0.0.1'),
	SMTP_PORT: port.default(1025),
	SMTP_USER: z.string().optional(),
	SMTP_PASSWORD: z.string().optional(),
	SMTP_SECURE: flag.optional(),
	N8N_URL: httpUrl.optional(),
	N8N_API_KEY: z.string().trim().min(1).optional(),
	BARNUM_N8N_MODE: z.enum(['regular', 'queue']).default('regular'),
	BARNUM_N8N_WORKERS: z.coerce.number().int().min(1).max(16).default(2),
	BARNUM_N8N_OWN_DATABASE_URL: postgresUrl.optional(),
	LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

/** The stack's options from the environment; says which variable is wrong and why. */
export function readStackOptions(env: NodeJS.ProcessEnv = process.env): StackOptions {
	const parsed = environment.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
	if (!parsed.success) {
		throw new StackError(`Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
	}
	const e = parsed.data;
	const databaseUrl = e.DATABASE_URL ?? e.SUPABASE_DB_URL;
	if (e.BARNUM_N8N_MODE === 'queue' && e.N8N_URL) {
		throw new StackError('Invalid configuration:\n  BARNUM_N8N_MODE: queue mode is for the n8n that npm start runs; N8N_URL names an n8n of yours (run it in queue mode yourself)');
	}
	if (e.BARNUM_N8N_MODE === 'queue' && databaseUrl && !e.BARNUM_N8N_OWN_DATABASE_URL) {
		throw new StackError(
			"Invalid configuration:\n  BARNUM_N8N_OWN_DATABASE_URL: with DATABASE_URL, queue mode needs a PostgreSQL database for n8n's own data (postgres://user:password@host:5432/n8n)",
		);
	}
	if (Boolean(e.WHATSAPP_ACCESS_TOKEN) !== Boolean(e.WHATSAPP_PHONE_NUMBER_ID)) {
		throw new StackError('Invalid configuration:\n  WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID: set both to use the real WhatsApp Cloud API, or neither for the sandbox');
	}
	return {
		dataDir: path.resolve(e.BARNUM_DATA_DIR ?? defaultDataDir()),
		ephemeral: false,
		ports: { server: e.PORT, sandbox: e.SANDBOX_PORT, n8n: e.N8N_PORT, postgres: e.BARNUM_PG_PORT },
		database: databaseUrl
			? { kind: 'external', url: databaseUrl, migrationUrl: e.MIGRATION_DATABASE_URL ?? databaseUrl, n8nUrl: e.BARNUM_N8N_DATABASE_URL ?? databaseUrl }
			: { kind: 'embedded' },
		// Demo patients go into the embedded database only, unless asked: DATABASE_URL may be real.
		demoData: e.BARNUM_DEMO_DATA ?? !databaseUrl,
		demoPhone: e.BARNUM_DEMO_PHONE,
		whatsapp:
			e.WHATSAPP_ACCESS_TOKEN && e.WHATSAPP_PHONE_NUMBER_ID
				? {
						kind: 'cloud',
						accessToken: e.WHATSAPP_ACCESS_TOKEN,
						phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID,
						baseUrl: e.WHATSAPP_BASE_URL.replace(/\/+$/, ''),
						appSecret: e.WHATSAPP_APP_SECRET,
						verifyToken: e.WHATSAPP_VERIFY_TOKEN,
					}
				: { kind: 'sandbox' },
		n8n: e.N8N_URL ? { kind: 'remote', url: e.N8N_URL.replace(/\/+$/, ''), apiKey: e.N8N_API_KEY } : { kind: 'local' },
		queue: e.BARNUM_N8N_MODE === 'queue' ? { workers: e.BARNUM_N8N_WORKERS, ownDatabaseUrl: e.BARNUM_N8N_OWN_DATABASE_URL } : undefined,
		logLevel: e.LOG_LEVEL,
		smtp: { host: e.SMTP_HOST, port: e.SMTP_PORT, user: e.SMTP_USER, password: e.SMTP_PASSWORD, secure: e.SMTP_SECURE },
	};
}
