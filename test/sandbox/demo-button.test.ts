import type { RunningSandbox } from '../../sandbox';
import { PATIENT_DIGITS, confirmationTemplate, sendMessage, startTestSandbox } from './helpers';

// The local stack's "try it": a button on the phone pages runs the demo (which makes the business
// send a message) and lands on the demo phone once that message is there.
let sandbox: RunningSandbox;
let runs = 0;
let fail = false;

beforeAll(async () => {
	sandbox = await startTestSandbox({
		statusDelaysMs: [0, 0, 0],
		demo: {
			label: 'Book a demo appointment',
			description: 'João gets the pre-confirmation on this phone.',
			waId: PATIENT_DIGITS,
			async run() {
				runs += 1;
				if (fail) throw new Error('the database is not there');
				// What n8n does in the real stack: send the template through the Graph API, a moment later.
				setTimeout(() => void sendMessage(sandbox, confirmationTemplate()), 150);
				return 'Booked João for Thursday at 09:00.';
			},
		},
	});
});
afterAll(() => sandbox.stop());

const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '', redirect: 'manual' } as const;

test('the phone list and the demo phone show the button; other phones do not', async () => {
	const list = await (await fetch(`${sandbox.url}/_sandbox/`)).text();
	expect(list).toContain('<form method="post" action="/_sandbox/demo"><button type="submit">Book a demo appointment</button></form>');
	expect(list).toContain('João gets the pre-confirmation on this phone.');
	expect(await (await fetch(`${sandbox.url}/_sandbox/phones/${PATIENT_DIGITS}`)).text()).toContain('action="/_sandbox/demo"');
	expect(await (await fetch(`${sandbox.url}/_sandbox/phones/447700900123`)).text()).not.toContain('action="/_sandbox/demo"');
});

test('pressing it runs the demo and lands on the demo phone with the message there', async () => {
	const response = await fetch(`${sandbox.url}/_sandbox/demo`, form);
	expect(response.status).toBe(303);
	const location = response.headers.get('location')!;
	expect(location).toBe(`/_sandbox/phones/${PATIENT_DIGITS}?info=${encodeURIComponent('Booked João for Thursday at 09:00.')}#latest`);
	const phone = await (await fetch(`${sandbox.url}${location}`)).text();
	expect(phone).toContain('<p class="info" role="status">Booked João for Thursday at 09:00.</p>');
	expect(phone).toContain('<span id="latest"></span><div class="bubble in"');
	expect(phone).toContain('Confirme a sua consulta');
	expect(runs).toBe(1);
});

test('a demo that fails says why on the phone page', async () => {
	fail = true;
	try {
		const response = await fetch(`${sandbox.url}/_sandbox/demo`, form);
		expect(response.status).toBe(303);
		const phone = await (await fetch(`${sandbox.url}${response.headers.get('location')}`)).text();
		expect(phone).toContain('<p class="notice" role="alert">The demo did not run: the database is not there</p>');
	} finally {
		fail = false;
	}
});

test('a sandbox without a demo has no button and no demo route', async () => {
	const plain = await startTestSandbox();
	try {
		expect(await (await fetch(`${plain.url}/_sandbox/`)).text()).not.toContain('/_sandbox/demo');
		expect((await fetch(`${plain.url}/_sandbox/demo`, form)).status).toBe(404);
	} finally {
		await plain.stop();
	}
});
