import { spawn, type SpawnOptions } from 'node:child_process';

export interface RunOptions extends SpawnOptions {
	/** Output is kept for the result only; otherwise `n8n-install:` progress lines go to `progress`. */
	quiet?: boolean;
	/** Where progress lines go, one whole line a call; default: stderr. */
	progress?(line: string): void;
	/** Aborting kills the command and everything it started (it runs in its own process group). */
	abort?: AbortSignal;
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
	const { quiet, abort, progress = (line: string) => process.stderr.write(`${line}\n`), ...spawnOptions } = options;
	return new Promise((resolve, reject) => {
		if (abort?.aborted) return reject(new StackStopped());
		// Its own process group: a Ctrl-C at the terminal reaches only Barnum, which decides what to
		// stop and in which order, and aborting can end the whole tree (npm and its children).
		const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		let output = '';
		// A chunk can end mid-line: the rest of the line waits here for the next one.
		let partial = '';
		const onAbort = () => {
			try {
				if (child.pid) process.kill(-child.pid, 'SIGTERM');
			} catch {
				// Already gone.
			}
		};
		abort?.addEventListener('abort', onAbort, { once: true });
		child.stdout?.on('data', (chunk: Buffer) => {
			output += chunk.toString();
		});
		child.stderr?.on('data', (chunk: Buffer) => {
			const text = chunk.toString();
			output += text;
			if (quiet) return;
			// Long steps (the n8n install) report progress on stderr: let the person watching see it.
			const lines = (partial + text).split('\n');
			partial = lines.pop()!;
			for (const line of lines) if (line.includes('n8n-install:')) progress(line);
		});
		child.on('error', reject);
		child.on('close', (code) => {
			abort?.removeEventListener('abort', onAbort);
			if (abort?.aborted) return reject(new StackStopped());
			if (code === 0) return resolve(output);
			reject(new StackError(`${command} ${args.join(' ')} exited ${code}:\n${output.slice(-4000)}`));
		});
	});
}

/** Polls `probe` until it returns something truthy. */
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
		if (Date.now() > deadline) throw new StackError(`timed out after ${ms} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
		await delay(every);
	}
}

export function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A problem the person running the stack can act on: printed as is, without a stack trace. */
export class StackError extends Error {
	override name = 'StackError';
}

/** The stack was asked to stop while it was starting. */
export class StackStopped extends Error {
	override name = 'StackStopped';
	constructor() {
		super('stopped while starting');
	}
}
