import path from 'node:path';
import { z } from 'zod/v4';
import { packageRoot } from '../core/paths';
import { validateAllowlist } from './http/ip-allowlist';
import { parseGuestKeyRing } from '../core/resort/guest-crypto';
import type { CustomOptions } from '../core/signatures/types';
import { loadBookingAuth, type PlatformAuthConfig } from './booking-auth-config';

const postgresUrl = z
	.string()
	.trim()
	.refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

const port = z.coerce
	.number({ error: 'must be a port number from 0 to 65535' })
	.int('must be a port number from 0 to 65535')
	.min(0, 'must be a port number from 0 to 65535')
	.max(65535, 'must be a port number from 0 to 65535');

const booleanFlag = z
	.enum(['true', 'false', '1', '0', 'yes', 'no'])
	.transform((value) => value === 'true' || value === '1' || value === 'yes');

function splitList(value: string): string[] {
	return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Whether proxy-addr (which Express's trust proxy uses too) accepts these addresses and ranges. */
function isAddressList(list: string[]): boolean {
	try {
		validateAllowlist(list);
		return true;
	} catch {
		return false;
	}
}

const addressList = z.string().default('').transform(splitList).refine(isAddressList, 'must be IP addresses or CIDR ranges separated by commas');

// Checked here, not first by Express inside createApp, so a typo gets its own clear message at start.
const trustProxy = z
	.string()
	.trim()
	.default('false')
	.refine(
		(value) => value === 'true' || value === 'false' || /^\d+$/.test(value) || (value !== '' && isAddressList(splitList(value))),
		'must be true, false, the number of proxies in front, or addresses, CIDR ranges or loopback/linklocal/uniquelocal separated by commas',
	);

const environment = z.object({
	PORT: port.default(3000),
	HOST: z.string().trim().min(1).default('127.0.0.1'),
	DATABASE_URL: postgresUrl.optional(),
	// Supabase's name for the same connection string.
	SUPABASE_DB_URL: postgresUrl.optional(),
	VITE_SUPABASE_URL: z.string().optional(),
	SUPABASE_SERVICE_ROLE_KEY: z.string().optional(),
	MIGRATION_DATABASE_URL: postgresUrl.optional(),
	BARNUM_DATA_DIR: z.string().trim().min(1).optional(),
	BARNUM_PG_PORT: port.default(54329),
	BARNUM_AUTO_MIGRATE: booleanFlag.optional(),
	// The appointment contract migrate installs: builtin, seed or a file (docs/database.md).
	BARNUM_CONTRACT: z.string().trim().min(1).optional(),
	// Off behind a pooler in transaction mode that cannot keep prepared statements (PgBouncer < 1.21).
	DATABASE_PREPARED_STATEMENTS: booleanFlag.default(true),
	// `barnum serve` restarts itself with a bounded V8 heap (server/heap-flags.ts) unless this is off.
	BARNUM_HEAP_FLAGS: z.enum(['on', 'off'], 'must be on or off').default('on'),
	LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
	WEBHOOK_SECRET: z.string().trim().min(16, 'must be at least 16 characters (use whsec_… or a long random string)').optional(),
	WEBHOOK_SIGNATURE_SCHEMES: z
		.string()
		.default('standard-webhooks')
		.transform((value) => value.split(',').map((s) => s.trim()).filter(Boolean))
		.pipe(z.array(z.enum(['standard-webhooks', 'barnum-legacy'], 'each must be standard-webhooks or barnum-legacy')).min(1)),
	WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
	INTERNAL_API_SECRET: z.string().trim().min(16, 'must be at least 16 characters').optional(),
	// What Vercel Cron sends as its Bearer token (docs/deploy-vercel-supabase.md); /api/internal accepts it too.
	CRON_SECRET: z.string().trim().min(16, 'must be at least 16 characters').optional(),
	N8N_WEBHOOK_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
	PUSH_DISPATCHER: z.enum(['on', 'off']).default('on'),
	PUSH_EVENT_TYPES: z.string().default(''),
	PUSH_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
	PUSH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
	BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(100 * 1024),
	ACTION_NONCE_SECRET: z.string().trim().min(16, 'must be at least 16 characters').optional(),
	TRUST_PROXY: trustProxy,
	RATE_LIMIT_ACTION_PER_MINUTE: z.coerce.number().int().min(1).default(60),
	RATE_LIMIT_WEBHOOK_PER_MINUTE: z.coerce.number().int().min(1).default(600),
	WEBHOOK_IP_ALLOWLIST: addressList,
	// The resort booking-platform receiver (server/routes/booking-webhook.ts, docs/resort.md).
	BOOKING_WEBHOOK_SECRET: z.string().trim().min(16, 'must be at least 16 characters (use whsec_… or a long random string)').optional(),
	BOOKING_SIGNATURE_SCHEME: z.enum(['standard-webhooks', 'custom'], 'must be standard-webhooks or custom').default('standard-webhooks'),
	BOOKING_SIGNATURE_HEADER: z.string().trim().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a header name').default('x-signature'),
	BOOKING_SIGNATURE_ALGORITHM: z.enum(['sha256', 'sha512'], 'must be sha256 or sha512').default('sha256'),
	BOOKING_SIGNATURE_ENCODING: z.enum(['hex', 'base64'], 'must be hex or base64').default('hex'),
	BOOKING_SIGNATURE_PREFIX: z.string().max(64).optional(),
	BOOKING_TIMESTAMP_HEADER: z.string().trim().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a header name').optional(),
	BOOKING_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
	BOOKING_IP_ALLOWLIST: addressList,
	RATE_LIMIT_BOOKING_PER_MINUTE: z.coerce.number().int().min(1).default(600),
	// Where the bundled details workflow reads a Cloudbeds reservation (getReservation) when the webhook lacks the guest.
	BOOKING_CLOUDBEDS_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://api.cloudbeds.com/api/v1.3'),
	BOOKING_DB_RETRY_DELAY_MS: z.coerce.number().int().min(0).max(30_000).default(500),
	// Housekeeping (server/purge.ts): expired action-link tokens and remembered webhook delivery ids.
	PURGE_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(7 * 24 * 60).default(60),
	SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
	TOKEN_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
	// At least a day: well past any signature tolerance, so a purged id cannot be replayed in time.
	WEBHOOK_DELIVERY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(14),
	GUEST_DATA_KEY: z.string().trim().refine((value) => {
		try {
			return parseGuestKeyRing(value) !== undefined;
		} catch {
			return false;
		}
	}, 'must be 32 random bytes in base64 (openssl rand -base64 32), several separated by commas during a rotation').optional(),
});

export interface ServerConfig {
	port: number;
	host: string;
	database:
		| {
				kind: 'embedded';
				dataDir: string;
				port: number;
				/** MIGRATION_DATABASE_URL given without DATABASE_URL: what `barnum migrate` migrates (see migrationTarget). */
				migrationUrl?: string;
		  }
		| { kind: 'external'; url: string; migrationUrl: string };
	autoMigrate: boolean;
	/** builtin, seed or a contract file; undefined: keep the installed one, else detect (core/db/contract.ts). */
	contract?: string;
	/** Hot queries (the action pages') go as named prepared statements, planned once per connection. */
	preparedStatements: boolean;
	/** `barnum serve` adds DEFAULT_HEAP_FLAGS (server/heap-flags.ts) when the user gave no heap size. */
	heapFlags: boolean;
	logLevel: string;
	webhook: {
		/** Raw secret text (one or more, see core/signatures/secret-list.ts); undefined: /api/webhook refuses all. */
		secrets?: string;
		schemes: Array<'standard-webhooks' | 'barnum-legacy'>;
		toleranceSeconds: number;
		bodyLimitBytes: number;
	};
	internalApiSecret?: string;
	/** Vercel Cron's Bearer token: /api/internal accepts it as it accepts internalApiSecret. */
	cronSecret?: string;
	actionNonceSecret?: string;
	/** Express's "trust proxy": false, true, a hop count, or addresses/CIDRs of the proxies. */
	trustProxy: boolean | number | string;
	rateLimits: { actionPerMinute: number; webhookPerMinute: number };
	webhookIpAllowlist: string[];
	booking: {
		/** Each platform's authentication (BOOKING_<PLATFORM>_AUTH …); undefined: that platform is not configured (503). */
		platforms: PlatformAuthConfig;
		/** Raw secret text; undefined: the booking receiver refuses all. */
		secrets?: string;
		signature: { scheme: 'standard-webhooks' } | { scheme: 'custom'; custom: CustomOptions };
		toleranceSeconds: number;
		ipAllowlist: string[];
		perMinute: number;
		/** The first retry's wait after a transient database fault; doubles after that. */
		retryDelayMs: number;
		/** Platform → API base URL handed to the details workflow (RecordOptions.detailsApi). */
		detailsApi: Record<string, string>;
		bodyLimitBytes: number;
	};
	/** Encrypts guests' phone numbers (core/resort/guest-crypto.ts); undefined: the booking receiver refuses all. */
	guestDataKey?: string;
	/** How long a shutdown waits for requests in flight before it closes their connections. */
	shutdownGraceMs: number;
	purge: {
		/** How often the server purges; 0: never (run `barnum tokens:purge` from a scheduler instead). */
		intervalMinutes: number;
		/** Tokens expired more than this many days ago are deleted. */
		tokenRetentionDays: number;
		/** Webhook delivery ids received more than this many days ago are forgotten. */
		deliveryRetentionDays: number;
	};
	push: {
		/** Where the dispatcher POSTs events (the seed's N8N_WEBHOOK_BASE_URL); undefined: push is off. */
		url?: string;
		continuous: boolean;
		eventTypes: string[];
		batchSize: number;
		timeoutMs: number;
	};
}

export class ConfigError extends Error {}

/** Reads the environment once, at start, and says exactly which variable is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
	const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
	const parsed = environment.safeParse(blanksRemoved);
	if (!parsed.success) {
		const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
		throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
	}
	const e = parsed.data;
	const bookingSignature: ServerConfig['booking']['signature'] =
		e.BOOKING_SIGNATURE_SCHEME === 'custom'
			? {
					scheme: 'custom',
					custom: {
						signatureHeader: e.BOOKING_SIGNATURE_HEADER,
						algorithm: e.BOOKING_SIGNATURE_ALGORITHM,
						encoding: e.BOOKING_SIGNATURE_ENCODING,
						prefix: e.BOOKING_SIGNATURE_PREFIX,
						timestampHeader: e.BOOKING_TIMESTAMP_HEADER,
					},
				}
			: { scheme: 'standard-webhooks' };
	const bookingAuth = loadBookingAuth(blanksRemoved, {
		secrets: e.BOOKING_WEBHOOK_SECRET,
		signature: bookingSignature,
		toleranceSeconds: e.BOOKING_TOLERANCE_SECONDS,
	});
	if (bookingAuth.problems.length > 0) {
		throw new ConfigError(`Invalid configuration:\n${bookingAuth.problems.map((line) => `  ${line}`).join('\n')}`);
	}
	const databaseUrl = e.DATABASE_URL ?? e.SUPABASE_DB_URL;
	if (!databaseUrl && (e.VITE_SUPABASE_URL || e.SUPABASE_SERVICE_ROLE_KEY)) {
		throw new ConfigError(
			'Invalid configuration:\n  DATABASE_URL: Barnum talks to PostgreSQL directly; the Supabase REST URL and keys are not used. ' +
				"Set DATABASE_URL (or SUPABASE_DB_URL) to the project's connection string (Supabase: Project Settings → Database).",
		);
	}
	const database: ServerConfig['database'] = databaseUrl
		? { kind: 'external', url: databaseUrl, migrationUrl: e.MIGRATION_DATABASE_URL ?? databaseUrl }
		: {
				kind: 'embedded',
				dataDir: path.resolve(e.BARNUM_DATA_DIR ?? path.join(packageRoot(), '.data')),
				port: e.BARNUM_PG_PORT,
				migrationUrl: e.MIGRATION_DATABASE_URL,
			};
	return {
		port: e.PORT,
		host: e.HOST,
		database,
		// The embedded database is ours to migrate; someone else's is migrated when they say so.
		autoMigrate: e.BARNUM_AUTO_MIGRATE ?? database.kind === 'embedded',
		contract: e.BARNUM_CONTRACT,
		preparedStatements: e.DATABASE_PREPARED_STATEMENTS,
		heapFlags: e.BARNUM_HEAP_FLAGS === 'on',
		logLevel: e.LOG_LEVEL,
		webhook: {
			secrets: e.WEBHOOK_SECRET,
			schemes: e.WEBHOOK_SIGNATURE_SCHEMES,
			toleranceSeconds: e.WEBHOOK_TOLERANCE_SECONDS,
			bodyLimitBytes: e.BODY_LIMIT_BYTES,
		},
		internalApiSecret: e.INTERNAL_API_SECRET,
		cronSecret: e.CRON_SECRET,
		actionNonceSecret: e.ACTION_NONCE_SECRET,
		trustProxy: e.TRUST_PROXY === 'true' ? true : e.TRUST_PROXY === 'false' ? false : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY,
		rateLimits: { actionPerMinute: e.RATE_LIMIT_ACTION_PER_MINUTE, webhookPerMinute: e.RATE_LIMIT_WEBHOOK_PER_MINUTE },
		webhookIpAllowlist: e.WEBHOOK_IP_ALLOWLIST,
		booking: {
			platforms: bookingAuth.platforms,
			secrets: e.BOOKING_WEBHOOK_SECRET,
			signature: bookingSignature,
			toleranceSeconds: e.BOOKING_TOLERANCE_SECONDS,
			ipAllowlist: e.BOOKING_IP_ALLOWLIST,
			perMinute: e.RATE_LIMIT_BOOKING_PER_MINUTE,
			retryDelayMs: e.BOOKING_DB_RETRY_DELAY_MS,
			detailsApi: { cloudbeds: e.BOOKING_CLOUDBEDS_API_URL.replace(/\/+$/, '') },
			bodyLimitBytes: e.BODY_LIMIT_BYTES,
		},
		guestDataKey: e.GUEST_DATA_KEY,
		shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
		purge: {
			intervalMinutes: e.PURGE_INTERVAL_MINUTES,
			tokenRetentionDays: e.TOKEN_RETENTION_DAYS,
			deliveryRetentionDays: e.WEBHOOK_DELIVERY_RETENTION_DAYS,
		},
		push: {
			url: e.N8N_WEBHOOK_BASE_URL,
			continuous: e.PUSH_DISPATCHER === 'on',
			eventTypes: e.PUSH_EVENT_TYPES.split(',').map((t) => t.trim()).filter(Boolean),
			batchSize: e.PUSH_BATCH_SIZE,
			timeoutMs: e.PUSH_TIMEOUT_MS,
		},
	};
}

/**
 * Where `barnum migrate` applies the migrations: MIGRATION_DATABASE_URL whenever it is set (the
 * owner's login, with or without DATABASE_URL), else DATABASE_URL, else the embedded database of a
 * checkout. Never the embedded database when a URL was given: migrating the wrong database
 * silently leaves the real one behind.
 */
export function migrationTarget(config: ServerConfig): { kind: 'url'; url: string } | { kind: 'embedded'; dataDir: string; port: number } {
	if (config.database.migrationUrl) return { kind: 'url', url: config.database.migrationUrl };
	if (config.database.kind === 'external') return { kind: 'url', url: config.database.url };
	return { kind: 'embedded', dataDir: config.database.dataDir, port: config.database.port };
}
