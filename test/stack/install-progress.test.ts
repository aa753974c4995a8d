/**
 * The first npm start installs n8n for minutes. The person watching sees whole progress lines,
 * naming the step and the time so far, and never waits more than 15 s for the next one, also
 * while a step prints nothing itself (native modules building).
 */
import path from 'node:path';
import { packageRoot } from '../../core/paths';
import { run } from '../../stack/run';

test('a long step reports itself at least every 15 s, in whole lines with the step and the elapsed time', async () => {
	const script = `
		source ${JSON.stringify(path.join(packageRoot(), 'scripts', 'progress.sh'))}
		progress_begin n8n-install
		progress_step "building native modules isolated-vm and sqlite3"
		sleep 12
		progress_end
		# A line can reach the reader in two pieces.
		printf 'n8n-install: done in 1' >&2; sleep 0.3; printf '2s\\n' >&2
	`;
	const started = Date.now();
	const lines: Array<{ at: number; line: string }> = [];
	await run('bash', ['-c', script], { progress: (line) => lines.push({ at: Date.now(), line }) });
	const ended = Date.now();

	expect(lines.map((l) => l.line)).toEqual([
		'n8n-install: building native modules isolated-vm and sqlite3 (0s)',
		expect.stringMatching(/^n8n-install: building native modules isolated-vm and sqlite3 \(1[01]s\)$/),
		'n8n-install: done in 12s',
	]);
	const times = [started, ...lines.map((l) => l.at), ended];
	const longestSilence = Math.max(...times.slice(1).map((t, i) => t - times[i]));
	expect(longestSilence).toBeLessThanOrEqual(15_000);
	// The ticker stops with the step: nothing waits for it once the install is done.
	expect(ended - started).toBeLessThan(14_000);
}, 30_000);
