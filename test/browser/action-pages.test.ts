/**
 * The action pages in a real Chromium (Debian's, driven by playwright-core) on a phone-sized
 * screen: a patient reads the appointment and presses the one button; link scanners and preview
 * bots (plain GET, HEAD, a full JavaScript page load) change nothing; every page the server can
 * render, in each of its four languages, is under 15 KB and axe-core finds no serious
 * accessibility problem on it; the CSP really keeps scripts out.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page, type Response } from 'playwright-core';
import { LOCALES, MESSAGES, type Messages } from '../../server/pages/messages';
import type { RunningServer } from '../../server/serve';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { serveTestDatabase } from '../helpers/server';
import {
	CHROMIUM,
	CHROMIUM_PATH,
	NO_CHROMIUM,
	PAGE_LANGUAGES,
	PAGE_LOCALES,
	PAGE_NAMES,
	PREFERRED_TIME,
	actionUrl,
	captureScreenshots,
	phoneContext,
	pressButton,
	seedScene,
	showPage,
	type LinkAction,
	type PageLanguage,
	type PageLocale,
	type PageName,
	type Scene,
} from './action-pages';

// With no browser on the machine, one test says what to install and the others are skipped.
const browserTest = CHROMIUM_PATH ? test : test.skip;
if (!CHROMIUM_PATH) {
	test(NO_CHROMIUM, () => {
		const missing = new Error(NO_CHROMIUM);
		missing.stack = NO_CHROMIUM;
		throw missing;
	});
}

let db: TestDatabase;
let server: RunningServer;
let browser: Browser;
let scene: Scene;

beforeAll(async () => {
	db = await freshDatabase();
	[browser] = await Promise.all([
		CHROMIUM_PATH ? chromium.launch(CHROMIUM) : undefined,
		(async () => {
			scene = await seedScene((text, params) => db.admin.query(text, params));
			server = await serveTestDatabase(db, { RATE_LIMIT_ACTION_PER_MINUTE: '100000' });
		})(),
	]);
});
afterAll(async () => {
	await browser?.close();
	await server?.stop();
	await db?.drop();
});

const statusOf = async (id: string) => (await db.app.query('SELECT status FROM appointments WHERE id = $1', [id])).rows[0].status;
const usedAt = async (token: string) =>
	(await db.app.query('SELECT used_at FROM whatsapp_action_tokens WHERE token_hash = barnum_token_hash($1)', [token])).rows[0].used_at;
const rescheduleRecord = async (id: string) =>
	(
		await db.app.query(
			"SELECT response, metadata FROM whatsapp_workflows WHERE appointment_id = $1 AND workflow_type = 'pre_confirmation_sent'",
			[id],
		)
	).rows[0];

/** A phone context for the test's duration, closed whatever happens. */
async function onPhone<T>(locale: PageLanguage, use: (page: Page, context: BrowserContext) => Promise<T>, extra: BrowserContextOptions = {}): Promise<T> {
	const context = await phoneContext(browser, locale, extra);
	try {
		return await use(await context.newPage(), context);
	} finally {
		await context.close();
	}
}

/** The details list as term → value. */
async function detailsOf(page: Page): Promise<Record<string, string>> {
	const terms = await page.locator('dl dt').allTextContents();
	const values = await page.locator('dl dd').allTextContents();
	return Object.fromEntries(terms.map((term, i) => [term, values[i]]));
}

/** The appointment's day as the page should say it, in the clinic's timezone. */
async function dayOf(appointmentId: string, locale: PageLocale): Promise<string> {
	const { rows } = await db.app.query('SELECT starts_at FROM appointments WHERE id = $1', [appointmentId]);
	return new Intl.DateTimeFormat(locale, { timeZone: 'Europe/Lisbon', day: 'numeric', month: 'long', year: 'numeric' }).format(rows[0].starts_at);
}

/** Presses the page's one button with a real (trusted) click and waits for the answer page. */
async function press(page: Page, name: string): Promise<void> {
	const button = page.getByRole('button', { name });
	await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), button.click()]);
	await page.waitForLoadState('load');
}

