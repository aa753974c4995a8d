import { accessSync, constants } from 'node:fs';
import v8 from 'node:v8';

/**
 * The V8 heap `barnum serve` runs with unless told otherwise (docs/performance.md, "Memory").
 * Under sustained load V8 grows the young generation to 128 MB and keeps it, which takes the
 * server to 250–280 MB RSS; with these two it stays under 150 MB. The live heap is 20–30 MB.
 */
export const DEFAULT_HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--max-old-space-size=256'];

/** Set on the replacing process, so that it never replaces itself again. */
const REPLACED_MARKER = 'BARNUM_HEAP_FLAGS_APPLIED';

// V8 accepts both spellings, and a value after "=" or as the next argument.
const HEAP_SIZE_FLAG = /^--max[-_](semi|old)[-_]space[-_]size(=|$)/;

export interface HeapFlags {
	/** barnum: DEFAULT_HEAP_FLAGS; yours: the user's own; off: BARNUM_HEAP_FLAGS=off; unavailable: this platform cannot replace a process. */
	source: 'barnum' | 'yours' | 'off' | 'unavailable';
	flags: string[];
	/** What V8 reports as this process's heap limit, in MB. */
	heapLimitMb: number;
}

/** Heap-size flags the user already gave node, on its command line or in NODE_OPTIONS. */
export function usersHeapFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
	return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].filter((arg) => HEAP_SIZE_FLAG.test(arg));
}

/**
 * Restarts this process with DEFAULT_HEAP_FLAGS unless the user set a heap size of their own or
 * turned the defaults off. The flags must be there when V8 starts: a running heap cannot be
 * resized. process.execve replaces the process image in place, so the pid, stdio and signals
 * stay the same and no parent is left holding memory. Call it before anything else starts (no
 * sockets, no child processes, nothing written): nothing of this process survives the replacement.
 * Returns only when this process keeps running as it is.
 */
export function applyDefaultHeapFlags(enabled: boolean, env: NodeJS.ProcessEnv = process.env): HeapFlags {
	const replaced = env[REPLACED_MARKER] !== undefined;
	// Child processes (the embedded PostgreSQL) need not see it.
	delete env[REPLACED_MARKER];
	const result = (source: HeapFlags['source'], flags: readonly string[]): HeapFlags => ({
		source,
		flags: [...flags],
		heapLimitMb: Math.round(v8.getHeapStatistics().heap_size_limit / 1024 / 1024),
	});
	if (replaced && DEFAULT_HEAP_FLAGS.every((flag) => process.execArgv.includes(flag))) return result('barnum', DEFAULT_HEAP_FLAGS);
	const yours = usersHeapFlags(process.execArgv, env.NODE_OPTIONS);
	if (yours.length > 0) return result('yours', yours);
	if (!enabled) return result('off', []);
	// A failed execve aborts the process (it does not throw), so check what can be checked first.
	if (replaced || typeof process.execve !== 'function' || !executable(process.execPath)) return result('unavailable', []);
	// process.execve is experimental in Node 24; its warning is due on the next tick, which this process never reaches.
	return process.execve(process.execPath, [process.execPath, ...process.execArgv, ...DEFAULT_HEAP_FLAGS, ...process.argv.slice(1)], {
		...env,
		[REPLACED_MARKER]: '1',
	});
}

function executable(file: string): boolean {
	try {
		accessSync(file, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}
