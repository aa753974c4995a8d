/**
 * `npm start -- --queue` (BARNUM_N8N_MODE=queue): what it reads from the environment, and the
 * Redis it runs for n8n's queue. The whole setup runs end to end in test/e2e/queue-mode.e2e.test.ts.
 */
import net from 'node:net';
import { readStackOptions } from '../../stack/options';
import { redisServerBin, startRedis } from '../../stack/redis';
import { isAlive } from '../../stack/state';

test('BARNUM_N8N_MODE=queue asks for the local n8n in queue mode, two workers unless BARNUM_N8N_WORKERS says otherwise', () => {
	expect(readStackOptions({}).queue).toBeUndefined();
	expect(readStackOptions({ BARNUM_N8N_MODE: 'queue' }).queue).toEqual({ workers: 2 });
	expect(readStackOptions({ BARNUM_N8N_MODE: 'queue', BARNUM_N8N_WORKERS: '3' }).queue).toEqual({ workers: 3 });
});

test('queue mode settings that cannot work are refused, naming the variable', () => {
	expect(() => readStackOptions({ BARNUM_N8N_MODE: 'queues' })).toThrow(/BARNUM_N8N_MODE/);
	expect(() => readStackOptions({ BARNUM_N8N_MODE: 'queue', BARNUM_N8N_WORKERS: '0' })).toThrow(/BARNUM_N8N_WORKERS/);
	expect(() => readStackOptions({ BARNUM_N8N_MODE: 'queue', N8N_URL: 'http://n8n.example:5678' })).toThrow(/BARNUM_N8N_MODE: queue mode is for the n8n that npm start runs/);
	// n8n's own data needs a PostgreSQL database of its own when the embedded one is not used.
	expect(() => readStackOptions({ BARNUM_N8N_MODE: 'queue', DATABASE_URL: 'postgres://u:p@db.example/barnum' })).toThrow(/BARNUM_N8N_OWN_DATABASE_URL/);
	expect(
		readStackOptions({ BARNUM_N8N_MODE: 'queue', DATABASE_URL: 'postgres://u:p@db.example/barnum', BARNUM_N8N_OWN_DATABASE_URL: 'postgres://n:p@db.example/n8n' }).queue,
	).toEqual({ workers: 2, ownDatabaseUrl: 'postgres://n:p@db.example/n8n' });
});

const redisTest = redisServerBin() ? test : test.skip;

redisTest('the Redis for the queue listens on loopback only, answers, and is gone once stopped', async () => {
	const redis = await startRedis();
	try {
		expect(redis.host).toBe('127.0.0.1');
		const answer = await new Promise<string>((resolve, reject) => {
			const socket = net.connect(redis.port, '127.0.0.1', () => socket.write('CONFIG GET bind\r\n'));
			socket.once('data', (data) => {
				socket.destroy();
				resolve(data.toString());
			});
			socket.once('error', reject);
		});
		expect(answer).toContain('127.0.0.1');
	} finally {
		await redis.stop();
	}
	expect(isAlive(redis.pid)).toBe(false);
});