const GREEN = '#0b6e4f';
const RED = '#b3261e';
const SLATE = '#64748b';

describe('a patient on a phone', () => {
	browserTest('confirm: sees the appointment, presses "Confirmar presença", the appointment is confirmed', async () => {
		const { appointmentId, token } = await scene.newLink('confirm');
		await onPhone('pt-PT', async (page) => {
			await page.goto(actionUrl(server.url, 'confirm', token));
			await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Confirmar consulta');
			await expect(page.locator('.lead').textContent()).resolves.toContain('Olá, João.');
			const details = await detailsOf(page);
			// Date and time on lines of their own.
			expect(details.Data).toContain(await dayOf(appointmentId, 'pt-PT'));
			expect(details.Hora).toBe('10:30');
			expect(details).toMatchObject({ Profissional: 'Dr. Maria Santos', Especialidade: 'Medicina Dentária', Clínica: 'Clínica Sorriso' });
			expect(await page.getByRole('button').count()).toBe(1);
			// What the press does is said right under the button, and tied to it for screen readers.
			await expect(page.locator('form button + p.after').textContent()).resolves.toBe('A clínica recebe a sua confirmação de imediato.');
			await expect(page.getByRole('button').getAttribute('aria-describedby')).resolves.toBe('after');
			expect(await statusOf(appointmentId)).toBe('scheduled');

			await press(page, 'Confirmar presença');
			await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Consulta confirmada');
			await expect(page.getByRole('status').textContent()).resolves.toBe('Obrigado! Esperamos por si.');
			// The green check above the heading.
			await expect(page.locator('main > svg.icon circle').getAttribute('fill')).resolves.toBe(GREEN);
			expect(await page.getByRole('button').count()).toBe(0);
		});
		expect(await statusOf(appointmentId)).toBe('confirmed');
		expect(await usedAt(token)).toBeInstanceOf(Date);
	});

	browserTest('cancel (in English): presses "Cancel appointment", the appointment is cancelled', async () => {
		const { appointmentId, token } = await scene.newLink('cancel');
		await onPhone('en', async (page) => {
			await page.goto(actionUrl(server.url, 'cancel', token));
			await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Cancel appointment');
			const details = await detailsOf(page);
			expect(details.Date).toContain(await dayOf(appointmentId, 'en'));
			expect(details.Time).toBe('10:30 AM');
			expect(details).toMatchObject({ With: 'Dr. Maria Santos', Specialty: 'Medicina Dentária', Clinic: 'Clínica Sorriso' });

			// Before the press the question stays calm: a crossed-out calendar in slate, no red but the button.
			await expect(page.locator('main > svg.icon rect').first().getAttribute('fill')).resolves.toBe(SLATE);
			expect(await page.locator(`main > svg.icon [fill="${RED}"]`).count()).toBe(0);
			await press(page, 'Cancel appointment');
			await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Appointment cancelled');
			// The outcome, like the confirmed page's green check: a red circle with a white X, no calendar.
			// (Counted rather than read, so a missing icon fails at once instead of waiting for it.)
			const redX = page.locator(`main > svg.icon:has(> circle[fill="${RED}"]):has(> path[stroke="#fff"])`);
			expect(await redX.count()).toBe(1);
			expect(await page.locator('main > svg.icon rect').count()).toBe(0);

			// Opening the link again says it is already cancelled, with the same red X.
			await page.goto(actionUrl(server.url, 'cancel', token));
			await expect(page.getByRole('status').textContent()).resolves.toBe('This appointment is already cancelled.');
			expect(await redX.count()).toBe(1);
		});
		expect(await statusOf(appointmentId)).toBe('cancelled');
	});

	browserTest('reschedule: types a preferred time in the labelled box, presses, the request is recorded and the slot kept', async () => {
		const { appointmentId, token } = await scene.newLink('reschedule');
		await onPhone('pt-PT', async (page) => {
			await page.goto(actionUrl(server.url, 'reschedule', token));
			await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Pedir nova data');
			// The appointment shown is the one booked now, and says so.
			await expect(page.getByRole('heading', { level: 2 }).textContent()).resolves.toBe('A sua consulta');
			expect((await detailsOf(page)).Data).toContain(await dayOf(appointmentId, 'pt-PT'));
			const box = page.getByLabel('Quando lhe dá jeito? (opcional)');
			await expect(box.getAttribute('aria-describedby')).resolves.toBe('preferred_hint');
			await box.tap();
			await box.pressSequentially(PREFERRED_TIME['pt-PT']);
			await press(page, 'Pedir nova data');
			await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Pedido recebido');
			await expect(page.getByRole('status').textContent()).resolves.toBe('Vamos contactá-lo para combinar uma nova data.');
		});
		expect(await rescheduleRecord(appointmentId)).toEqual({
			response: 'reschedule requested via link',
			metadata: { preferred_time: PREFERRED_TIME['pt-PT'] },
		});
		expect(await statusOf(appointmentId)).toBe('scheduled');
	});
});

