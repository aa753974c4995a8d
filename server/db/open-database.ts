import type pg from 'pg';
import { ensureAppLogin, withCredentials } from './app-login';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { migrate } from '../../core/db/migrate';
import { createPool, endPool } from '../../core/db/pool';
import { contractProblems } from '../../core/db/contract-problems';
import { describeSchemaStatus, schemaStatus } from '../../core/db/schema-version';
import type { CoreLogger } from '../../core/db/types';
import type { ServerConfig } from '../config';

export interface Database {
	pool: pg.Pool;
	/** Where a LISTEN connection (the push dispatcher's) should connect: the same login as the pool. */
	listenUrl: string;
	/** Set when the database is the embedded one this process started. */
	embedded?: EmbeddedPostgres;
	close(): Promise<void>;
}

export const EMBEDDED_APP_LOGIN = 'barnum_server';

/**
 * Opens the database the configuration names: the embedded PostgreSQL (started, migrated, and
 * given a least-privilege login) or the server in DATABASE_URL (migrated only when asked, and
 * refused when its schema does not match this Barnum).
 */
export async function openDatabase(config: ServerConfig, logger: CoreLogger): Promise<Database> {
	let embedded: EmbeddedPostgres | undefined;
	let appUrl: string;
	try {
		if (config.database.kind === 'embedded') {
			embedded = await startEmbeddedPostgres({
				baseDir: config.database.dataDir,
				port: config.database.port,
				// Ctrl-C reaches the server alone; close() stops the database after the pool.
				ownProcessGroup: true,
				logger,
			});
			logger.info({ port: embedded.port, dataDir: config.database.dataDir }, 'embedded PostgreSQL started');
			await runMigrations(embedded.adminUrl, config.contract, logger);
			await ensureAppLogin(embedded.adminUrl, { user: EMBEDDED_APP_LOGIN, password: embedded.secrets.appPassword });
			appUrl = withCredentials(embedded.adminUrl, EMBEDDED_APP_LOGIN, embedded.secrets.appPassword);
		} else {
			if (config.autoMigrate) await runMigrations(config.database.migrationUrl, config.contract, logger);
			appUrl = config.database.url;
		}
		const pool = createPool(appUrl, { applicationName: 'barnum-server', logger, preparedStatements: config.preparedStatements });
		try {
			await checkDatabase(pool, logger);
		} catch (error) {
			await pool.end();
			throw error;
		}
		return {
			pool,
			listenUrl: appUrl,
			embedded,
			async close() {
				// All connections closed before the embedded server stops, so none is cut.
				await endPool(pool);
				await embedded?.stop();
			},
		};
	} catch (error) {
		await embedded?.stop();
		throw error;
	}
}

async function runMigrations(url: string, contract: string | undefined, logger: CoreLogger): Promise<void> {
	const result = await migrate(url, { logger, contract });
	logger.info({ version: result.version, applied: result.applied.map((m) => m.version) }, 'database schema ready');
}

async function checkDatabase(pool: pg.Pool, logger: CoreLogger): Promise<void> {
	const status = await schemaStatus(pool);
	if (status.state !== 'current') throw new Error(`Database not ready: ${describeSchemaStatus(status)}`);
	const problems = await contractProblems(pool);
	if (problems.length > 0) logger.warn({ problems }, 'the appointment contract does not hold: /readyz answers 503 until it does (docs/database.md)');
	const role = await pool.query<{ rolname: string; rolsuper: boolean; member: boolean }>(
		"SELECT rolname, rolsuper, pg_has_role(current_user, 'barnum_app', 'MEMBER') AS member FROM pg_roles WHERE rolname = current_user",
	);
	const me = role.rows[0];
	if (me && (me.rolsuper || !me.member)) {
		logger.warn(
			{ role: me.rolname },
			'the server is connected as a role that is a superuser or not a member of barnum_app; use a least-privilege login (docs/database.md)',
		);
	}
}
