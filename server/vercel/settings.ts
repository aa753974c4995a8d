import { tmpdir } from 'node:os';
import { z } from 'zod/v4';
import { ConfigError, loadConfig, type ServerConfig } from '../config';

export interface ServerlessConfig {
	config: ServerConfig & { database: { kind: 'external' } };
	/** Connections one function instance may hold (DATABASE_POOL_MAX). */
	poolMax: number;
}

const poolMax = z.coerce
	.number({ error: 'must be a whole number from 1 to 5' })
	.int('must be a whole number from 1 to 5')
	.min(1, 'must be a whole number from 1 to 5')
	.max(5, 'must be a whole number from 1 to 5');

const enabled = (value: string | undefined) => value !== undefined && ['true', '1', 'yes'].includes(value.trim());

/**
 * The configuration of the companion server as a serverless function (Vercel): the same
 * variables as `barnum serve`, refusing, with one line each, what cannot work where nothing
 * outlives a request — an embedded database, migrations at start, the continuous (LISTEN) push
 * dispatcher, the periodic purge. Prepared statements are off unless asked for, since the
 * function reaches PostgreSQL through a pooler in transaction mode.
 */
export function loadServerlessConfig(env: NodeJS.ProcessEnv): ServerlessConfig {
	const given = (name: string) => (env[name] ?? '').trim() !== '';
	const config = loadConfig({
		...env,
		DATABASE_PREPARED_STATEMENTS: given('DATABASE_PREPARED_STATEMENTS') ? env.DATABASE_PREPARED_STATEMENTS : 'false',
		// Without a database URL loadConfig would look for the embedded database's folder in the
		// package, which a function bundle does not carry; that case is refused below anyway.
		BARNUM_DATA_DIR: env.BARNUM_DATA_DIR || tmpdir(),
	});
	const problems: string[] = [];
	if (config.database.kind !== 'external') {
		problems.push(
			'DATABASE_URL: required in a serverless function, which has no disk to run an embedded PostgreSQL on. ' +
				"Set it (or SUPABASE_DB_URL) to Supabase's transaction pooler connection string (port 6543).",
		);
	}
	if (!config.actionNonceSecret) {
		problems.push(
			"ACTION_NONCE_SECRET: required in a function. Without it each instance signs the action pages' forms with a random key of its own, " +
				'and a button press that reaches another instance is refused. Set 16+ random characters (openssl rand -base64 32).',
		);
	}
	if (env.PUSH_DISPATCHER?.trim() === 'on') {
		problems.push(
			'PUSH_DISPATCHER: "on" keeps a LISTEN connection and a timer alive between requests, which a function cannot. ' +
				'Leave it unset (or off): Vercel Cron calls /api/internal instead (vercel.json "crons").',
		);
	}
	if (enabled(env.BARNUM_AUTO_MIGRATE)) {
		problems.push(
			'BARNUM_AUTO_MIGRATE: migrations do not run from a function (every cold start would attempt them, through a pooler that cannot hold their lock). ' +
				"Run `barnum migrate` once per release with MIGRATION_DATABASE_URL set to Supabase's session-mode connection string.",
		);
	}
	if (given('PURGE_INTERVAL_MINUTES') && config.purge.intervalMinutes > 0) {
		problems.push(
			'PURGE_INTERVAL_MINUTES: a periodic purge needs a timer that outlives requests, which a function has not. ' +
				'Leave it unset: Vercel Cron calls /api/internal/purge once a day instead (vercel.json "crons").',
		);
	}
	const pool = poolMax.default(2).safeParse(given('DATABASE_POOL_MAX') ? env.DATABASE_POOL_MAX : undefined);
	if (!pool.success) problems.push(`DATABASE_POOL_MAX: ${pool.error.issues[0].message}`);
	if (problems.length > 0 || !pool.success || config.database.kind !== 'external') {
		throw new ConfigError(`Invalid configuration for a serverless function:\n${problems.map((p) => `  ${p}`).join('\n')}`);
	}
	return { config: config as ServerlessConfig['config'], poolMax: pool.data };
}