describe('link scanners and preview bots change nothing', () => {
	const BOTS = [
		'WhatsApp/2.23.20.0 A',
		'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
		'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
	];

	/** Everything a press could change: the appointment row, its conversations, its tokens. */
	const snapshot = async (appointmentId: string) =>
		(
			await db.admin.query(
				`SELECT (SELECT to_jsonb(a) FROM appointments a WHERE a.id = $1) AS appointment,
				        (SELECT jsonb_agg(to_jsonb(w) ORDER BY w.workflow_type) FROM whatsapp_workflows w WHERE w.appointment_id = $1) AS workflows,
				        (SELECT jsonb_agg(to_jsonb(t) ORDER BY t.token_hash) FROM whatsapp_action_tokens t WHERE t.appointment_id = $1) AS tokens`,
				[appointmentId],
			)
		).rows[0];

	browserTest.each(['confirm', 'cancel', 'reschedule'] as const)('%s link: GET, HEAD and full JavaScript page loads leave it unused', async (action) => {
		const { appointmentId, token } = await scene.newLink(action);
		const url = actionUrl(server.url, action, token);
		const before = await snapshot(appointmentId);

		const get = await fetch(url, { headers: { 'user-agent': BOTS[0] } });
		expect(get.status).toBe(200);
		expect(await get.text()).toContain('<form method="post"');
		const head = await fetch(url, { method: 'HEAD', headers: { 'user-agent': BOTS[1] } });
		expect(head.status).toBe(200);

		// A preview bot that runs a real browser: JavaScript on, waits for the network to settle.
		await Promise.all(
			BOTS.map((userAgent) =>
				onPhone(
					'pt-PT',
					async (page) => {
						const response = await page.goto(url, { waitUntil: 'networkidle' });
						expect(response?.status()).toBe(200);
						await page.waitForTimeout(300);
					},
					{ userAgent, javaScriptEnabled: true },
				),
			),
		);

		expect(await statusOf(appointmentId)).toBe('scheduled');
		expect(await usedAt(token)).toBeNull();
		expect(await snapshot(appointmentId)).toEqual(before);
	});
});

