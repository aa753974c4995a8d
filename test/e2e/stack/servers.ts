import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../../server/config';
import { createLogger } from '../../../server/logger';
import { startServer, type RunningServer } from '../../../server/serve';
import { companionServerEnv, type LocalStack } from '../../../stack/stack';

/**
 * One more companion server of the stack's deployment: same database, same secrets (the stack's
 * own, or `env` over them), a port of its own — what a second machine behind the load balancer runs.
 */
export async function startAnotherServer(local: LocalStack, env: Record<string, string> = {}): Promise<RunningServer> {
	const level = env.LOG_LEVEL ?? local.options.logLevel;
	return startServer(loadConfig(companionServerEnv(local, 0, env)), createLogger(level));
}

export interface Balancer {
	url: string;
	/** Which target answered each request, in order (its index in `targets`). */
	served: number[];
	stop(): Promise<void>;
}

/**
 * A small round-robin load balancer in front of several servers, as nginx or a cloud balancer
 * would be: each request goes to the next target, with X-Forwarded-For/-Proto/-Host added
 * (the servers trust it with TRUST_PROXY=loopback).
 */
export async function startBalancer(targets: string[]): Promise<Balancer> {
	let next = 0;
	const served: number[] = [];
	const agent = new http.Agent({ keepAlive: true });
	const proxy = http.createServer((req, res) => {
		const index = next++ % targets.length;
		served.push(index);
		const target = new URL(req.url ?? '/', targets[index]);
		const forwarded = req.headers['x-forwarded-for'];
		const client = req.socket.remoteAddress ?? '';
		const upstream = http.request(
			target,
			{
				method: req.method,
				agent,
				headers: {
					...req.headers,
					host: target.host,
					'x-forwarded-for': forwarded ? `${forwarded}, ${client}` : client,
					'x-forwarded-proto': 'http',
					'x-forwarded-host': req.headers.host ?? '',
				},
			},
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', () => {
			if (!res.headersSent) res.writeHead(502);
			res.end();
		});
		req.pipe(upstream);
	});
	await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	const { port } = proxy.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		served,
		async stop() {
			agent.destroy();
			proxy.closeAllConnections();
			await new Promise<void>((resolve) => proxy.close(() => resolve()));
		},
	};
}
