import type { DestinationStream } from 'pino';

/** What LineBatch needs of the stream behind it: pino.destination()'s SonicBoom has all three. */
export interface LineSink {
	write(chunk: string): unknown;
	flush(callback?: (error?: Error) => void): void;
	flushSync(): void;
}

/**
 * Hands log lines to `sink` in chunks of at least `minChars` characters, and whatever has
 * gathered at least every `maxDelayMs` and when the process exits.
 *
 * The same batching SonicBoom does with `minLength`, without its cost: SonicBoom appends each
 * line to its pending string and measures the UTF-8 length of that whole string on every write,
 * so each line flattened and scanned up to 4 kB, about 3 % of an action page's CPU
 * (docs/performance.md). Here a line costs an append and a length.
 */
export class LineBatch implements DestinationStream {
	private pending = '';
	private readonly timer: NodeJS.Timeout;
	private readonly onExit = (): void => this.flushSync();

	constructor(
		private readonly sink: LineSink,
		private readonly minChars = 4096,
		maxDelayMs = 1000,
	) {
		this.timer = setInterval(() => this.drain(), maxDelayMs);
		this.timer.unref();
		// The sink flushes itself at exit too, but only what it has been given: give it the rest.
		process.on('exit', this.onExit);
	}

	write(line: string): void {
		this.pending += line;
		if (this.pending.length >= this.minChars) this.drain();
	}

	/** pino's logger.flush(). */
	flush(callback?: (error?: Error) => void): void {
		this.drain();
		this.sink.flush(callback);
	}

	flushSync(): void {
		this.drain();
		this.sink.flushSync();
	}

	/** Stops the timer and the exit hook, after handing over what is pending. */
	close(): void {
		clearInterval(this.timer);
		process.off('exit', this.onExit);
		this.drain();
	}

	private drain(): void {
		if (this.pending === '') return;
		const chunk = this.pending;
		this.pending = '';
		this.sink.write(chunk);
	}
}
