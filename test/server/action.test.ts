import { freshDatabase, type TestDatabase } from '../helpers/database';
import { insertAppointment, seedClinic } from '../helpers/clinic';
import { linkToken, serveTestDatabase } from '../helpers/server';
import type { RunningServer } from '../../server/serve';
import { createActionLink } from '../../core/action-links/create';
import { skipEvent } from '../../core/outbox/operations';

let db: TestDatabase;
let server: RunningServer;
let clinic: Awaited<ReturnType<typeof seedClinic>>;

beforeAll(async () => {
	db = await freshDatabase();
	await db.admin.query("UPDATE barnum_settings SET business_name = 'Clínica Sorriso'");
	clinic = await seedClinic(db.app);
	server = await serveTestDatabase(db, { RATE_LIMIT_ACTION_PER_MINUTE: '1000' });
});
afterAll(async () => {
	await server.stop();
	await db.drop();
});

const link = (type: string, token: string) => `${server.url}/api/action?type=${type}&token=${encodeURIComponent(token)}`;
const statusOf = async (id: string) => (await db.app.query('SELECT status FROM appointments WHERE id = $1', [id])).rows[0].status;

async function open(type: string, token: string, headers: Record<string, string> = {}) {
	const res = await fetch(link(type, token), { headers });
	return { status: res.status, html: await res.text(), headers: res.headers };
}

function formOf(html: string): Record<string, string> {
	const fields: Record<string, string> = {};
	for (const match of html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)) fields[match[1]] = match[2];
	return fields;
}

async function press(type: string, token: string, extra: Record<string, string> = {}, page?: string) {
	const html = page ?? (await open(type, token)).html;
	const res = await fetch(link(type, token), {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ ...formOf(html), ...extra }).toString(),
	});
	return { status: res.status, html: await res.text() };
}

