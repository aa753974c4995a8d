import type { IncomingMessage, ServerResponse } from 'node:http';
import type express from 'express';
import pino from 'pino';
import { createPool } from '../../core/db/pool';
import { describeSchemaStatus, schemaStatus } from '../../core/db/schema-version';
import { buildApp } from '../build-app';
import { ConfigError } from '../config';
import { createLogger, type Logger } from '../logger';
import { readBodyFirst } from './read-body';
import { loadServerlessConfig } from './settings';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** The schema is not the one this build expects (or the database cannot be reached): retried on the next request. */
class NotReady extends Error {}

/**
 * The companion server as one serverless function: each instance loads the configuration,
 * opens a small pool and checks the schema on its first request, then answers every route the
 * long-running server answers (vercel.json rewrites every path here). Nothing runs between
 * requests: no LISTEN, no timers, no migrations.
 */
export function createHandler(env: NodeJS.ProcessEnv = process.env): Handler {
	let app: Promise<express.Express> | undefined;
	let logger: Logger | undefined;

	const start = async (): Promise<express.Express> => {
		const { config, poolMax } = loadServerlessConfig(env);
		// One write per line: a batch held for later may never be written once the instance is frozen.
		logger = createLogger(config.logLevel, pino.destination({ dest: 1, sync: true }));
		const pool = createPool(config.database.url, { applicationName: 'barnum-vercel', max: poolMax, logger, preparedStatements: config.preparedStatements });
		try {
			const status = await schemaStatus(pool);
			if (status.state !== 'current') throw new NotReady(`Database not ready: ${describeSchemaStatus(status)}`);
		} catch (error) {
			await pool.end().catch(() => undefined);
			throw error instanceof NotReady ? error : new NotReady('Database not ready: it cannot be reached', { cause: error });
		}
		logger.info({ poolMax, preparedStatements: config.preparedStatements }, 'companion server function ready');
		return buildApp(pool, config, logger, [readBodyFirst(config.webhook.bodyLimitBytes)]).app;
	};

	return (req, res) => {
		app ??= start();
		app.then(
			(ready) => ready(req, res),
			(error: Error) => {
				// A setting is wrong until the deployment changes; a database may come back, so the next request retries.
				if (!(error instanceof ConfigError)) app = undefined;
				refuse(res, error, logger);
			},
		);
	};
}

/** The answer while the function cannot serve: the cause goes to the log, and to the operator in plain words. */
function refuse(res: ServerResponse, error: Error, logger: Logger | undefined): void {
	const misconfigured = error instanceof ConfigError;
	// Before the configuration is read there is no logger yet; stderr reaches Vercel's log all the same.
	if (logger) logger.error({ err: error.cause ?? error }, error.message);
	else process.stderr.write(`barnum: ${error.message}\n`);
	res.statusCode = misconfigured ? 500 : 503;
	res.setHeader('content-type', 'application/json; charset=utf-8');
	res.setHeader('cache-control', 'no-store');
	if (!misconfigured) res.setHeader('retry-after', '5');
	// The configuration message names variables, never their values; the database's is generic.
	res.end(JSON.stringify({ success: false, error: misconfigured ? 'misconfigured' : 'not_ready', message: error.message }));
}

export default createHandler();
