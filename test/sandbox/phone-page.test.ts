import type { RunningSandbox } from '../../sandbox';
import { PATIENT, PATIENT_DIGITS, confirmationTemplate, control, sendMessage, startReceiver, startTestSandbox, type Receiver } from './helpers';

let receiver: Receiver;
let sandbox: RunningSandbox;

beforeAll(async () => {
	receiver = await startReceiver();
	sandbox = await startTestSandbox({ webhookUrl: receiver.url, statusDelaysMs: [0, 0, 0] });
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

async function page(path: string): Promise<{ status: number; headers: Headers; html: string }> {
	const response = await fetch(`${sandbox.url}${path}`, { redirect: 'manual' });
	return { status: response.status, headers: response.headers, html: await response.text() };
}

/** The hidden fields of every quick-reply form on the page, as a browser would post them. */
function quickReplyForms(html: string): Array<{ action: string; fields: Record<string, string> }> {
	return [...html.matchAll(/<form method="post" action="([^"]+)">((?:(?!<\/form>).)*name="button_payload"(?:(?!<\/form>).)*)<\/form>/g)].map((form) => ({
		action: form[1],
		fields: Object.fromEntries([...form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]])),
	}));
}

const unescape = (value: string) => value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

test('the conversation shows the rendered template, its status and the real action link', async () => {
	const sent = await sendMessage(sandbox, confirmationTemplate({ suffix: 'type=confirm&token=tok_ABC' }));
	await sandbox.controls.idle();
	const { status, headers, html } = await page(`/_sandbox/phones/${PATIENT_DIGITS}`);
	expect(status).toBe(200);
	expect(headers.get('content-type')).toMatch(/^text\/html/);
	expect(headers.get('content-security-policy')).toContain("default-src 'none'");
	expect(headers.get('cache-control')).toBe('no-store');
	expect(html).not.toMatch(/<script/i);

	expect(html).toContain('<div class="head">Confirme a sua consulta</div>');
	expect(html).toContain('Olá Maria, tem uma consulta marcada para segunda-feira, 1 de julho, às 10:30, com Dr.ª Ana Costa (Clínica Sorriso).');
	expect(html).toContain(`data-wamid="${sent.body.messages[0].id}"`);
	expect(html).toContain('data-status="read"');
	// The URL button is a link to Barnum's action page: the registered base plus the suffix sent.
	expect(html).toContain('<a href="https://clinic.example/api/action?type=confirm&amp;token=tok_ABC" rel="noreferrer" target="_blank" data-button-index="2">↗ Gerir marcação</a>');
	expect(quickReplyForms(html).map((f) => f.fields)).toEqual([
		{ button_payload: 'confirm:appt-1', button_text: 'Confirmar', context_id: sent.body.messages[0].id },
		{ button_payload: 'cancel:appt-1', button_text: 'Cancelar', context_id: sent.body.messages[0].id },
	]);
	expect(html).toContain(`<form class="reply" method="post" action="/_sandbox/phones/${PATIENT_DIGITS}/messages">`);
});

test('pressing a quick reply on the page sends the tap as the phone', async () => {
	const sent = await sendMessage(sandbox, confirmationTemplate());
	await sandbox.controls.idle();
	const [confirm] = quickReplyForms((await page(`/_sandbox/phones/${PATIENT_DIGITS}`)).html);
	const fields = Object.fromEntries(Object.entries(confirm.fields).map(([key, value]) => [key, unescape(value)]));
	const pressed = await fetch(`${sandbox.url}${confirm.action}`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(fields),
		redirect: 'manual',
	});
	expect(pressed.status).toBe(303);
	await sandbox.controls.idle();
	expect(receiver.messages().map((m) => m.message)).toEqual([
		expect.objectContaining({ type: 'button', button: { payload: 'confirm:appt-1', text: 'Confirmar' }, context: { from: '351210000001', id: sent.body.messages[0].id } }),
	]);
	const after = await page(`/_sandbox/phones/${PATIENT_DIGITS}`);
	expect(after.html).toContain('<span class="tag">quick reply</span><div class="body">Confirmar</div>');
});

