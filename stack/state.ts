import { existsSync, readFileSync } from 'node:fs';
import { writePrivate } from './data-dir';

/**
 * stack.json: where the stack listens and which processes are its own. `status` and `demo:book`
 * read it, the next start reuses the database port (the n8n credential names it) and stops what
 * a crashed run left behind.
 */
export interface StackState {
	/** The `npm start` process; undefined once it stopped. */
	pid?: number;
	startedAt?: string;
	readyAt?: string;
	stoppedAt?: string;
	urls: { server: string; sandbox?: string; n8n?: string; n8nIsOurs: boolean };
	database: { kind: 'embedded'; port: number; pid?: number } | { kind: 'external' };
	n8nPid?: number;
	/** Queue mode: the `n8n worker` processes and the Redis between them and the main instance. */
	n8nWorkerPids?: number[];
	redisPid?: number;
	n8nOwnerEmail?: string;
	/** Bundled workflow file name → n8n workflow id. */
	workflows: Record<string, string>;
	/** The demo patient's phone (digits), when demo data is on. */
	demoWaId?: string;
}

export function readState(file: string): StackState | undefined {
	if (!existsSync(file)) return undefined;
	try {
		return JSON.parse(readFileSync(file, 'utf8')) as StackState;
	} catch {
		return undefined;
	}
}

export function writeState(file: string, state: StackState): Promise<void> {
	return writePrivate(file, state);
}

export function isAlive(pid: number | undefined): boolean {
	if (!pid || !Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: it exists, it is just not ours to signal.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** The stack recorded in `file` is running now (its process is alive, runs Node, and is not us). */
export function runningStack(file: string): StackState | undefined {
	const state = readState(file);
	if (!state?.pid || state.pid === process.pid || !isAlive(state.pid)) return undefined;
	// A process id can be reused after a crash: only a Node process counts.
	const cmdline = procFile(state.pid, 'cmdline');
	return cmdline === undefined || cmdline.includes('node') ? state : undefined;
}

/** /proc/<pid>/<name> as text (NULs between entries), undefined where there is no /proc. */
export function procFile(pid: number, name: 'cmdline' | 'environ'): string | undefined {
	try {
		return readFileSync(`/proc/${pid}/${name}`, 'latin1');
	} catch {
		return undefined;
	}
}

/** The value of `name` in the process's environment: how we recognise our own n8n after a crash. */
export function environmentValue(pid: number, name: string): string | undefined {
	const entry = (procFile(pid, 'environ') ?? '').split('\0').find((v) => v.startsWith(`${name}=`));
	return entry?.slice(name.length + 1);
}
