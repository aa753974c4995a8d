import { setTimeout as delay } from 'node:timers/promises';

/**
 * The sandbox's background work (status progressions, webhook retries): every wait can be
 * cancelled at once, on `reset()` or `stop()`, and `idle()` tells a test when nothing is left.
 */
export class Lifecycle {
	private controller = new AbortController();
	private readonly pending = new Set<Promise<unknown>>();

	get signal(): AbortSignal {
		return this.controller.signal;
	}

	/**
	 * Waits `ms`; false when the wait was cancelled, so the caller stops instead of acting late.
	 * Work started before a `cancel()` passes the signal it started with, so it stays cancelled.
	 */
	async sleep(ms: number, signal: AbortSignal = this.controller.signal): Promise<boolean> {
		if (signal.aborted) return false;
		if (ms <= 0) return true;
		return delay(ms, true, { signal }).catch(() => false);
	}

	/** Runs `work` in the background, counted by `idle()`; a failure goes to `onError`, never unhandled. */
	track(work: Promise<unknown>, onError: (error: unknown) => void): void {
		const tracked: Promise<unknown> = work.catch(onError).finally(() => this.pending.delete(tracked));
		this.pending.add(tracked);
	}

	/** Resolves once all background work, including work started meanwhile, has finished. */
	async idle(): Promise<void> {
		while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
	}

	/** Cancels every wait and request in flight; later work runs normally. */
	cancel(): void {
		this.controller.abort();
		this.controller = new AbortController();
	}
}