test('parameters, suffixes and replies are escaped', async () => {
	const hostile = '<script>alert("x")</script> & \'Maria\'';
	await sendMessage(sandbox, confirmationTemplate({ name: hostile, suffix: 'type=confirm&token="><img src=x onerror=alert(1)>' }));
	await sandbox.controls.idle();
	await control(sandbox, 'POST', `/phones/${PATIENT_DIGITS}/messages`, { text: '<b>bold?</b> *bold* https://example.com/?a=1&b=<2>', name: '<i>Maria</i>' });
	const { html } = await page(`/_sandbox/phones/${PATIENT_DIGITS}`);
	expect(html).not.toContain('<script>');
	expect(html).not.toContain('<img');
	expect(html).not.toContain('<b>');
	expect(html).not.toContain('<i>Maria');
	expect(html).toContain('Olá &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Maria&#39;, tem uma consulta');
	expect(html).toContain('href="https://clinic.example/api/action?type=confirm&amp;token=&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
	expect(html).toContain('&lt;b&gt;bold?&lt;/b&gt; <strong>bold</strong> <a href="https://example.com/?a=1&amp;b=" rel="noreferrer" target="_blank">');
	expect(html).toContain('<h1>&lt;i&gt;Maria&lt;/i&gt;</h1>');
});

test('a failed message shows the cross and Meta\'s reason', async () => {
	await control(sandbox, 'POST', '/faults', { code: 131026 });
	await sendMessage(sandbox, confirmationTemplate());
	await sandbox.controls.idle();
	const { html } = await page(`/_sandbox/phones/${PATIENT_DIGITS}`);
	expect(html).toContain('data-status="failed"');
	expect(html).toContain('Not delivered: (#131026) Message undeliverable');
	expect(quickReplyForms(html)).toEqual([]);
	expect(html).toContain('<button type="button" disabled data-button-index="2">↗ Gerir marcação</button>');
});

test('the index lists phones and opens any number; unknown numbers have an empty chat', async () => {
	await sendMessage(sandbox, confirmationTemplate());
	const index = await page('/_sandbox/');
	expect(index.status).toBe(200);
	expect(index.html).toContain(`href="/_sandbox/phones/${PATIENT_DIGITS}"`);
	expect(index.html).toContain('barnum_appointment_confirmation: Olá Maria');
	expect(index.html).toContain(`${sandbox.url}/v21.0`);

	const opened = await page(`/_sandbox/phones?phone=${encodeURIComponent(PATIENT)}`);
	expect(opened.status).toBe(303);
	expect(opened.headers.get('location')).toBe(`/_sandbox/phones/${PATIENT_DIGITS}`);
	const empty = await page('/_sandbox/phones/447700900123');
	expect(empty.status).toBe(200);
	expect(empty.html).toContain('No messages yet');
	expect((await page('/_sandbox/phones/abc')).status).toBe(404);
	expect((await page('/')).headers.get('location')).toBe('/_sandbox/');
});

test('with autoRead off the page offers to read, and reading sends the read status', async () => {
	sandbox.settings.autoRead = false;
	try {
		await sendMessage(sandbox, confirmationTemplate());
		await sandbox.controls.idle();
		const before = await page(`/_sandbox/phones/${PATIENT_DIGITS}`);
		expect(before.html).toContain('data-status="delivered"');
		expect(before.html).toContain(`action="/_sandbox/phones/${PATIENT_DIGITS}/read"`);
		const read = await fetch(`${sandbox.url}/_sandbox/phones/${PATIENT_DIGITS}/read`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: '',
			redirect: 'manual',
		});
		expect(read.status).toBe(303);
		await sandbox.controls.idle();
		expect(receiver.statuses().map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
		expect((await page(`/_sandbox/phones/${PATIENT_DIGITS}`)).html).not.toContain('Mark as read');
	} finally {
		sandbox.settings.autoRead = true;
	}
});
