import net from 'node:net';

/** A PostgreSQL that can be "restarted": every connection cut, and none taken until it is back. */
export class RestartableProxy {
	private server?: net.Server;
	private readonly sockets = new Set<net.Socket>();
	port = 0;

	constructor(private readonly target: { host: string; port: number }) {}

	async up(): Promise<void> {
		if (this.server?.listening) return;
		this.server = net.createServer((client) => {
			const upstream = net.connect(this.target);
			for (const socket of [client, upstream]) {
				this.sockets.add(socket);
				socket.on('close', () => this.sockets.delete(socket));
				socket.on('error', () => undefined);
			}
			client.pipe(upstream).pipe(client);
			client.on('close', () => upstream.destroy());
			upstream.on('close', () => client.destroy());
		});
		await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
		this.port = (this.server.address() as net.AddressInfo).port;
	}

	async down(): Promise<void> {
		const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
		for (const socket of this.sockets) socket.destroy();
		await closed;
	}
}

/** A connection URL like `url` that goes through the proxy. */
export function throughProxy(url: string, proxy: RestartableProxy): string {
	const via = new URL(url);
	via.hostname = '127.0.0.1';
	via.port = String(proxy.port);
	return via.toString();
}
