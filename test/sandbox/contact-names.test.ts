/**
 * In the local stack the sandbox's phones belong to the demo's patients: the phone list and each
 * phone's page show the patient's name (from the business's database) with the number under it,
 * and a number nobody knows shows once, not twice.
 */
import type { RunningSandbox } from '../../sandbox';
import { contactNames, seedDemoData } from '../../stack/demo';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { confirmationTemplate, sendMessage, startTestSandbox } from './helpers';

let db: TestDatabase;
let sandbox: RunningSandbox;

beforeAll(async () => {
	db = await freshDatabase();
	await seedDemoData(db.admin);
	sandbox = await startTestSandbox({ contactNames: (waIds) => contactNames(db.admin, waIds) });
});
afterAll(async () => {
	await sandbox?.stop();
	await db?.drop();
});

const html = async (path: string) => (await fetch(`${sandbox.url}${path}`)).text();

test('the phone list and the phone page name the patient; an unknown number is shown once', async () => {
	await sendMessage(sandbox, confirmationTemplate({ to: '+351912345678' }));
	await sendMessage(sandbox, confirmationTemplate({ to: '+351939999999' }));
	await sandbox.controls.idle();

	const list = await html('/_sandbox/');
	expect(list).toContain('<strong>João Silva</strong> <span>+351912345678</span>');
	expect(list).toContain('<strong>+351939999999</strong> <small>');

	const joao = await html('/_sandbox/phones/351912345678');
	expect(joao).toContain('<h1>João Silva</h1><p>+351912345678</p>');
	expect(joao).toContain('<title>João Silva · WhatsApp sandbox</title>');

	const stranger = await html('/_sandbox/phones/351939999999');
	expect(stranger).toContain('<h1>+351939999999</h1></div>');
	expect(stranger.match(/\+351939999999/g)).toHaveLength(2); // the heading and the title
});
