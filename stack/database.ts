import path from 'node:path';
import type pg from 'pg';
import { migrate } from '../core/db/migrate';
import { createPool, endPool } from '../core/db/pool';
import { ensureAppLogin, withCredentials } from '../server/db/app-login';
import type { CoreLogger } from '../core/db/types';
import { startEmbeddedPostgres } from '../server/db/embedded-postgres';
import { EMBEDDED_APP_LOGIN } from '../server/db/open-database';

export const N8N_LOGIN = 'barnum_n8n';

export type DatabaseChoice =
	| { kind: 'embedded'; baseDir: string; port: number; ephemeral: boolean }
	| { kind: 'external'; url: string; migrationUrl: string; n8nUrl: string };

export interface StackDatabase {
	kind: 'embedded' | 'external';
	/** Owner (embedded: superuser) connection: demo data, tests. */
	admin: pg.Pool;
	/** The companion server's least-privilege login. */
	serverUrl: string;
	/** What n8n's Barnum Postgres credential connects with. */
	n8nUrl: string;
	port?: number;
	pid?: number;
	/** The embedded cluster's folder: the data folder's db/, or where root had to keep it. */
	dataDir?: string;
	/** Ends the pool, then stops the embedded server (after everyone else let go of it). */
	stop(): Promise<void>;
}

/**
 * The embedded PostgreSQL (started in its own process group, migrated, with one login for the
 * server and one for n8n, both members of barnum_app) or the database in DATABASE_URL, migrated.
 */
export async function openStackDatabase(choice: DatabaseChoice, n8nPassword: string, progress: (line: string) => void = () => undefined): Promise<StackDatabase> {
	if (choice.kind === 'external') {
		await migrate(choice.migrationUrl);
		const admin = createPool(choice.url, { applicationName: 'barnum-stack' });
		return { kind: 'external', admin, serverUrl: choice.url, n8nUrl: choice.n8nUrl, stop: () => endPool(admin) };
	}
	const embedded = await startEmbeddedPostgres({
		baseDir: choice.baseDir,
		port: choice.port,
		ephemeral: choice.ephemeral,
		ownProcessGroup: true,
		logger: progressLogger(progress),
	});
	try {
		await migrate(embedded.adminUrl);
		await ensureAppLogin(embedded.adminUrl, { user: EMBEDDED_APP_LOGIN, password: embedded.secrets.appPassword });
		await ensureAppLogin(embedded.adminUrl, { user: N8N_LOGIN, password: n8nPassword });
	} catch (error) {
		await embedded.stop();
		throw error;
	}
	const admin = createPool(embedded.adminUrl, { applicationName: 'barnum-stack' });
	return {
		kind: 'embedded',
		admin,
		serverUrl: withCredentials(embedded.adminUrl, EMBEDDED_APP_LOGIN, embedded.secrets.appPassword),
		n8nUrl: withCredentials(embedded.adminUrl, N8N_LOGIN, n8nPassword),
		port: embedded.port,
		pid: embedded.pid,
		dataDir: path.dirname(embedded.dataDir),
		async stop() {
			await endPool(admin);
			await embedded.stop();
		},
	};
}

/**
 * What the embedded PostgreSQL says about itself (initialising, where its binaries or data had to
 * go) as progress lines; the server's own error lines stay in its log, as n8n's do.
 */
function progressLogger(progress: (line: string) => void): CoreLogger {
	const say = (fields: object, message?: string) => {
		if (message && !('postgres' in fields)) progress(message);
	};
	return { info: say, warn: say, error: say };
}
