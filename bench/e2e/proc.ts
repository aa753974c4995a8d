import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU accounting from /proc, so the report can say where the machine's two cores went during a
 * phase: n8n (its process and children), PostgreSQL (the postmaster and its backends), and this
 * benchmark process (producer, push dispatcher, WhatsApp sandbox). Processes that exit during a
 * phase take their CPU time with them, so the figures are lower bounds.
 */

const TICKS = 100; // USER_HZ on Linux

interface Stat {
	pid: number;
	ppid: number;
	cpuSeconds: number;
}

function stat(pid: number): Stat | undefined {
	try {
		const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name is in parentheses and may contain spaces: fields start after the last ')'.
		const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
		return { pid, ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS };
	} catch {
		return undefined;
	}
}

function allStats(): Stat[] {
	const stats: Stat[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const s = stat(Number(entry));
		if (s) stats.push(s);
	}
	return stats;
}

/** CPU seconds used so far by `root` and all its descendants. */
export function treeCpuSeconds(root: number | undefined): number {
	if (!root) return 0;
	const stats = allStats();
	const children = new Map<number, Stat[]>();
	for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
	let total = 0;
	const queue = stats.filter((s) => s.pid === root);
	while (queue.length > 0) {
		const next = queue.pop()!;
		total += next.cpuSeconds;
		queue.push(...(children.get(next.pid) ?? []));
	}
	return total;
}

/** Whole-machine CPU seconds (all cores) and idle seconds, from /proc/stat. */
export function machineCpu(): { busy: number; idle: number } {
	const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
	const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
	const total = fields.reduce((a, b) => a + b, 0);
	return { busy: (total - idle) / TICKS, idle: idle / TICKS };
}

export function loadAverage(): string {
	return readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');
}
