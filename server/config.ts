import path from 'node:path';
import { z } from 'zod/v4';
import { packageRoot } from '../core/paths';

const postgresUrl = z
	.string()
	.trim()
	.refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

const booleanFlag = z
	.enum(['true', 'false', '1', '0', 'yes', 'no'])
	.transform((value) => value === 'true' || value === '1' || value === 'yes');

const environment = z.object({
	PORT: z.coerce.number().int().min(0).max(65535).default(3000),
	HOST: z.string().trim().min(1).default('127.0.0.1'),
	DATABASE_URL: postgresUrl.optional(),
	MIGRATION_DATABASE_URL: postgresUrl.optional(),
	BARNUM_DATA_DIR: z.string().trim().min(1).optional(),
	BARNUM_PG_PORT: z.coerce.number().int().min(0).max(65535).default(54329),
	BARNUM_AUTO_MIGRATE: booleanFlag.optional(),
	LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface ServerConfig {
	port: number;
	host: string;
	database:
		| { kind: 'embedded'; dataDir: string; port: number }
		| { kind: 'external'; url: string; migrationUrl: string };
	autoMigrate: boolean;
	logLevel: string;
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
	const database: ServerConfig['database'] = e.DATABASE_URL
		? { kind: 'external', url: e.DATABASE_URL, migrationUrl: e.MIGRATION_DATABASE_URL ?? e.DATABASE_URL }
		: { kind: 'embedded', dataDir: path.resolve(e.BARNUM_DATA_DIR ?? path.join(packageRoot(), '.data')), port: e.BARNUM_PG_PORT };
	return {
		port: e.PORT,
		host: e.HOST,
		database,
		// The embedded database is ours to migrate; someone else's is migrated when they say so.
		autoMigrate: e.BARNUM_AUTO_MIGRATE ?? database.kind === 'embedded',
		logLevel: e.LOG_LEVEL,
	};
}
