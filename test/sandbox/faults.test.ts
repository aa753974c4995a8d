import type { RunningSandbox } from '../../sandbox';
import { PATIENT, PATIENT_DIGITS, confirmationTemplate, control, sendMessage, startReceiver, startTestSandbox, type Receiver } from './helpers';

const OTHER = '+447700900123';
let receiver: Receiver;
let sandbox: RunningSandbox;

beforeAll(async () => {
	receiver = await startReceiver();
	sandbox = await startTestSandbox({ webhookUrl: receiver.url, statusDelaysMs: [5, 10, 15] });
});
afterEach(async () => {
	// Let what is in flight land before forgetting it, so no test sees the previous one's webhooks.
	await sandbox.controls.idle();
	sandbox.controls.reset();
	receiver.clear();
});
afterAll(async () => {
	await sandbox.stop();
	await receiver.close();
});

const inject = (fault: Record<string, unknown>) => control(sandbox, 'POST', '/faults', fault);

test('rate limit (130429): HTTP 400 with Meta\'s error and the Retry-After asked for, then normal service', async () => {
	expect((await inject({ code: 130429, retryAfter: 30 })).status).toBe(201);
	const limited = await sendMessage(sandbox, confirmationTemplate());
	expect(limited.status).toBe(400);
	expect(limited.headers.get('retry-after')).toBe('30');
	expect(limited.body).toEqual({
		error: {
			message: '(#130429) Rate limit hit',
			type: 'OAuthException',
			code: 130429,
			error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' },
			fbtrace_id: expect.any(String),
		},
	});
	expect((await sendMessage(sandbox, confirmationTemplate())).status).toBe(200);
});

test('times counts down per matching send; other numbers are not affected', async () => {
	const added = await inject({ code: 131056, to: PATIENT, times: 2 });
	expect(added.body.fault).toMatchObject({ code: 131056, waId: PATIENT_DIGITS, remaining: 2, async: false });

	const first = await sendMessage(sandbox, confirmationTemplate());
	expect(first.status).toBe(400);
	expect(first.body.error).toMatchObject({ code: 131056, message: '(#131056) (Business Account, Consumer Account) pair rate limit hit' });
	expect((await sendMessage(sandbox, confirmationTemplate({ to: OTHER }))).status).toBe(200);
	expect((await control(sandbox, 'GET', '/faults')).body.faults).toEqual([expect.objectContaining({ remaining: 1 })]);
	expect((await sendMessage(sandbox, confirmationTemplate())).body.error.code).toBe(131056);
	expect((await control(sandbox, 'GET', '/faults')).body.faults).toEqual([]);
	expect((await sendMessage(sandbox, confirmationTemplate())).status).toBe(200);
});

test('undeliverable (131026) is reported as Meta does by default: 200 with a wamid, then a failed status', async () => {
	expect((await inject({ code: 131026, to: PATIENT })).body.fault.async).toBe(true);
	const response = await sendMessage(sandbox, confirmationTemplate());
	expect(response.status).toBe(200);
	const wamid = response.body.messages[0].id;
	await sandbox.controls.idle();

	expect(receiver.received.every((r) => r.signed)).toBe(true);
	expect(receiver.statuses()).toEqual([
		{
			id: wamid,
			status: 'failed',
			timestamp: expect.stringMatching(/^\d+$/),
			recipient_id: PATIENT_DIGITS,
			errors: [
				{
					code: 131026,
					title: 'Message undeliverable',
					message: 'Message undeliverable',
					error_data: { details: 'Message Undeliverable.' },
					href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
				},
			],
		},
	]);
	expect(sandbox.state.outbound.get(wamid)?.status).toBe('failed');
});

test('undeliverable (131026) can also be answered synchronously', async () => {
	await inject({ code: 131026, async: false });
	const response = await sendMessage(sandbox, confirmationTemplate());
	expect(response.status).toBe(400);
	expect(response.body.error).toMatchObject({ code: 131026, message: '(#131026) Message undeliverable' });
	expect(sandbox.state.outbound.size).toBe(0);
});

test('any code can be made asynchronous, with its own title and details', async () => {
	await inject({ code: 131049, times: 1 });
	await inject({ code: 131000, async: true, details: 'Boom.' });
	const first = await sendMessage(sandbox, confirmationTemplate());
	const second = await sendMessage(sandbox, confirmationTemplate());
	expect([first.status, second.status]).toEqual([200, 200]);
	await sandbox.controls.idle();
	const errors = receiver.statuses().map((s) => (s.errors as Array<{ code: number; error_data: { details: string } }>)[0]);
	expect(errors.map((e) => e.code).sort()).toEqual([131000, 131049]);
	expect(errors.find((e) => e.code === 131000)?.error_data.details).toBe('Boom.');
});

test('131000 answers HTTP 500; a status can be forced (4 as HTTP 429)', async () => {
	await inject({ code: 131000 });
	const unknown = await sendMessage(sandbox, confirmationTemplate());
	expect(unknown.status).toBe(500);
	expect(unknown.body.error).toMatchObject({ code: 131000, message: '(#131000) Something went wrong' });
	await inject({ code: 4, httpStatus: 429 });
	const limited = await sendMessage(sandbox, confirmationTemplate());
	expect(limited.status).toBe(429);
	expect(limited.body.error.code).toBe(4);
});

test('190: the token has expired, for every recipient, before anything else is checked', async () => {
	await inject({ code: 190 });
	const response = await sendMessage(sandbox, { not: 'even valid' });
	expect(response.status).toBe(401);
	expect(response.body).toEqual({
		error: { message: 'Error validating access token: Session has expired.', type: 'OAuthException', code: 190, error_subcode: 463, fbtrace_id: expect.any(String) },
	});
	expect((await sendMessage(sandbox, confirmationTemplate())).status).toBe(200);
	expect((await inject({ code: 190, to: PATIENT })).status).toBe(400);
});

test('a request Meta would refuse anyway is refused for that reason, and the fault waits', async () => {
	await inject({ code: 130429 });
	const invalid = await sendMessage(sandbox, confirmationTemplate({ language: 'fr' }));
	expect(invalid.body.error.code).toBe(132001);
	expect((await sendMessage(sandbox, confirmationTemplate())).body.error.code).toBe(130429);
});

test('faults are validated, listed, cleared, and available in-process', async () => {
	expect((await inject({ code: 'soon' })).status).toBe(400);
	expect((await inject({ code: 130429, to: 'nobody' })).status).toBe(400);
	expect((await inject({ code: 130429, surprise: true })).status).toBe(400);
	await inject({ code: 130429, times: 5 });
	expect((await control(sandbox, 'DELETE', '/faults')).status).toBe(204);
	expect((await sendMessage(sandbox, confirmationTemplate())).status).toBe(200);

	sandbox.controls.addFault({ code: 131048, remaining: 1, async: false, waId: PATIENT_DIGITS });
	expect((await sendMessage(sandbox, confirmationTemplate())).body.error).toMatchObject({ code: 131048, message: '(#131048) Spam rate limit hit' });
});
