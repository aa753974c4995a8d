import type { Server } from 'node:http';
import { createSandbox, type SandboxControls } from './app';
import type { SandboxOptions, SandboxSettings } from './options';
import type { SandboxState } from './state';

export interface StartOptions extends SandboxOptions {
	/** 0 (the default) picks a free port. */
	port?: number;
	host?: string;
}

export interface RunningSandbox {
	/** e.g. http://127.0.0.1:3100 */
	url: string;
	/** What a client uses as its Graph API base URL, e.g. http://127.0.0.1:3100/v21.0 */
	graphUrl: string;
	state: SandboxState;
	settings: SandboxSettings;
	controls: SandboxControls;
	/** Cancels pending webhooks, stops accepting, and closes the server. */
	stop(): Promise<void>;
}

/** Starts a sandbox listening on `host:port` (loopback and a free port by default). */
export async function startSandbox(options: StartOptions): Promise<RunningSandbox> {
	const sandbox = createSandbox(options);
	const host = options.host ?? '127.0.0.1';
	const server = await new Promise<Server>((resolve, reject) => {
		const s = sandbox.app.listen(options.port ?? 0, host, (error?: Error) => (error ? reject(error) : resolve(s)));
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : options.port;
	const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
	sandbox.setBaseUrl(url);
	const graphVersion = options.graphVersion ?? 'v21.0';

	let stopping: Promise<void> | undefined;
	return {
		url,
		graphUrl: `${url}/${graphVersion}`,
		state: sandbox.state,
		settings: sandbox.settings,
		controls: sandbox.controls,
		stop() {
			stopping ??= (async () => {
				sandbox.controls.close();
				await sandbox.controls.idle();
				await new Promise<void>((resolve) => {
					server.close(() => resolve());
					// Keep-alive sockets with no request in flight would hold close() open.
					server.closeIdleConnections();
				});
			})();
			return stopping;
		},
	};
}