describe('GET shows, changes nothing', () => {
	test('the confirm page shows the appointment in the clinic\'s timezone and language, with one button', async () => {
		const id = await insertAppointment(db.app, clinic, { date: '2030-07-01', time: '09:30' });
		const page = await open('confirm', await linkToken(db, id, 'confirm'));
		expect(page.status).toBe(200);
		expect(page.html).toContain('<html lang="pt-PT">');
		expect(page.html).toContain('Confirmar consulta');
		expect(page.html).toContain('Olá, João');
		expect(page.html).toContain('segunda-feira, 1 de julho de 2030'); // the clinic's wall clock
		expect(page.html).toMatch(/09:30/);
		expect(page.html).toContain('Dr. Maria Santos');
		expect(page.html).toContain('Medicina Dentária');
		expect(page.html).toContain('Clínica Sorriso');
		expect(page.html.match(/<button/g)).toHaveLength(1);
		expect(page.html).toContain('>Confirmar presença</button>');
		expect(page.html).not.toMatch(/<script|\son\w+=|http-equiv="refresh"/i);
		// The tab icon is inline: a browser has no reason to ask for /favicon.ico.
		expect(page.html).toMatch(/<link rel="icon" href="data:image\/svg\+xml,[^"]+">/);
		expect(await statusOf(id)).toBe('scheduled');
		expect(Buffer.byteLength(page.html)).toBeLessThan(15 * 1024);
	});

	test('headers: no-store, no-referrer, noindex and a CSP with no script source', async () => {
		const id = await insertAppointment(db.app, clinic);
		const page = await open('confirm', await linkToken(db, id, 'confirm'));
		expect(page.headers.get('cache-control')).toBe('no-store');
		expect(page.headers.get('referrer-policy')).toBe('no-referrer');
		expect(page.headers.get('x-robots-tag')).toBe('noindex, nofollow');
		const csp = page.headers.get('content-security-policy')!;
		expect(csp).toContain("default-src 'none'");
		expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
		expect(csp).not.toContain('script-src');
		expect(csp).toContain("frame-ancestors 'none'");
		expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
		expect(page.headers.get('x-content-type-options')).toBe('nosniff');
		// Headers for retired browser features (IE 8, Flash, the XSS auditor) are not sent.
		for (const name of ['x-xss-protection', 'x-download-options', 'x-permitted-cross-domain-policies', 'x-dns-prefetch-control']) expect(page.headers.get(name)).toBeNull();
		expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(Number(page.headers.get('content-length'))).toBe(Buffer.byteLength(page.html));
		expect(page.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
	});

	test('HEAD answers 200 with no side effect, even for a token it never looks at', async () => {
		const id = await insertAppointment(db.app, clinic);
		const token = await linkToken(db, id, 'confirm');
		const res = await fetch(link('confirm', token), { method: 'HEAD' });
		expect(res.status).toBe(200);
		expect(res.headers.get('cache-control')).toBe('no-store');
		expect(res.headers.get('x-robots-tag')).toBe('noindex, nofollow');
		expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
		const used = await db.app.query('SELECT used_at FROM whatsapp_action_tokens WHERE token_hash = barnum_token_hash($1)', [token]);
		expect(used.rows[0].used_at).toBeNull();
	});

	test('the language follows the patient, then the browser, then the clinic', async () => {
		const id = await insertAppointment(db.app, clinic);
		const token = await linkToken(db, id, 'cancel');
		expect((await open('cancel', token, { 'accept-language': 'es-ES,es;q=0.9,en;q=0.8' })).html).toContain('<html lang="es">');
		expect((await open('cancel', token, { 'accept-language': 'fr-FR,en-GB;q=0.7' })).html).toContain('Cancel appointment');
		expect((await open('cancel', token, { 'accept-language': 'pt-BR' })).html).toContain('<html lang="pt-BR">');
		await db.app.query("UPDATE patients SET locale = 'en' WHERE id = $1", [clinic.patientId]);
		try {
			expect((await open('cancel', token, { 'accept-language': 'es' })).html).toContain('<html lang="en">');
		} finally {
			await db.app.query('UPDATE patients SET locale = NULL WHERE id = $1', [clinic.patientId]);
		}
		// Neither the patient nor the browser names a language Barnum speaks: the clinic's setting.
		await db.admin.query("UPDATE barnum_settings SET default_locale = 'es'");
		try {
			expect((await open('cancel', token, { 'accept-language': 'de-DE,fr;q=0.8' })).html).toContain('<html lang="es">');
			expect((await open('cancel', token, { 'accept-language': '' })).html).toContain('Cancelar cita');
		} finally {
			await db.admin.query("UPDATE barnum_settings SET default_locale = 'pt-PT'");
		}
	});

	test('English: "Confirm attendance"; the reschedule page labels the appointment booked now', async () => {
		const id = await insertAppointment(db.app, clinic, { date: '2030-07-01', time: '09:30' });
		const confirm = await open('confirm', await linkToken(db, id, 'confirm'), { 'accept-language': 'en-GB,en;q=0.9' });
		expect(confirm.html).toContain('>Confirm attendance</button>');
		expect(confirm.html).toContain('<dt>Date</dt><dd>Monday, July 1, 2030</dd><dt>Time</dt><dd>09:30 AM</dd>');
		const reschedule = await open('reschedule', await linkToken(db, id, 'reschedule'));
		expect(reschedule.html).toContain('<h2 id="current">A sua consulta</h2><dl aria-labelledby="current">');
		expect(reschedule.html).toContain('<dt>Data</dt><dd>segunda-feira, 1 de julho de 2030</dd><dt>Hora</dt><dd>09:30</dd>');
	});
});

test('pages asked for at the same time (read together in one query) each show their own appointment', async () => {
	const times = Array.from({ length: 12 }, (_, i) => `${String(8 + Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}`);
	const links = await Promise.all(
		times.map(async (time) => ({ time, token: await linkToken(db, await insertAppointment(db.app, clinic, { date: '2030-07-02', time }), 'confirm') })),
	);
	// Each link twice, and an unknown one, all in flight together.
	const asked = [...links, ...links, { time: null, token: 'B'.repeat(32) }];
	const pages = await Promise.all(asked.map((link) => open('confirm', link.token)));
	pages.forEach((page, i) => {
		const { time } = asked[i];
		if (time === null) {
			expect(page.status).toBe(404);
			return;
		}
		expect(page.status).toBe(200);
		expect(page.html).toContain(`<dt>Hora</dt><dd>${time}</dd>`);
		expect(page.html).toContain(`name="token" value="${asked[i].token}"`);
	});
});

describe('POST acts, once', () => {
	test('confirm: the appointment is confirmed and the conversation closed; pressing again shows "already confirmed"', async () => {
		const id = await insertAppointment(db.app, clinic);
		const token = await linkToken(db, id, 'confirm');
		const done = await press('confirm', token);
		expect(done.status).toBe(200);
		expect(done.html).toContain('Consulta confirmada');
		expect(await statusOf(id)).toBe('confirmed');
		const record = await db.app.query("SELECT status, response FROM whatsapp_workflows WHERE appointment_id = $1 AND workflow_type = 'pre_confirmation_sent'", [id]);
		expect(record.rows[0]).toEqual({ status: 'completed', response: 'confirmed' });
		const again = await open('confirm', token);
		expect(again.html).toContain('Esta consulta já está confirmada.');
	});

	test('cancel works from confirmed (its own link), and the cancel page of a cancelled appointment says so', async () => {
		const id = await insertAppointment(db.app, clinic);
		await press('confirm', await linkToken(db, id, 'confirm'));
		const cancelToken = await linkToken(db, id, 'cancel');
		const done = await press('cancel', cancelToken);
		expect(done.html).toContain('Consulta cancelada');
		expect(await statusOf(id)).toBe('cancelled');
		// An unused confirm link for the now-cancelled appointment cannot confirm it.
		const confirm = await open('confirm', await linkToken(db, id, 'confirm'));
		expect(confirm.html).toContain('Esta consulta foi cancelada.');
		expect(confirm.html).not.toContain('<button');
	});

	test('reschedule records the request and the preferred time; the appointment keeps its slot', async () => {
		const id = await insertAppointment(db.app, clinic);
		const done = await press('reschedule', await linkToken(db, id, 'reschedule'), { preferred_time: 'Terça à tarde <b>' });
		expect(done.html).toContain('Pedido recebido');
		const record = await db.app.query("SELECT response, metadata FROM whatsapp_workflows WHERE appointment_id = $1 AND workflow_type = 'pre_confirmation_sent'", [id]);
		expect(record.rows[0]).toEqual({ response: 'reschedule requested via link', metadata: { preferred_time: 'Terça à tarde <b>' } });
		expect(await statusOf(id)).toBe('scheduled');
	});

	test('reschedule with no open conversation record (its messages skipped, or none ever sent): the request and preferred time are still recorded', async () => {
		// Every message for this appointment was skipped (Event → Skip), so each of its conversation
		// records is 'skipped'; the clinic then sends a reschedule link by hand (Action Link → Create).
		const skipped = await insertAppointment(db.app, clinic);
		const events = await db.app.query<{ id: string }>("SELECT id FROM whatsapp_events WHERE entity_type = 'appointment' AND entity_id = $1 AND status = 'pending'", [skipped]);
		expect(events.rows.length).toBeGreaterThan(0);
		for (const event of events.rows) expect(await skipEvent(db.app, event.id, 'sent by SMS instead')).toBe(true);
		// An appointment entered after its time had passed: the triggers created no record at all.
		const imported = await insertAppointment(db.app, clinic, { daysAhead: -1 });
		expect((await db.app.query('SELECT 1 FROM whatsapp_workflows WHERE appointment_id = $1', [imported])).rowCount).toBe(0);

		for (const [id, preferred] of [[skipped, 'Quinta de manhã'], [imported, 'Qualquer dia depois das 17h']]) {
			const token = (await createActionLink(db.app, { appointmentId: id, action: 'reschedule' })).token;
			const page = await open('reschedule', token);
			expect(page.status).toBe(200);
			expect(page.html).toContain('>Pedir nova data</button>');
			const done = await press('reschedule', token, { preferred_time: preferred }, page.html);
			expect(done.status).toBe(200);
			expect(done.html).toContain('Pedido recebido');
			const records = await db.app.query(
				"SELECT workflow_type, status, response, metadata FROM whatsapp_workflows WHERE appointment_id = $1 AND response = 'reschedule requested via link'",
				[id],
			);
			expect(records.rows).toEqual([
				{ workflow_type: 'reschedule_request', status: 'completed', response: 'reschedule requested via link', metadata: { preferred_time: preferred } },
			]);
			expect(await statusOf(id)).toBe('scheduled');
			// The link is used: opening it again says the request was received.
			expect((await open('reschedule', token)).html).toContain('Já recebemos o seu pedido. Vamos contactá-lo.');
		}
	});

	test('a POST without the page\'s nonce changes nothing and shows the page again', async () => {
		const id = await insertAppointment(db.app, clinic);
		const token = await linkToken(db, id, 'confirm');
		const res = await fetch(link('confirm', token), {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: `type=confirm&token=${token}`,
		});
		expect(res.status).toBe(400);
		expect(await res.text()).toContain('Carregue outra vez no botão');
		expect(await statusOf(id)).toBe('scheduled');
		const forged = await press('confirm', token, { nonce: 'lzyh0000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
		expect(forged.status).toBe(400);
		expect(await statusOf(id)).toBe('scheduled');
	});

	test('unknown, expired, used-and-undone and wrong-type tokens all get the same page, which reveals nothing', async () => {
		const id = await insertAppointment(db.app, clinic);
		const expired = await linkToken(db, id, 'confirm');
		await db.admin.query("UPDATE whatsapp_action_tokens SET expires_at = now() - interval '1 s' WHERE token_hash = barnum_token_hash($1)", [expired]);
		const undone = await linkToken(db, id, 'confirm');
		await press('confirm', undone);
		await db.app.query("UPDATE appointments SET status = 'scheduled' WHERE id = $1", [id]);
		const cancelToken = await linkToken(db, id, 'cancel');
		const pages = await Promise.all([
			open('confirm', 'A'.repeat(32)),
			open('confirm', expired),
			open('confirm', undone),
			open('confirm', cancelToken),
			open('confirm', '<script>'),
			fetch(`${server.url}/api/action?type=delete&token=x`).then(async (r) => ({ status: r.status, html: await r.text() })),
		]);
		for (const page of pages) {
			expect(page.status).toBe(404);
			expect(page.html).toBe(pages[0].html);
		}
		expect(pages[0].html).toContain('Ligação inválida ou expirada');
		expect(pages[0].html).not.toContain('João');
	});

	test('20 simultaneous presses of one link: exactly one acts', async () => {
		const id = await insertAppointment(db.app, clinic);
		const token = await linkToken(db, id, 'cancel');
		const page = (await open('cancel', token)).html;
		const results = await Promise.all(Array.from({ length: 20 }, () => press('cancel', token, {}, page)));
		expect(results.filter((r) => r.html.includes('A sua consulta foi cancelada.'))).toHaveLength(1);
		expect(results.filter((r) => r.html.includes('Esta consulta já foi cancelada.'))).toHaveLength(19);
		const records = await db.app.query(
			"SELECT workflow_type, status, response FROM whatsapp_workflows WHERE appointment_id = $1 ORDER BY workflow_type",
			[id],
		);
		expect(records.rows).toEqual([
			{ workflow_type: 'appointment_reminder', status: 'completed', response: 'cancelled' },
			{ workflow_type: 'pre_confirmation_sent', status: 'completed', response: 'cancelled' },
		]);
	});
});

/** What a press could change: the appointment, its conversation records and events, the token. */
async function snapshot(id: string, token: string) {
	const [appointment, records, events, used] = await Promise.all([
		db.app.query('SELECT status, date::text, time::text, cancellation_reason, updated_at FROM appointments WHERE id = $1', [id]),
		db.app.query('SELECT id, workflow_type, status, response, metadata, updated_at FROM whatsapp_workflows WHERE appointment_id = $1 ORDER BY id', [id]),
		db.app.query('SELECT id, event_type, status, updated_at FROM whatsapp_events WHERE entity_id = $1 ORDER BY id', [id]),
		db.app.query('SELECT used_at FROM whatsapp_action_tokens WHERE token_hash = barnum_token_hash($1)', [token]),
	]);
	return { appointment: appointment.rows, records: records.rows, events: events.rows, used: used.rows };
}

describe('appointments that already happened (completed) or were missed (no_show)', () => {
	const CLOSED = { completed: 'Esta consulta já se realizou.', no_show: 'A data desta consulta já passou.' };

	for (const status of ['completed', 'no_show'] as const) {
		for (const action of ['cancel', 'reschedule'] as const) {
			if (status === 'no_show' && action === 'reschedule') continue; // the no-show prompt's own link: below
			test(`${status}: the ${action} link says it can no longer be changed, and a press from a page opened before changes nothing`, async () => {
				const id = await insertAppointment(db.app, clinic);
				const token = await linkToken(db, id, action);
				// The patient opened the page while the appointment was still ahead …
				const before = await open(action, token);
				expect(before.html).toContain('<button');
				// … and the front desk then closed it.
				await db.app.query('UPDATE appointments SET status = $2 WHERE id = $1', [id, status]);
				const state = await snapshot(id, token);

				const page = await open(action, token);
				expect(page.status).toBe(200);
				expect(page.html).toContain(`<h1 id="title">${action === 'cancel' ? 'Cancelar consulta' : 'Pedir nova data'}</h1>`);
				expect(page.html).toContain(`${CLOSED[status]} Para qualquer alteração, contacte a clínica.`);
				expect(page.html).not.toContain('<button');
				expect(page.html).not.toContain('<form');

				const pressed = await press(action, token, action === 'reschedule' ? { preferred_time: 'Sexta' } : {}, before.html);
				expect(pressed.status).toBe(200);
				expect(pressed.html).toContain(CLOSED[status]);
				expect(pressed.html).not.toContain('<button');
				expect(await snapshot(id, token)).toEqual(state);
			});
		}
	}

	test('no_show: the reschedule link (the one the no-show prompt carries) still asks for a new date, and the press answers the prompt', async () => {
		const id = await insertAppointment(db.app, clinic);
		await db.app.query("UPDATE appointments SET status = 'no_show' WHERE id = $1", [id]);
		const token = await linkToken(db, id, 'reschedule');
		const page = await open('reschedule', token);
		expect(page.status).toBe(200);
		expect(page.html).toContain('>Pedir nova data</button>');
		const done = await press('reschedule', token, { preferred_time: 'Segunda de manhã' }, page.html);
		expect(done.html).toContain('Pedido recebido');
		const prompt = await db.app.query("SELECT status, response, metadata FROM whatsapp_workflows WHERE appointment_id = $1 AND workflow_type = 'reschedule_prompt'", [id]);
		expect(prompt.rows).toEqual([{ status: 'completed', response: 'reschedule requested via link', metadata: { preferred_time: 'Segunda de manhã' } }]);
		expect(await statusOf(id)).toBe('no_show');
	});
});

test('once its time has come, an appointment can no longer be confirmed or cancelled by a link; a reschedule can still be asked', async () => {
	const past = await insertAppointment(db.app, clinic, { daysAhead: -1 });
	for (const type of ['confirm', 'cancel']) {
		const page = await open(type, await linkToken(db, past, type as 'confirm' | 'cancel'));
		expect(page.status).toBe(200);
		expect(page.html).toContain('A hora desta consulta já passou.');
		expect(page.html).not.toContain('<form');
	}
	const reschedule = await press('reschedule', await linkToken(db, past, 'reschedule'), { preferred_time: 'amanhã de manhã' });
	expect(reschedule.html).toContain('Pedido recebido');

	// A page opened while the appointment was ahead, pressed after its time came: nothing happens.
	const id = await insertAppointment(db.app, clinic);
	const token = await linkToken(db, id, 'cancel');
	const opened = (await open('cancel', token)).html;
	expect(opened).toContain('<form');
	await db.admin.query('UPDATE appointments SET date = current_date - 1 WHERE id = $1', [id]);
	const late = await press('cancel', token, {}, opened);
	expect(late.html).toContain('A hora desta consulta já passou.');
	expect(await statusOf(id)).toBe('scheduled');
	const used = await db.app.query('SELECT used_at FROM whatsapp_action_tokens WHERE token_hash = barnum_token_hash($1)', [token]);
	expect(used.rows[0].used_at).toBeNull();
});

test('reschedule pressed twice: the second press says the request was received, and the first preferred time stays', async () => {
	const id = await insertAppointment(db.app, clinic);
	const token = await linkToken(db, id, 'reschedule');
	const page = (await open('reschedule', token)).html;
	const first = await press('reschedule', token, { preferred_time: 'Quarta à tarde' }, page);
	expect(first.html).toContain('Pedido recebido');
	const recorded = await snapshot(id, token);
	expect(recorded.used[0].used_at).not.toBeNull();

	const second = await press('reschedule', token, { preferred_time: 'Sábado' }, page);
	expect(second.status).toBe(200);
	expect(second.html).toContain('Já recebemos o seu pedido. Vamos contactá-lo.');
	expect(second.html).not.toContain('<button');
	expect(await snapshot(id, token)).toEqual(recorded);
	const record = await db.app.query("SELECT metadata FROM whatsapp_workflows WHERE appointment_id = $1 AND workflow_type = 'pre_confirmation_sent'", [id]);
	expect(record.rows[0].metadata).toEqual({ preferred_time: 'Quarta à tarde' });
	// A reload shows the same.
	expect((await open('reschedule', token)).html).toContain('Já recebemos o seu pedido. Vamos contactá-lo.');
});

test('the confirm and cancel links of one message: confirm, then cancel with the link issued alongside it', async () => {
	const id = await insertAppointment(db.app, clinic);
	// Both minted before anything is pressed, as the WhatsApp message carries them.
	const confirmToken = await linkToken(db, id, 'confirm');
	const cancelToken = await linkToken(db, id, 'cancel');

	expect((await press('confirm', confirmToken)).html).toContain('Consulta confirmada');
	expect(await statusOf(id)).toBe('confirmed');

	const cancelPage = await open('cancel', cancelToken);
	expect(cancelPage.status).toBe(200);
	expect(cancelPage.html).toContain('>Cancelar consulta</button>');
	const cancelled = await press('cancel', cancelToken, {}, cancelPage.html);
	expect(cancelled.status).toBe(200);
	expect(cancelled.html).toContain('A sua consulta foi cancelada.');
	expect(await statusOf(id)).toBe('cancelled');
	// No reminder goes out for the cancelled appointment.
	const reminders = await db.app.query("SELECT status FROM whatsapp_events WHERE entity_id = $1 AND event_type = 'appointment.reminder'", [id]);
	expect(reminders.rows).toEqual([{ status: 'cancelled' }]);
	// The confirm link's effect has been undone: it now leads nowhere.
	expect((await open('confirm', confirmToken)).status).toBe(404);
	expect((await open('cancel', cancelToken)).html).toContain('Esta consulta já foi cancelada.');
});

test('a POST body over 4 kB is refused with 413, changes nothing and shows no stack trace', async () => {
	const id = await insertAppointment(db.app, clinic);
	const token = await linkToken(db, id, 'cancel');
	const state = await snapshot(id, token);
	// A real press's fields (with a valid nonce), padded past the limit: read, it would cancel.
	const fields = { ...formOf((await open('cancel', token)).html), padding: 'x'.repeat(5000) };
	const res = await fetch(link('cancel', token), {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(fields).toString(),
	});
	const body = await res.text();
	expect(res.status).toBe(413);
	expect(body).not.toMatch(/\bat \S+ \(|node_modules|PayloadTooLargeError|request entity too large/i);
	expect(await snapshot(id, token)).toEqual(state);
	// The same press within the limit acts: the 413 was the size, nothing else.
	expect((await press('cancel', token)).html).toContain('A sua consulta foi cancelada.');
});

test('behind a pooler that cannot keep prepared statements (DATABASE_PREPARED_STATEMENTS=false), the pages work the same', async () => {
	const plain = await serveTestDatabase(db, { RATE_LIMIT_ACTION_PER_MINUTE: '1000', DATABASE_PREPARED_STATEMENTS: 'false' });
	try {
		const id = await insertAppointment(db.app, clinic);
		const token = await linkToken(db, id, 'confirm');
		const url = `${plain.url}/api/action?type=confirm&token=${token}`;
		const page = await (await fetch(url)).text();
		expect(page).toContain('Confirmar consulta');
		const done = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams(formOf(page)).toString(),
		});
		expect(await done.text()).toContain('Consulta confirmada');
		expect(await statusOf(id)).toBe('confirmed');
	} finally {
		await plain.stop();
	}
});

