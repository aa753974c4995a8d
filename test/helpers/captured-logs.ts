import { Writable } from 'node:stream';
import pino from 'pino';

/** A logger whose JSON lines land in `logs`, so a test can assert what an operator would read. */
export function capturingLogger(logs: Array<Record<string, unknown>>) {
	const stream = new Writable({
		write(chunk, _encoding, done) {
			for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
			done();
		},
	});
	return pino({ level: 'info' }, stream);
}
