import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { createActionLink } from '../../core/action-links/create';
import { recordAttention } from '../../core/attention/record';
import { CHROMIUM, CHROMIUM_PATH, NO_CHROMIUM } from '../browser/action-pages';
import { until } from './stack/run';
import { startStack, type Stack } from './stack/stack';

/**
 * What needs a person reaches the clinic's team, in a real n8n 2.40.7 running the bundled
 * workflows: a real SMTP server on loopback receives the emails, a local HTTP receiver stands in
 * for the chat's incoming webhook, the sandbox receives the staff WhatsApp, and Chromium presses
 * the links.
 */

interface Mail {
	from: string;
	to: string[];
	subject: string;
	text: string;
}

let stack: Stack;
let browser: Browser;
let smtp: SMTPServer;
let chat: Server;
const mails: Mail[] = [];
const chatPosts: Array<{ text: string }> = [];
const STAFF = '+351930000001';
const TEAM_EMAIL = 'recepcao@clinica-sorriso.example';

/** The decoded text of a MIME part written by nodemailer (quoted-printable or base64 UTF-8). */
function decodeBody(raw: string): { subject: string; text: string } {
	const [head, ...rest] = raw.split(/\r?\n\r?\n/);
	const headers = head.replace(/\r?\n[ \t]+/g, ' ');
	const subject = (/^subject: (.*)$/im.exec(headers)?.[1] ?? '').replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_m, kind: string, word: string) =>
		kind.toUpperCase() === 'B' ? Buffer.from(word, 'base64').toString('utf8') : decodeQuoted(word.replace(/_/g, ' ')),
	);
	const body = rest.join('\n\n');
	const encoding = /^content-transfer-encoding: (\S+)/im.exec(headers)?.[1]?.toLowerCase();
	const text = encoding === 'quoted-printable' ? decodeQuoted(body) : encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body;
	return { subject, text: text.replace(/\r\n/g, '\n') };
}

function decodeQuoted(text: string): string {
	const bytes: number[] = [];
	const joined = text.replace(/=\r?\n/g, '');
	for (let i = 0; i < joined.length; i++) {
		if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
			bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
			i += 2;
		} else bytes.push(...Buffer.from(joined[i], 'utf8'));
	}
	return Buffer.from(bytes).toString('utf8');
}

beforeAll(async () => {
	if (!CHROMIUM_PATH) throw new Error(NO_CHROMIUM);
	smtp = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => {
				const { subject, text } = decodeBody(Buffer.concat(chunks).toString('latin1'));
				mails.push({
					from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
					to: session.envelope.rcptTo.map((r) => r.address),
					subject,
					text,
				});
				callback();
			});
		},
	});
	await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
	chat = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			chatPosts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
			res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
		});
	});
	await new Promise<void>((resolve) => chat.listen(0, '127.0.0.1', resolve));
	const smtpPort = ((smtp as unknown as { server: Server }).server.address() as AddressInfo).port;
	stack = await startStack({ smtp: { host: '127.0.0.1', port: smtpPort } });
	await stack.db.query(
		"UPDATE barnum.barnum_settings SET team_email = $1, team_email_from = 'Barnum <barnum@clinica-sorriso.example>', team_chat_webhook_url = $2, team_chat_format = 'slack', team_whatsapp = $3",
		[TEAM_EMAIL, `http://127.0.0.1:${(chat.address() as AddressInfo).port}/hooks/team`, STAFF],
	);
	browser = await chromium.launch(CHROMIUM);
}, 900_000);

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
	await new Promise((resolve) => smtp?.close(resolve));
	await new Promise((resolve) => chat?.close(resolve));
});

let clinic: { professionalId: string; specialtyId: string };
beforeAll(async () => {
	const specialty = await stack.db.query("INSERT INTO barnum_clinic.specialties (name) VALUES ('Medicina Dentária') RETURNING id");
	const professional = await stack.db.query("INSERT INTO barnum_clinic.professionals (name, specialty_id) VALUES ('Dr. Maria Santos', $1) RETURNING id", [specialty.rows[0].id]);
	clinic = { professionalId: professional.rows[0].id, specialtyId: specialty.rows[0].id };
});

async function patient(name: string, phone: string, email: string | null = null): Promise<string> {
	const { rows } = await stack.db.query('INSERT INTO barnum_clinic.patients (name, phone, email) VALUES ($1, $2, $3) RETURNING id', [name, phone, email]);
	return rows[0].id;
}

async function appointment(patientId: string, daysAhead: number): Promise<string> {
	const { rows } = await stack.db.query(
		"INSERT INTO barnum_clinic.appointments (patient_id, professional_id, specialty_id, date, time) VALUES ($1, $2, $3, current_date + $4::int, '11:00') RETURNING id",
		[patientId, clinic.professionalId, clinic.specialtyId, daysAhead],
	);
	return rows[0].id;
}

interface SandboxMessage {
	wamid: string;
	to: string;
	template?: { name: string; language?: string; parameters: string[] };
	[key: string]: unknown;
}

