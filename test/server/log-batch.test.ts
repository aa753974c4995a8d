import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../core/paths';
import { LineBatch, type LineSink } from '../../server/log-batch';

/** A sink that records what reaches it, chunk by chunk. */
function recordingSink() {
	const chunks: string[] = [];
	const calls: string[] = [];
	const sink: LineSink = {
		write: (chunk) => chunks.push(chunk),
		flush: (callback) => {
			calls.push('flush');
			callback?.();
		},
		flushSync: () => calls.push('flushSync'),
	};
	return { sink, chunks, calls };
}

const batches: LineBatch[] = [];
afterEach(() => {
	for (const batch of batches.splice(0)) batch.close();
	jest.useRealTimers();
});

function batchOf(sink: LineSink, minChars: number, maxDelayMs = 1000): LineBatch {
	const batch = new LineBatch(sink, minChars, maxDelayMs);
	batches.push(batch);
	return batch;
}

test('lines wait until a chunk holds minChars characters, then go as one chunk, in order', () => {
	const { sink, chunks } = recordingSink();
	const batch = batchOf(sink, 30);
	batch.write('{"n":1}\n');
	batch.write('{"n":2}\n');
	batch.write('{"n":3}\n');
	expect(chunks).toEqual([]);
	batch.write('{"n":4}\n');
	expect(chunks).toEqual(['{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n']);
	batch.write('{"n":5}\n');
	expect(chunks).toHaveLength(1);
});

test('what has gathered goes at least every maxDelayMs, and nothing when nothing came', () => {
	jest.useFakeTimers();
	const { sink, chunks } = recordingSink();
	const batch = batchOf(sink, 4096, 1000);
	batch.write('quiet server\n');
	jest.advanceTimersByTime(999);
	expect(chunks).toEqual([]);
	jest.advanceTimersByTime(1);
	expect(chunks).toEqual(['quiet server\n']);
	jest.advanceTimersByTime(5000);
	expect(chunks).toHaveLength(1);
});

test('flush and flushSync hand over the pending lines before flushing the sink', () => {
	const { sink, chunks, calls } = recordingSink();
	const batch = batchOf(sink, 4096);
	batch.write('a\n');
	const done = jest.fn();
	batch.flush(done);
	expect(chunks).toEqual(['a\n']);
	expect(calls).toEqual(['flush']);
	expect(done).toHaveBeenCalled();
	batch.write('b\n');
	batch.flushSync();
	expect(chunks).toEqual(['a\n', 'b\n']);
	expect(calls).toEqual(['flush', 'flushSync']);
});

test('a process that exits writes its last lines (the server logger, as `barnum serve` builds it)', () => {
	const root = packageRoot();
	// The compiled logger, as the CLI runs it (tsc emits even when someone else's work in progress has a type error).
	spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.dev.json'], { cwd: root, stdio: 'ignore' });
	const logger = path.join(root, 'build', 'server', 'logger.js');
	// Fewer than minChars, and the process ends before the first periodic write: only the exit hook can write them.
	const script = `const { createLogger } = require(${JSON.stringify(logger)}); const log = createLogger('info'); for (let i = 0; i < 3; i++) log.info({ i }, 'line'); setTimeout(() => process.exit(0), 10);`;
	const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
	expect(run.status).toBe(0);
	const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { i: number; msg: string });
	expect(lines.map((line) => line.i)).toEqual([0, 1, 2]);
}, 120_000);
