import { spawn, type SpawnOptions } from 'node:child_process';

/** Runs a command to completion; rejects with its output when it fails. */
export function run(command: string, args: string[], options: SpawnOptions & { quiet?: boolean } = {}): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout?.on('data', (chunk: Buffer) => {
			output += chunk.toString();
		});
		child.stderr?.on('data', (chunk: Buffer) => {
			const text = chunk.toString();
			output += text;
			// Long steps (the n8n install) report progress on stderr: let the person watching see it.
			if (!options.quiet) process.stderr.write(text.split('\n').filter((l) => l.includes('n8n-install:')).map((l) => `${l}\n`).join(''));
		});
		child.on('error', reject);
		child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.slice(-4000)}`))));
	});
}

export async function until<T>(probe: () => Promise<T | undefined | null | false>, what: string, ms = 30_000, every = 100): Promise<T> {
	const deadline = Date.now() + ms;
	let last: unknown;
	for (;;) {
		try {
			const value = await probe();
			if (value) return value;
		} catch (error) {
			last = error;
		}
		if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
		await new Promise((r) => setTimeout(r, every));
	}
}
