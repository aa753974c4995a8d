import type { RunningSandbox } from '../../sandbox';
import { TEMPLATES, variablesIn } from '../../sandbox/templates';
import {
	ACCESS_TOKEN,
	PATIENT,
	PATIENT_DIGITS,
	PHONE_NUMBER_ID,
	confirmationTemplate,
	sendMessage,
	startTestSandbox,
	type GraphResponse,
} from './helpers';

let sandbox: RunningSandbox;

beforeAll(async () => {
	sandbox = await startTestSandbox();
});
afterEach(() => sandbox.controls.reset());
afterAll(() => sandbox.stop());

/** Meta's error body: `(#code) title`, OAuthException, the details beside it, a trace id. */
function expectWhatsappError(response: GraphResponse, httpStatus: number, code: number, details?: string | RegExp): void {
	expect(response.status).toBe(httpStatus);
	expect(response.body).toEqual({
		error: {
			message: expect.stringMatching(new RegExp(`^\\(#${code}\\) `)),
			type: 'OAuthException',
			code,
			error_data: { messaging_product: 'whatsapp', details: expect.any(String) },
			fbtrace_id: expect.stringMatching(/^A[\w-]{10,}$/),
		},
	});
	if (details !== undefined) expect(response.body.error.error_data.details).toMatch(details);
}

function withComponents(components: unknown[]) {
	const message = confirmationTemplate();
	return { ...message, template: { ...message.template, components } };
}

/** A copy of `message` without one field. */
function without(message: Record<string, unknown>, field: string): Record<string, unknown> {
	return Object.fromEntries(Object.entries(message).filter(([key]) => key !== field));
}

const confirmation = confirmationTemplate();
const [bodyComponent, confirmButton, cancelButton, urlButton] = confirmation.template.components;

describe('a valid template message', () => {
	test('is accepted with a wamid, the contact as given and the pacing status', async () => {
		const response = await sendMessage(sandbox, confirmation);
		expect(response.status).toBe(200);
		expect(response.body).toEqual({
			messaging_product: 'whatsapp',
			contacts: [{ input: PATIENT, wa_id: PATIENT_DIGITS }],
			messages: [{ id: expect.stringMatching(/^wamid\.[A-Za-z0-9+/]+=*$/), message_status: 'accepted' }],
		});
		const [stored] = sandbox.state.outbound.values();
		expect(stored.wamid).toBe(response.body.messages[0].id);
		expect(stored.rendered.body).toBe(
			'Olá Maria, tem uma consulta marcada para segunda-feira, 1 de julho, às 10:30, com Dr.ª Ana Costa (Clínica Sorriso).\n\n' +
				'Pode confirmar a sua presença? Se não puder comparecer, cancele ou remarque pelos botões abaixo.',
		);
		expect(stored.rendered.buttons).toEqual([
			{ index: 0, type: 'QUICK_REPLY', text: 'Confirmar', payload: 'confirm:appt-1' },
			{ index: 1, type: 'QUICK_REPLY', text: 'Cancelar', payload: 'cancel:appt-1' },
			{ index: 2, type: 'URL', text: 'Gerir marcação', url: 'https://clinic.example/api/action?type=confirm&token=tok_123', suffix: 'type=confirm&token=tok_123' },
		]);
	});

	test('every wamid is different, and a number without + is accepted and echoed as given', async () => {
		const first = await sendMessage(sandbox, confirmationTemplate({ to: PATIENT_DIGITS }));
		const second = await sendMessage(sandbox, confirmationTemplate({ to: PATIENT_DIGITS }));
		expect(first.body.contacts).toEqual([{ input: PATIENT_DIGITS, wa_id: PATIENT_DIGITS }]);
		expect(first.body.messages[0].id).not.toBe(second.body.messages[0].id);
	});

	test('quick replies sent without a payload come back with their text as payload', async () => {
		const response = await sendMessage(sandbox, withComponents([bodyComponent, urlButton]));
		expect(response.status).toBe(200);
		const [stored] = sandbox.state.outbound.values();
		expect(stored.rendered.buttons.slice(0, 2)).toEqual([
			{ index: 0, type: 'QUICK_REPLY', text: 'Confirmar', payload: 'Confirmar' },
			{ index: 1, type: 'QUICK_REPLY', text: 'Cancelar', payload: 'Cancelar' },
		]);
	});

	test('every template in every language is accepted with its samples, in any Graph version', async () => {
		for (const template of TEMPLATES) {
			for (const translation of template.translations) {
				const components: unknown[] = [];
				if (translation.samples.length) {
					components.push({ type: 'body', parameters: translation.samples.map((text) => ({ type: 'text', text })) });
				}
				translation.buttons.forEach((button, index) => {
					if (button.type === 'URL' && variablesIn(button.url).length) {
						components.push({ type: 'button', sub_type: 'url', index: String(index), parameters: [{ type: 'text', text: button.sample }] });
					}
				});
				const response = await sendMessage(
					sandbox,
					{ messaging_product: 'whatsapp', to: PATIENT, type: 'template', template: { name: template.name, language: { code: translation.language }, components } },
					{ version: 'v23.0' },
				);
				expect({ template: template.name, language: translation.language, status: response.status }).toEqual({
					template: template.name,
					language: translation.language,
					status: 200,
				});
			}
		}
	});
});

