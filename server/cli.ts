#!/usr/bin/env node
import { Command } from 'commander';
import { MigrationError, migrate } from '../core/db/migrate';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startServer } from './serve';
import { startEmbeddedPostgres } from './db/embedded-postgres';

const program = new Command()
	.name('barnum')
	.description('Barnum companion server: WhatsApp action pages, signed callbacks and the outbox dispatcher.')
	.showHelpAfterError();

program
	.command('serve')
	.description('start the companion server (embedded PostgreSQL unless DATABASE_URL is set)')
	.action(async () => {
		const config = loadConfig();
		const logger = createLogger(config.logLevel);
		const server = await startServer(config, logger);
		let signals = 0;
		const shutdown = (signal: NodeJS.Signals) => {
			signals += 1;
			if (signals > 1) {
				logger.warn({ signal }, 'second signal: exiting now');
				process.exit(1);
			}
			logger.info({ signal }, 'shutting down');
			server.stop().then(
				() => process.exit(0),
				(error: Error) => {
					logger.error({ err: error }, 'shutdown failed');
					process.exit(1);
				},
			);
		};
		process.on('SIGINT', shutdown);
		process.on('SIGTERM', shutdown);
	});

program
	.command('migrate')
	.description('apply the database migrations (MIGRATION_DATABASE_URL, else DATABASE_URL, else the embedded database)')
	.action(async () => {
		const config = loadConfig();
		const logger = createLogger(config.logLevel);
		if (config.database.kind === 'external') {
			const result = await migrate(config.database.migrationUrl, { logger });
			logger.info({ version: result.version, applied: result.applied.map((m) => m.version) }, 'migrated');
			return;
		}
		const embedded = await startEmbeddedPostgres({ baseDir: config.database.dataDir, port: config.database.port, logger });
		try {
			const result = await migrate(embedded.adminUrl, { logger });
			logger.info({ version: result.version, applied: result.applied.map((m) => m.version) }, 'migrated');
		} finally {
			await embedded.stop();
		}
	});

program.parseAsync(process.argv).catch((error: Error) => {
	// A configuration or migration problem is the operator's to fix: say it plainly, no stack.
	const plain = error instanceof ConfigError || error instanceof MigrationError;
	process.stderr.write(`barnum: ${plain ? error.message : error.stack ?? error.message}\n`);
	process.exit(1);
});
