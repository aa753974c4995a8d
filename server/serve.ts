import type { Server } from 'node:http';
import { createApp } from './app';
import type { ServerConfig } from './config';
import { type Database, openDatabase } from './db/open-database';
import type { Logger } from './logger';

export interface RunningServer {
	url: string;
	database: Database;
	/** Stops accepting, lets in-flight requests finish, then closes the pool and the database. */
	stop(): Promise<void>;
}

export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
	const database = await openDatabase(config, logger);
	const app = createApp({ pool: database.pool });
	let server: Server;
	try {
		server = await new Promise<Server>((resolve, reject) => {
			const s = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(s)));
		});
	} catch (error) {
		await database.close();
		throw error;
	}
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : config.port;
	const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
	logger.info({ url }, 'companion server listening');

	let stopping: Promise<void> | undefined;
	return {
		url,
		database,
		stop() {
			stopping ??= (async () => {
				await new Promise<void>((resolve) => {
					server.close(() => resolve());
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
