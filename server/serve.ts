import type { Server } from 'node:http';
import { buildApp } from './build-app';
import type { PushDispatcher } from './dispatcher/dispatcher';
import type { ServerConfig } from './config';
import { type Database, openDatabase } from './db/open-database';
import type { Logger } from './logger';
import { Purger } from './purge';

export interface RunningServer {
	url: string;
	database: Database;
	dispatcher?: PushDispatcher;
	/** The periodic purge; undefined when PURGE_INTERVAL_MINUTES is 0. */
	purger?: Purger;
	/**
	 * Stops accepting, lets in-flight requests finish (for SHUTDOWN_GRACE_SECONDS at most), then
	 * closes the pool and the database.
	 */
	stop(): Promise<void>;
}

export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
	const database = await openDatabase(config, logger);
	let server: Server;
	let dispatcher: PushDispatcher | undefined;
	try {
		const built = buildApp(database.pool, config, logger);
		dispatcher = built.dispatcher;
		const app = built.app;
		server = await new Promise<Server>((resolve, reject) => {
			const s = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(s)));
		});
		if (dispatcher && config.push.continuous) await dispatcher.start({ connectionString: database.listenUrl });
	} catch (error) {
		await dispatcher?.stop();
		await database.close();
		throw error;
	}
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : config.port;
	const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
	logger.info({ url }, 'companion server listening');
	const purger = config.purge.intervalMinutes > 0 ? new Purger(database.pool, config.purge, logger) : undefined;
	purger?.start();

	let stopping: Promise<void> | undefined;
	return {
		url,
		database,
		dispatcher,
		purger,
		stop() {
			stopping ??= (async () => {
				await purger?.stop();
				await dispatcher?.stop();
				await new Promise<void>((resolve) => {
					// A request that never ends (a stalled client, a hung upstream) must not hold the
					// shutdown forever: after the grace period its connection is closed.
					const grace = setTimeout(() => {
						logger.warn({ graceSeconds: config.shutdownGraceMs / 1000 }, 'requests still in flight after the shutdown grace period: closing their connections');
						server.closeAllConnections();
					}, config.shutdownGraceMs);
					server.close(() => {
						clearTimeout(grace);
						resolve();
					});
					// Keep-alive sockets with no request in flight would hold close() open.
					server.closeIdleConnections();
				});
				await database.close();
				logger.info('companion server stopped');
			})();
			return stopping;
		},
	};
}
