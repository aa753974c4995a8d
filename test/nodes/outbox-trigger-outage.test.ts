import type { ITriggerResponse } from 'n8n-workflow';
import { BarnumOutboxTrigger } from '../../nodes/BarnumOutboxTrigger/BarnumOutboxTrigger.node';
import { enqueueEvent, getEvent } from '../../core/outbox/operations';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { RestartableProxy, throughProxy } from '../helpers/restartable-proxy';
import { fakeTriggerContext, startTrigger } from './fakes';

/**
 * The Outbox Trigger with its database gone (a real PostgreSQL behind a proxy that cuts every
 * connection and refuses new ones): it keeps retrying, and only once the database has not answered
 * for "Report Database Outage After" does it report the failure to n8n with emitError, once.
 */

let db: TestDatabase;
let proxy: RestartableProxy;
const running: ITriggerResponse[] = [];

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query('UPDATE barnum_settings SET quiet_hours_start = NULL, quiet_hours_end = NULL');
	const target = new URL(db.appUrl);
	proxy = new RestartableProxy({ host: target.hostname, port: Number(target.port) });
	await proxy.up();
});
afterEach(async () => {
	await Promise.all(running.splice(0).map((r) => r.closeFunction?.()));
	await proxy.up();
});
afterAll(async () => {
	await proxy.down();
	await db.drop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(probe: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
	const deadline = Date.now() + ms;
	while (!(await probe())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(50);
	}
}

async function activate(outageSeconds: number) {
	const fake = fakeTriggerContext({
		parameters: {
			eventTypes: [],
			otherEventTypes: 'outage.test',
			emitMode: 'event',
			ackMode: 'executionSucceeds',
			batchSize: 10,
			options: { pollIntervalSeconds: 1, outageSeconds },
		},
		credential: { connectionString: throughProxy(db.appUrl, proxy), ssl: 'disable' },
	});
	const response = await startTrigger(new BarnumOutboxTrigger(), fake.context);
	running.push(response);
	return { ...fake, response };
}

const enqueue = async (n: number) =>
	(await enqueueEvent(db.app, { eventType: 'outage.test', entityType: 'custom', entityId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` }))!;

test('a database gone for longer than the option is reported once, with emitError, no sooner', async () => {
	const { errors } = await activate(2);
	await proxy.down();
	const down = Date.now();
	await until(() => errors.length > 0, 'the outage to be reported');
	expect(errors[0].at - down).toBeGreaterThanOrEqual(2_000);
	expect(errors[0].error.message).toMatch(/^The Barnum outbox database has not answered for \d+ s$/);
	expect((errors[0].error as Error & { description?: string }).description).toMatch(/ECONNREFUSED|Connection terminated|timeout/);
	expect(errors[0].error.name).toBe('NodeOperationError');
	// The trigger goes on retrying without reporting the same outage again.
	await sleep(2_500);
	expect(errors).toHaveLength(1);
});

test('a database back within the time is not reported, and what waited is delivered', async () => {
	const { errors, executions } = await activate(4);
	await proxy.down();
	await sleep(1_500);
	await proxy.up();
	const id = await enqueue(2);
	await until(async () => (await getEvent(db.app, id))?.status === 'sent', 'the event to be delivered after the outage');
	// Past the time the outage would have been reported at.
	await sleep(4_000);
	expect(errors).toEqual([]);
	expect(executions.flat().map((item) => item.json.event_id)).toContain(id);
});

test('closing the trigger twice is safe (n8n closes it on emitError and again on deactivation)', async () => {
	const { response } = await activate(60);
	await response.closeFunction!();
	await expect(response.closeFunction!()).resolves.toBeUndefined();
});