describe('authentication and addressing', () => {
	const invalidToken = {
		error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: expect.any(String) },
	};

	test('no token: 401 with code 190', async () => {
		const response = await sendMessage(sandbox, confirmation, { token: null });
		expect(response.status).toBe(401);
		expect(response.body).toEqual(invalidToken);
		expect(response.headers.get('www-authenticate')).toMatch(/^OAuth "Facebook Platform" "invalid_token"/);
	});

	test('a wrong token: 401 with code 190, and nothing is sent', async () => {
		const response = await sendMessage(sandbox, confirmation, { token: `${ACCESS_TOKEN}x` });
		expect(response.status).toBe(401);
		expect(response.body).toEqual(invalidToken);
		expect(sandbox.state.outbound.size).toBe(0);
	});

	test('the token may also come as the access_token query parameter, as Graph allows', async () => {
		const response = await fetch(`${sandbox.url}/v21.0/${PHONE_NUMBER_ID}/messages?access_token=${ACCESS_TOKEN}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(confirmation),
		});
		expect(response.status).toBe(200);
	});

	test("an unknown phone_number_id: Graph's code 100, subcode 33", async () => {
		const response = await sendMessage(sandbox, confirmation, { phoneNumberId: '999' });
		expect(response.status).toBe(400);
		expect(response.body).toEqual({
			error: {
				message: expect.stringMatching(/^Unsupported post request\. Object with ID '999' does not exist, cannot be loaded due to missing permissions, or does not support this operation\./),
				type: 'GraphMethodException',
				code: 100,
				error_subcode: 33,
				fbtrace_id: expect.any(String),
			},
		});
	});

	test('a path without a vN.M version is unknown to Graph', async () => {
		const response = await sendMessage(sandbox, confirmation, { version: 'latest' });
		expect(response.status).toBe(400);
		expect(response.body.error).toMatchObject({ code: 2500, type: 'OAuthException', message: expect.stringMatching(/^Unknown path components/) });
	});

	test('GET the phone number (a credential test) and the approved templates', async () => {
		const headers = { authorization: `Bearer ${ACCESS_TOKEN}` };
		const phone = await fetch(`${sandbox.url}/v21.0/${PHONE_NUMBER_ID}`, { headers });
		expect(phone.status).toBe(200);
		expect(await phone.json()).toMatchObject({ id: PHONE_NUMBER_ID, display_phone_number: '+351210000001', quality_rating: 'GREEN' });
		const templates = await fetch(`${sandbox.url}/v21.0/100000000000002/message_templates?name=barnum_no_show_reschedule`, { headers });
		const listed = (await templates.json()) as { data: Array<{ name: string; language: string; status: string; components: unknown[] }> };
		expect(listed.data.map((t) => t.language)).toEqual(['pt_PT', 'en', 'pt_BR', 'es']);
		expect(listed.data[0]).toMatchObject({
			name: 'barnum_no_show_reschedule',
			status: 'APPROVED',
			components: expect.arrayContaining([
				{ type: 'BODY', text: expect.stringContaining('{{1}}'), example: { body_text: [['Maria', 'Clínica Sorriso']] } },
				expect.objectContaining({ type: 'BUTTONS' }),
			]),
		});
		expect((await fetch(`${sandbox.url}/v21.0/${PHONE_NUMBER_ID}`)).status).toBe(401);
	});
});

describe("the request body, validated as Meta does", () => {
	test('not JSON: (#100)', async () => {
		const response = await sendMessage(sandbox, '{"messaging_product":');
		expect(response.status).toBe(400);
		expect(response.body.error).toMatchObject({ code: 100, type: 'OAuthException', error_data: { details: 'The request body is not valid JSON.' } });
	});

	test('messaging_product missing or not whatsapp: (#100)', async () => {
		const missing = await sendMessage(sandbox, without(confirmation, 'messaging_product'));
		expect(missing.status).toBe(400);
		expect(missing.body.error).toMatchObject({ code: 100, message: '(#100) The parameter messaging_product is required.' });
		const wrong = await sendMessage(sandbox, { ...confirmation, messaging_product: 'sms' });
		expect(wrong.body.error).toMatchObject({ code: 100, message: '(#100) Param messaging_product must be one of {WHATSAPP} - got "sms".' });
	});

	test.each([['abc'], ['+0912345678'], ['12345'], ['+1234567890123456'], ['+351 912 345 678'], [351912345678]])(
		'a recipient that is not E.164 (%p): 131009',
		async (to) => {
			expectWhatsappError(await sendMessage(sandbox, { ...confirmation, to }), 400, 131009, /phone number is malformed/);
		},
	);

	test('no recipient: 131008', async () => {
		expectWhatsappError(await sendMessage(sandbox, without(confirmation, 'to')), 400, 131008, 'The parameter to is required.');
	});

	test('a template name that does not exist: 132001, HTTP 404', async () => {
		const response = await sendMessage(sandbox, { ...confirmation, template: { ...confirmation.template, name: 'barnum_nope' } });
		expectWhatsappError(response, 404, 132001, 'template name (barnum_nope) does not exist in pt_PT');
		expect(response.body.error.message).toBe('(#132001) Template name does not exist in the translation');
	});

	test('a language the template was not approved in: 132001', async () => {
		expectWhatsappError(await sendMessage(sandbox, confirmationTemplate({ language: 'fr' })), 404, 132001, 'template name (barnum_appointment_confirmation) does not exist in fr');
		expectWhatsappError(await sendMessage(sandbox, confirmationTemplate({ language: 'pt-PT' })), 404, 132001);
	});

	test('too few or too many body parameters: 132000', async () => {
		const four = { type: 'body', parameters: bodyComponent.parameters!.slice(0, 4) };
		const response = await sendMessage(sandbox, withComponents([four, urlButton]));
		expectWhatsappError(response, 400, 132000, 'body: number of localizable_params (4) does not match the expected number of params (5)');
		expect(response.body.error.message).toBe('(#132000) Number of parameters does not match the expected number of params');
		const six = { type: 'body', parameters: [...bodyComponent.parameters!, { type: 'text', text: 'extra' }] };
		expectWhatsappError(await sendMessage(sandbox, withComponents([six, urlButton])), 400, 132000, /\(6\) does not match the expected number of params \(5\)/);
	});

	test('no body component for a template with variables: 132000', async () => {
		expectWhatsappError(await sendMessage(sandbox, withComponents([urlButton])), 400, 132000, /localizable_params \(0\)/);
	});

	test('a header parameter for a header without variables: 132000', async () => {
		const header = { type: 'header', parameters: [{ type: 'text', text: 'x' }] };
		expectWhatsappError(await sendMessage(sandbox, withComponents([header, bodyComponent, urlButton])), 400, 132000, /^header: /);
	});

	test('an empty parameter: 131008', async () => {
		const parameters = bodyComponent.parameters!.map((p, i) => (i === 2 ? { type: 'text', text: '  ' } : p));
		expectWhatsappError(await sendMessage(sandbox, withComponents([{ type: 'body', parameters }, urlButton])), 400, 131008, /body: parameter 3/);
	});

	test('a parameter with a new line or 5 spaces: (#100) as Meta words it', async () => {
		for (const text of ['Maria\nSilva', 'Maria\tSilva', 'Maria     Silva']) {
			const parameters = bodyComponent.parameters!.map((p, i) => (i === 0 ? { type: 'text', text } : p));
			const response = await sendMessage(sandbox, withComponents([{ type: 'body', parameters }, urlButton]));
			expect(response.status).toBe(400);
			expect(response.body.error).toMatchObject({
				code: 100,
				error_data: { details: 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces' },
			});
		}
	});

	test('a parameter of another format than text: 132012', async () => {
		const parameters = bodyComponent.parameters!.map((p, i) => (i === 1 ? { type: 'date_time', date_time: { fallback_value: 'x' } } : p));
		expectWhatsappError(await sendMessage(sandbox, withComponents([{ type: 'body', parameters }, urlButton])), 400, 132012, /parameter 2 is of type date_time/);
	});

	test('a button index that points at a button of another type: 131009', async () => {
		const quickReplyOnUrl = { type: 'button', sub_type: 'quick_reply', index: '2', parameters: [{ type: 'payload', payload: 'x' }] };
		expectWhatsappError(
			await sendMessage(sandbox, withComponents([bodyComponent, urlButton, quickReplyOnUrl])),
			400,
			131009,
			'buttons: Button at index 2 is of type Url, not QuickReply',
		);
		const urlOnQuickReply = { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'x' }] };
		expectWhatsappError(await sendMessage(sandbox, withComponents([bodyComponent, urlOnQuickReply])), 400, 131009, 'buttons: Button at index 0 is of type QuickReply, not Url');
	});

	test('a button index the template does not have, or not a digit: 131009', async () => {
		const beyond = { ...cancelButton, index: '5' };
		expectWhatsappError(await sendMessage(sandbox, withComponents([bodyComponent, urlButton, beyond])), 400, 131009, 'buttons: Button at index 5 of type QuickReply does not exist');
		const notADigit = { ...cancelButton, index: 'one' };
		expectWhatsappError(await sendMessage(sandbox, withComponents([bodyComponent, urlButton, notADigit])), 400, 131009, /Invalid button index/);
		const twice = [bodyComponent, urlButton, confirmButton, confirmButton];
		expectWhatsappError(await sendMessage(sandbox, withComponents(twice)), 400, 131009, /appears more than once/);
	});

	test('a URL button with a dynamic suffix needs its parameter: 131008', async () => {
		expectWhatsappError(
			await sendMessage(sandbox, withComponents([bodyComponent, confirmButton, cancelButton])),
			400,
			131008,
			'buttons: Button at index 2 of type Url requires a parameter',
		);
		const empty = { ...urlButton, parameters: [] };
		expectWhatsappError(await sendMessage(sandbox, withComponents([bodyComponent, empty])), 400, 131008, 'buttons: Button at index 2 of type Url requires a parameter');
		const payload = { ...urlButton, parameters: [{ type: 'payload', payload: 'x' }] };
		expectWhatsappError(await sendMessage(sandbox, withComponents([bodyComponent, payload])), 400, 131009, /of type Url expects a parameter of type text/);
	});

	test('a quick-reply parameter that is not a payload: 131009', async () => {
		const text = { ...confirmButton, parameters: [{ type: 'text', text: 'x' }] };
		expectWhatsappError(await sendMessage(sandbox, withComponents([bodyComponent, urlButton, text])), 400, 131009, /expects a parameter of type payload/);
	});

	test('a body longer than 1,024 characters once filled in: 132005', async () => {
		const parameters = bodyComponent.parameters!.map((p, i) => (i === 3 ? { type: 'text', text: 'x'.repeat(1000) } : p));
		expectWhatsappError(await sendMessage(sandbox, withComponents([{ type: 'body', parameters }, urlButton])), 400, 132005);
	});

	test('a message type the sandbox does not model: 131051', async () => {
		const image = { messaging_product: 'whatsapp', to: PATIENT, type: 'image', image: { link: 'https://example.com/a.png' } };
		expectWhatsappError(await sendMessage(sandbox, image), 400, 131051);
	});

	test('a text message without a body: 131008', async () => {
		expectWhatsappError(await sendMessage(sandbox, { messaging_product: 'whatsapp', to: PATIENT, type: 'text', text: {} }), 400, 131008, "The parameter text['body'] is required.");
	});

	test('sending to the business number itself: 131021', async () => {
		expectWhatsappError(await sendMessage(sandbox, confirmationTemplate({ to: '+351210000001' })), 400, 131021);
	});
});
