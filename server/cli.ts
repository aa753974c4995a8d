#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { purgeExpiredTokens } from '../core/action-links/purge';
import { MigrationError, type MigrationResult, migrate } from '../core/db/migrate';
import { BarnumError } from '../core/errors';
import { ConfigError, loadConfig, migrationTarget, type ServerConfig } from './config';
import { startEmbeddedPostgres } from './db/embedded-postgres';
import { type Database, openDatabase } from './db/open-database';
import { PushDispatcher } from './dispatcher/dispatcher';
import { applyDefaultHeapFlags } from './heap-flags';
import { createLogger, type Logger } from './logger';
import { startServer } from './serve';

const program = new Command()
	.name('barnum')
	.description(
		'Barnum companion server: WhatsApp action pages, signed callbacks and the outbox dispatcher.\n' +
			'Configured from the environment (DATABASE_URL, WEBHOOK_SECRET, INTERNAL_API_SECRET, N8N_WEBHOOK_BASE_URL, …);\n' +
			'without DATABASE_URL an embedded PostgreSQL is started in BARNUM_DATA_DIR (default .data).',
	)
	.showHelpAfterError();

/** Runs a one-off command against the configured database, then closes everything. */
async function withDatabase<T>(work: (database: Database, config: ServerConfig, logger: Logger) => Promise<T>): Promise<T> {
	const config = loadConfig();
	const logger = createLogger(config.logLevel);
	const database = await openDatabase(config, logger);
	try {
		return await work(database, config, logger);
	} finally {
		await database.close();
	}
}

program
	.command('serve')
	.description('start the companion server (embedded PostgreSQL unless DATABASE_URL is set)')
	.action(async () => {
		const config = loadConfig();
		// First, before anything starts: this may replace the process with one that has a bounded heap.
		const heap = applyDefaultHeapFlags(config.heapFlags);
		const logger = createLogger(config.logLevel);
		logger.info(heap, 'V8 heap');
		// Listen for Ctrl-C before starting: the embedded database runs in its own process group,
		// so an early Ctrl-C must still stop it through server.stop().
		const starting = startServer(config, logger);
		let signals = 0;
		const shutdown = (signal: NodeJS.Signals) => {
			signals += 1;
			if (signals > 1) {
				logger.warn({ signal }, 'second signal: exiting now');
				process.exit(1);
			}
			logger.info({ signal }, 'shutting down');
			starting.then((server) => server.stop()).then(
				() => process.exit(0),
				(error: Error) => {
					logger.error({ err: error }, 'shutdown failed');
					process.exit(1);
				},
			);
		};
		process.on('SIGINT', shutdown);
		process.on('SIGTERM', shutdown);
		await starting;
	});

program
	.command('migrate')
	.description('apply the database migrations (MIGRATION_DATABASE_URL, else DATABASE_URL, else the embedded database)')
	.option('--contract <contract>', 'the appointment contract to install: builtin, seed, or the path of your own file (docs/database.md); default BARNUM_CONTRACT, else the installed one, else detected')
	.action(async (options: { contract?: string }) => {
		const config = loadConfig();
		const logger = createLogger(config.logLevel);
		const target = migrationTarget(config);
		const contract = options.contract ?? config.contract;
		const report = (result: MigrationResult) =>
			logger.info({ version: result.version, applied: result.applied.map((m) => m.version), contract: result.contract }, 'migrated');
		if (target.kind === 'url') {
			report(await migrate(target.url, { logger, contract }));
			return;
		}
		const embedded = await startEmbeddedPostgres({ baseDir: target.dataDir, port: target.port, logger });
		try {
			report(await migrate(embedded.adminUrl, { logger, contract }));
		} finally {
			await embedded.stop();
		}
	});

program
	.command('dispatch')
	.description('deliver the events due now to N8N_WEBHOOK_BASE_URL once, and print the summary (as POST /api/internal)')
	.action(async () => {
		await withDatabase(async (database, config, logger) => {
			if (!PushDispatcher.configured(config)) {
				throw new ConfigError('dispatch needs N8N_WEBHOOK_BASE_URL (where to deliver) and WEBHOOK_SECRET (to sign)');
			}
			const dispatcher = new PushDispatcher(database.pool, { ...config.push, secrets: config.webhook.secrets, guestDataKey: config.guestDataKey }, logger);
			const summary = await dispatcher.runOnce();
			process.stdout.write(`${JSON.stringify({ success: !summary.endpointGone, ...summary }, null, 2)}\n`);
		});
	});

function wholeNumber(value: string): number {
	if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number of days');
	return Number(value);
}

program
	.command('tokens:purge')
	.description('delete action-link tokens that expired more than --older-than-days ago')
	.option('--older-than-days <days>', 'keep recently expired tokens this long (for support questions)', wholeNumber, 30)
	.action(async (options: { olderThanDays: number }) => {
		await withDatabase(async (database) => {
			const removed = await purgeExpiredTokens(database.pool, options.olderThanDays);
			process.stdout.write(`${JSON.stringify({ removed })}\n`);
		});
	});

program.parseAsync(process.argv).catch((error: Error) => {
	// A configuration, migration or input problem is the operator's to fix: say it plainly, no stack.
	const plain = error instanceof ConfigError || error instanceof MigrationError || error instanceof BarnumError;
	process.stderr.write(`barnum: ${plain ? error.message : (error.stack ?? error.message)}\n`);
	process.exit(1);
});