async function staffMessages(): Promise<SandboxMessage[]> {
	const res = await fetch(`${stack.sandbox.url}/_sandbox/messages`);
	const body = (await res.json()) as { messages: SandboxMessage[] } | SandboxMessage[];
	return (Array.isArray(body) ? body : body.messages).filter((m) => JSON.stringify(m).includes(STAFF.slice(1)));
}

const item = async (appointmentId: string, kind: string) =>
	(await stack.db.query('SELECT * FROM barnum.attention_items WHERE appointment_id = $1 AND kind = $2', [appointmentId, kind])).rows[0];

test('a reschedule asked for by link reaches the team by email, chat and WhatsApp, once; Chromium presses the handled link', async () => {
	const patientId = await patient('João Silva', '+351912345678');
	const appointmentId = await appointment(patientId, 5);
	const link = await createActionLink(stack.db, { appointmentId, action: 'reschedule' });

	const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'pt-PT' });
	await page.goto(link.url);
	await page.getByLabel('Quando lhe dá jeito? (opcional)').fill('Depois das 17h, por favor');
	await page.getByRole('button').click();
	// The page's promise: "we will contact you". What follows is the clinic keeping it.
	await page.waitForSelector('text=Vamos contactá-lo para combinar uma nova data.');

	const mail = await until(async () => mails.find((m) => m.to.includes(TEAM_EMAIL) && m.subject.includes('Pedido de remarcação')), 'the team email', 120_000);
	expect(mail.from).toBe('barnum@clinica-sorriso.example');
	expect(mail.subject).toBe('[Clínica Sorriso] Pedido de remarcação — João Silva');
	expect(mail.text).toContain('João Silva pediu outra data pelo link da mensagem. Preferência: “Depois das 17h, por favor”.');
	expect(mail.text).toMatch(/Consulta: .*11:00 · Dr\. Maria Santos · Medicina Dentária · Clínica Sorriso/);
	expect(mail.text).toContain('A fazer: Ligue a João Silva para o +351912345678 e combine uma nova data.');
	const handled = /Marcar como tratado: (\S+)/.exec(mail.text)![1];
	expect(handled.startsWith(`${stack.server.url}/api/team/handled?token=`)).toBe(true);

	const post = await until(async () => chatPosts.find((p) => p.text.includes('Pedido de remarcação — João Silva')), 'the chat post', 60_000);
	expect(post.text).toMatch(/^\*Pedido de remarcação — João Silva\*\n/);
	const whatsapp = await until(async () => (await staffMessages()).find((m) => JSON.stringify(m).includes('Pedido de remarcação')), 'the staff WhatsApp', 60_000);
	expect(JSON.stringify(whatsapp)).toContain('barnum_team_notice');

	const row = await until(async () => {
		const r = await item(appointmentId, 'reschedule_request');
		return r?.notified_at ? r : undefined;
	}, 'the item to be marked notified', 60_000);
	expect(row.handled_at).toBeNull();

	// A link scanner's GET changes nothing; a person's press does.
	expect((await fetch(handled)).status).toBe(200);
	expect((await item(appointmentId, 'reschedule_request')).handled_at).toBeNull();
	await page.goto(handled);
	await page.getByLabel('O seu nome (opcional)').fill('Ana');
	await page.getByRole('button', { name: 'Marcar como tratado' }).click();
	await page.waitForSelector('text=Obrigado, Ana.');
	await page.close();
	expect(await item(appointmentId, 'reschedule_request')).toMatchObject({ handled_by: 'Ana', handled_via: 'link' });

	// Told once on each channel, however many times the notifier ran meanwhile.
	await new Promise((resolve) => setTimeout(resolve, 65_000));
	expect(mails.filter((m) => m.subject.includes('Pedido de remarcação — João Silva'))).toHaveLength(1);
	expect(chatPosts.filter((p) => p.text.includes('Pedido de remarcação — João Silva'))).toHaveLength(1);
	expect((await staffMessages()).filter((m) => JSON.stringify(m).includes('Pedido de remarcação'))).toHaveLength(1);
});

test('a "sim" to the no-show prompt reaches the team (the seed\'s "admin team notified"), handed over by Inbound WhatsApp', async () => {
	const phone = '+351916666666';
	const patientId = await patient('Rita Lopes', phone);
	const appointmentId = await appointment(patientId, 3);
	await until(async () => (await stack.db.query("SELECT status FROM barnum.whatsapp_events WHERE entity_id = $1 AND event_type = 'appointment.pre_confirmed'", [appointmentId])).rows[0]?.status === 'sent', 'the pre-confirmation', 60_000);
	await stack.db.query("UPDATE barnum_clinic.appointments SET status = 'no_show' WHERE id = $1", [appointmentId]);
	await stack.db.query("UPDATE barnum.whatsapp_events SET scheduled_for = now() WHERE entity_id = $1 AND event_type = 'appointment.no_show'", [appointmentId]);
	await until(async () => (await stack.db.query("SELECT status FROM barnum.whatsapp_events WHERE entity_id = $1 AND event_type = 'appointment.no_show'", [appointmentId])).rows[0]?.status === 'sent', 'the reschedule prompt', 60_000);
	await fetch(`${stack.sandbox.url}/_sandbox/settle`, { method: 'POST' });
	const res = await fetch(`${stack.sandbox.url}/_sandbox/phones/${encodeURIComponent(phone)}/messages`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ text: 'Sim' }),
	});
	expect(res.ok).toBe(true);
	const whatsapp = await until(async () => (await staffMessages()).find((m) => JSON.stringify(m).includes('Faltou à consulta: quer nova data — Rita Lopes')), 'the staff WhatsApp', 90_000);
	expect(JSON.stringify(whatsapp)).toContain('Ligue a Rita Lopes para o +351916666666 e marque uma nova data.');
	const mail = mails.find((m) => m.subject.includes('Rita Lopes'))!;
	expect(mail.text).toContain('Rita Lopes faltou à consulta e respondeu à mensagem de remarcação: quer uma nova data.');
});

