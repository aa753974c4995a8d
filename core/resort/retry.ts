/**
 * Retrying work whose database failure is worth retrying: the connection dropped, the server is
 * restarting, or PostgreSQL chose this transaction as a serialization or deadlock victim. A
 * constraint violation or a permission error would fail again identically, so it is not retried.
 */

/** SQLSTATE classes and codes that mean "try again" (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const TRANSIENT_SQLSTATES = new Set([
	'40001', // serialization_failure
	'40P01', // deadlock_detected
	'55P03', // lock_not_available
	'57P01', // admin_shutdown
	'57P02', // crash_shutdown
	'57P03', // cannot_connect_now
	'53300', // too_many_connections
	'53400', // configuration_limit_exceeded
]);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// node-postgres reports a lost connection or an exhausted pool with a message and no code.
const TRANSIENT_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i;

export function isTransientDatabaseError(error: unknown): boolean {
	const e = error as { code?: unknown; message?: unknown } | null;
	const code = typeof e?.code === 'string' ? e.code : undefined;
	if (code && (code.startsWith('08') || TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NODE_CODES.has(code))) return true;
	return typeof e?.message === 'string' && TRANSIENT_MESSAGES.test(e.message);
}

export interface RetryOptions {
	/** Attempts in all, the first included. Default 3. */
	attempts?: number;
	/** The wait before the second attempt; it doubles after that (±20 % jitter). Default 500 ms. */
	baseDelayMs?: number;
	/** Injected by tests, to run without waiting. */
	sleep?: (ms: number) => Promise<void>;
	/** Told about each failed attempt that will be retried (for logs and metrics). */
	onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` until it succeeds, fails for good, or has used its attempts; rejects with the last error. */
export async function withDatabaseRetry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
	const attempts = Math.max(1, options.attempts ?? 3);
	const base = options.baseDelayMs ?? 500;
	const sleep = options.sleep ?? pause;
	for (let attempt = 1; ; attempt++) {
		const outcome = await work(attempt).then(
			(value) => ({ ok: true as const, value }),
			(error: unknown) => ({ ok: false as const, error }),
		);
		if (outcome.ok) return outcome.value;
		if (attempt >= attempts || !isTransientDatabaseError(outcome.error)) return Promise.reject(outcome.error);
		const delay = Math.round(base * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4));
		options.onRetry?.(outcome.error, attempt, delay);
		await sleep(delay);
	}
}