describe('accessibility (axe-core) and size', () => {
	const axeSource = require.resolve('axe-core');
	const KB15 = 15 * 1024;
	const ACTIONS: LinkAction[] = ['confirm', 'cancel', 'reschedule'];
	const DONE: Record<LinkAction, PageName> = { confirm: 'confirmed', cancel: 'cancelled', reschedule: 'reschedule-requested' };

	/** What a page must be: its HTTP status, its one heading, its live region (if any), its button (if any). */
	interface Expected {
		status: number;
		heading: string;
		live?: { role: 'status' | 'alert'; text: string };
		button?: string;
	}
	/** One distinct page of server/pages/render.ts, brought up the way it happens to a patient. */
	/** What a page turned out to be, beside the language it declares and whether it is under 15 KB. */
	type Seen = Expected & { lang: string | null; size: string };
	interface PageCase {
		name: string;
		open(page: Page, locale: PageLanguage): Promise<Response | null>;
		expected(m: Messages): Expected;
	}

	/** A fresh link, optionally with its appointment changed first, opened in `page`. */
	async function openLink(page: Page, action: LinkAction, change?: (appointmentId: string) => Promise<unknown>) {
		const { appointmentId, token } = await scene.newLink(action);
		await change?.(appointmentId);
		return { token, response: await page.goto(actionUrl(server.url, action, token)) };
	}
	const setStatus = (status: string) => (id: string) => db.admin.query('UPDATE appointments SET status = $2 WHERE id = $1', [id, status]);
	const yesterday = (id: string) => db.admin.query('UPDATE appointments SET date = current_date - 1 WHERE id = $1', [id]);

	// Each reason a closed page can give (core/action-links/state.ts, renderOutcome). closed.other
	// has no state that reaches it: every closing status has its own words, and an appointment
	// whose time has come says so.
	const CLOSED: Array<{ name: string; action: LinkAction; change: (id: string) => Promise<unknown>; reason: keyof Messages['closed'] }> = [
		{ name: 'closed: confirm link, appointment cancelled', action: 'confirm', change: setStatus('cancelled'), reason: 'cancelled' },
		{ name: 'closed: cancel link, appointment completed', action: 'cancel', change: setStatus('completed'), reason: 'completed' },
		{ name: 'closed: confirm link, appointment missed (no_show)', action: 'confirm', change: setStatus('no_show'), reason: 'no_show' },
		{ name: 'closed: cancel link, appointment time passed', action: 'cancel', change: yesterday, reason: 'past' },
		// The reschedule pages caption the details ("Your appointment"): a closed one too.
		{ name: 'closed: reschedule link, appointment cancelled', action: 'reschedule', change: setStatus('cancelled'), reason: 'cancelled' },
	];

	const PAGES: PageCase[] = [
		// Ready: the appointment and its one button.
		...ACTIONS.map((action) => ({
			name: action,
			open: (page: Page, locale: PageLanguage) => showPage(page, server.url, scene, action, locale),
			expected: (m: Messages) => ({ status: 200, heading: m.title[action], button: m.button[action] }),
		})),
		// A press without a valid nonce (here one that no longer checks, as after the page sat open
		// too long): the ready page again, 400, with a notice asking for another press.
		...ACTIONS.map((action) => ({
			name: `${action}, pressed again`,
			open: async (page: Page, locale: PageLanguage) => {
				await openLink(page, action);
				await page.locator('input[name=nonce]').evaluate((input: HTMLInputElement) => {
					input.value = `${(Date.now() - 3 * 60 * 60 * 1000).toString(36)}.${input.value.split('.')[1]}`;
				});
				return pressButton(page, action, locale);
			},
			expected: (m: Messages) => ({ status: 400, heading: m.title[action], live: { role: 'status' as const, text: m.pressAgain }, button: m.button[action] }),
		})),
		// Done, by this press.
		...ACTIONS.map((action) => ({
			name: DONE[action],
			open: (page: Page, locale: PageLanguage) => showPage(page, server.url, scene, DONE[action], locale),
			expected: (m: Messages) => ({ status: 200, heading: m.done[action].title, live: { role: 'status' as const, text: m.done[action].body } }),
		})),
		// Already done: the used link opened again.
		...ACTIONS.map((action) => ({
			name: `${DONE[action]}, link opened again`,
			open: async (page: Page, locale: PageLanguage) => {
				const { token } = await openLink(page, action);
				await pressButton(page, action, locale);
				return page.goto(actionUrl(server.url, action, token));
			},
			expected: (m: Messages) => ({ status: 200, heading: m.done[action].title, live: { role: 'status' as const, text: m.already[action] } }),
		})),
		...CLOSED.map(({ name, action, change, reason }) => ({
			name,
			open: async (page: Page) => (await openLink(page, action, change)).response,
			expected: (m: Messages) => ({ status: 200, heading: m.title[action], live: { role: 'status' as const, text: `${m.closed[reason]} ${m.contactClinic}` } }),
		})),
		{
			name: 'invalid',
			open: (page, locale) => showPage(page, server.url, scene, 'invalid', locale),
			expected: (m) => ({ status: 404, heading: m.invalidTitle }),
		},
		{
			// The server's own address, opened by someone curious (the local stack's banner prints it).
			name: 'front page (/)',
			open: (page) => page.goto(`${server.url}/`),
			expected: (m) => ({ status: 200, heading: m.homeTitle }),
		},
	];
	/** Checked last, on its own: it needs the database out of reach. */
	let failureToken = '';
	const FAILURE: PageCase = {
		name: 'failure (database unreachable)',
		// A patient's real link, opened while the server cannot reach its database.
		open: (page) => page.goto(actionUrl(server.url, 'confirm', failureToken)),
		expected: (m) => ({ status: 500, heading: m.failureTitle, live: { role: 'alert', text: m.failureBody } }),
	};
	const count = PAGES.length + 1;

	browserTest(`${count} pages × ${PAGE_LANGUAGES.length} languages (${PAGE_LANGUAGES.join(', ')}): each is what it should be, in its language, under 15 KB, with no serious or critical axe violation`, async () => {
		// The server speaks these four; every one is checked.
		expect([...PAGE_LANGUAGES].sort()).toEqual([...LOCALES].sort());
		const seen: Record<string, Seen> = {};
		const wanted: Record<string, Seen> = {};
		const violations: string[] = [];

		/** Reads what the page is, measures what the server sent, and runs axe on it. */
		async function check(page: Page, locale: PageLanguage, pageCase: PageCase, response: Response | null): Promise<void> {
			const key = `${pageCase.name} (${locale})`;
			wanted[key] = { ...pageCase.expected(MESSAGES[locale]), lang: locale, size: 'under 15 KB' };
			if (!response) throw new Error(`${key}: no response`);
			expect(response.url()).toContain(server.url);
			const bytes = Buffer.byteLength(await response.text());
			// Read without waiting: a page that is not what it should be shows up in the diff below.
			const [heading, live, buttons, lang] = await Promise.all([
				page.locator('h1').allTextContents(),
				page.locator('[role=status], [role=alert]').evaluateAll((nodes) => nodes.map((n) => ({ role: n.getAttribute('role'), text: n.textContent }))),
				page.getByRole('button').allTextContents(),
				page.locator('html').getAttribute('lang'),
			]);
			const actual: Seen = {
				status: response.status(),
				heading: heading.join(' | '),
				lang,
				size: bytes < KB15 ? 'under 15 KB' : `${bytes} bytes`,
			};
			if (live.length) actual.live = (live.length === 1 ? live[0] : live) as Expected['live'];
			if (buttons.length) actual.button = buttons.join(' | ');
			seen[key] = actual;

			await page.addScriptTag({ path: axeSource });
			const found = await page.evaluate(async () => {
				const axe = (window as unknown as { axe: { run(options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
				const result = await axe.run({ resultTypes: ['violations'] });
				return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
			});
			for (const v of found) {
				if (v.impact === 'serious' || v.impact === 'critical') violations.push(`${key}: [${v.impact}] ${v.id} — ${v.help} at ${v.nodes.join(', ')}`);
			}
		}

		// The pages' CSP allows no script at all, axe included: bypass it for these runs only.
		// One context per language, in parallel; each walks every page.
		await Promise.all(
			PAGE_LANGUAGES.map((locale) =>
				onPhone(locale, async (page) => {
					for (const pageCase of PAGES) await check(page, locale, pageCase, await pageCase.open(page, locale));
				}, { bypassCSP: true }),
			),
		);

		// The failure page, as the server sends it when its database is out of reach: the server's
		// login may no longer connect and its open connections go (as in test/server/operator.test.ts).
		failureToken = (await scene.newLink('confirm')).token;
		const database = `"${db.name}"`;
		await db.admin.query(`ALTER DATABASE ${database} CONNECTION LIMIT 0`);
		try {
			await db.admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'barnum-server'");
			await Promise.all(
				PAGE_LANGUAGES.map((locale) =>
					onPhone(locale, async (page) => check(page, locale, FAILURE, await FAILURE.open(page, locale)), { bypassCSP: true }),
				),
			);
		} finally {
			await db.admin.query(`ALTER DATABASE ${database} CONNECTION LIMIT -1`);
		}

		// On failure jest prints the difference: page, language, and what it showed instead.
		expect(Object.keys(seen)).toHaveLength(count * PAGE_LANGUAGES.length);
		expect(seen).toEqual(wanted);
		// … and every serious problem: page, language, impact, rule, what to fix and where.
		expect(violations).toEqual([]);
	}, 180_000);
});

interface AxeViolation {
	id: string;
	impact?: string | null;
	help: string;
	nodes: Array<{ target: string[] }>;
}

describe('the Content-Security-Policy, in a browser that enforces it', () => {
	browserTest('an injected script does not run, and the inline stylesheet (allowed by its hash) does apply', async () => {
		const { token } = await scene.newLink('confirm');
		await onPhone('pt-PT', async (page) => {
			const blocked: string[] = [];
			page.on('console', (message) => {
				if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
			});
			await page.goto(actionUrl(server.url, 'confirm', token));
			const outcome = await page.evaluate(async () => {
				const violations: string[] = [];
				document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
				const script = document.createElement('script');
				script.textContent = 'document.body.dataset.injected = "ran"';
				document.head.appendChild(script);
				const img = document.createElement('img');
				img.setAttribute('src', 'x');
				img.setAttribute('onerror', 'document.body.dataset.handler = "ran"');
				document.body.appendChild(img);
				await new Promise((resolve) => setTimeout(resolve, 200));
				return { injected: document.body.dataset.injected ?? null, handler: document.body.dataset.handler ?? null, violations };
			});
			expect(outcome.injected).toBeNull();
			expect(outcome.handler).toBeNull();
			expect(outcome.violations).toEqual(expect.arrayContaining(['script-src-elem']));
			expect(blocked.length).toBeGreaterThan(0);
			await expect(page.addScriptTag({ content: 'window.__added = 1' })).rejects.toThrow();
			expect(await page.evaluate(() => (window as unknown as { __added?: number }).__added ?? null)).toBeNull();
			// The stylesheet is the one thing the policy allows: the page really is styled.
			const style = await page.evaluate(() => {
				const button = getComputedStyle(document.querySelector('button')!);
				return { body: getComputedStyle(document.body).backgroundColor, button: button.backgroundColor, width: button.width };
			});
			expect(style).toEqual({ body: 'rgb(243, 245, 244)', button: 'rgb(11, 110, 79)', width: expect.any(String) });
			expect(parseFloat(style.width)).toBeGreaterThan(250);
		});
	});
});

describe('screenshots', () => {
	browserTest('every page in pt-PT and en, at 390×844 CSS px (780 px wide at 2×)', async () => {
		// scripts/screenshots.ts writes docs/screenshots/ with the same code; set
		// BARNUM_SCREENSHOTS_DIR=docs/screenshots to refresh them from here instead.
		const dir = process.env.BARNUM_SCREENSHOTS_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'barnum-shots-'));
		try {
			const files = await captureScreenshots(browser, server.url, scene, dir);
			expect(files.map((f) => path.basename(f))).toHaveLength(PAGE_NAMES.length * PAGE_LOCALES.length);
			for (const file of files) {
				const png = readFileSync(file);
				expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
				expect(png.readUInt32BE(16)).toBe(780);
				expect(png.readUInt32BE(20)).toBeGreaterThanOrEqual(844 * 2);
			}
		} finally {
			if (!process.env.BARNUM_SCREENSHOTS_DIR) rmSync(dir, { recursive: true, force: true });
		}
	});
});