test('WhatsApp cannot reach the patient (131026): the message goes by email and Chromium confirms with its link; the team is told', async () => {
	const phone = '+351917777777';
	const patientId = await patient('Marta Reis', phone, 'marta.reis@example.com');
	const fault = await fetch(`${stack.sandbox.url}/_sandbox/faults`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ code: 131026, to: phone, times: 1, async: false }),
	});
	expect(fault.ok).toBe(true);
	const appointmentId = await appointment(patientId, 4);
	const letter = await until(async () => mails.find((m) => m.to.includes('marta.reis@example.com')), 'the email to the patient', 120_000);
	expect(letter.subject).toBe('A sua consulta na Clínica Sorriso');
	expect(letter.text).toContain('Não o conseguimos contactar pelo WhatsApp.');
	const team = await until(async () => mails.find((m) => m.to.includes(TEAM_EMAIL) && m.subject.includes('Sem WhatsApp — Marta Reis')), 'the team email', 60_000);
	expect(team.text).toContain('A mensagem seguiu por email para marta.reis@example.com.');

	const confirm = /Confirmar: (\S+)/.exec(letter.text)![1];
	const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'pt-PT' });
	await page.goto(confirm);
	await page.getByRole('button').click();
	await page.waitForSelector('text=Consulta confirmada');
	await page.close();
	expect((await stack.db.query('SELECT status FROM barnum_clinic.appointments WHERE id = $1', [appointmentId])).rows[0].status).toBe('confirmed');
});

test('digest mode: the open items go once, at the hour, in one message; handled ones are not in it', async () => {
	const patientId = await patient('Paulo Dias', '+351918888888');
	const a = await appointment(patientId, 6);
	const b = await appointment(patientId, 7);
	const hour = Number((await stack.db.query('SELECT extract(hour FROM now() AT TIME ZONE timezone) AS h FROM barnum.barnum_settings')).rows[0].h);
	await stack.db.query("UPDATE barnum.barnum_settings SET team_notice_mode = 'digest', team_digest_hour = $1", [hour]);
	// Everything from the earlier tests is handled first: the digest lists only what is open.
	await stack.db.query("UPDATE barnum.attention_items SET handled_at = now(), handled_by = 'test', handled_via = 'n8n' WHERE handled_at IS NULL");
	await recordAttention(stack.db, { kind: 'reply', channel: 'n8n', sourceKey: 'e2e-digest-1', appointmentId: a, detail: 'Posso ir mais cedo?' });
	await recordAttention(stack.db, { kind: 'cancellation', channel: 'n8n', sourceKey: 'e2e-digest-2', appointmentId: b });
	const digest = await until(async () => mails.find((m) => m.subject === 'Clínica Sorriso: 2 assuntos precisam de alguém'), 'the digest', 120_000);
	expect(digest.text).toContain('Posso ir mais cedo?');
	expect(digest.text).toContain('Consulta cancelada — Paulo Dias');
	expect(digest.text.match(/Marcar como tratado: /g)).toHaveLength(2);
	// The channels go one after another: the chat and the staff WhatsApp follow the email.
	await until(async () => chatPosts.find((p) => p.text.includes('2 assuntos precisam de alguém')), 'the digest in the chat', 60_000);
	await until(async () => (await staffMessages()).find((m) => JSON.stringify(m).includes('2 assuntos precisam de alguém')), 'the digest on WhatsApp', 60_000);
	await new Promise((resolve) => setTimeout(resolve, 65_000));
	expect(mails.filter((m) => m.subject.includes('assuntos precisam'))).toHaveLength(1);
	await stack.db.query("UPDATE barnum.barnum_settings SET team_notice_mode = 'immediate'");
});

test('no execution of a bundled workflow failed (the dead-letter alert aside: it fails by design on the 131026 dead letter, no alert webhook being set)', async () => {
	const failures: string[] = [];
	for (const [name, id] of Object.entries(stack.workflows)) {
		if (name === 'operations-dead-letter-alert') continue;
		for (const execution of await stack.n8n.executions(id)) {
			if (execution.status === 'error') failures.push(`${name} ${execution.id}: ${await stack.n8n.rest.executionError(execution.id)}`);
		}
	}
	expect(failures).toEqual([]);
	expect((await stack.n8n.executions(stack.workflows['clinic-team-notifications'])).some((e) => e.status === 'success')).toBe(true);
});
