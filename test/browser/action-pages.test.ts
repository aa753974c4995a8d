/**
 * The action pages in a real Chromium (Debian's, driven by playwright-core) on a phone-sized
 * screen: a patient reads the appointment and presses the one button; link scanners and preview
 * bots (plain GET, HEAD, a full JavaScript page load) change nothing; axe-core finds no serious
 * accessibility problem; the CSP really keeps scripts out.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { RunningServer } from '../../server/serve';
import { freshDatabase, type TestDatabase } from '../helpers/database';
import { serveTestDatabase } from '../helpers/server';
import {
	CHROMIUM,
	PAGE_LOCALES,
	PAGE_NAMES,
	PREFERRED_TIME,
	actionUrl,
	captureScreenshots,
	phoneContext,
	seedScene,
	showPage,
	type PageLocale,
	type PageName,
	type Scene,
} from './action-pages';

let db: TestDatabase;
let server: RunningServer;
let browser: Browser;
let scene: Scene;

beforeAll(async () => {
	db = await freshDatabase();
	[browser] = await Promise.all([
		chromium.launch(CHROMIUM),
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
async function onPhone<T>(locale: PageLocale, use: (page: Page, context: BrowserContext) => Promise<T>, extra: BrowserContextOptions = {}): Promise<T> {
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
	test('confirm: sees the appointment, presses "Confirmar presença", the appointment is confirmed', async () => {
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

	test('cancel (in English): presses "Cancel appointment", the appointment is cancelled', async () => {
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

	test('reschedule: types a preferred time in the labelled box, presses, the request is recorded and the slot kept', async () => {
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

	test.each(['confirm', 'cancel', 'reschedule'] as const)('%s link: GET, HEAD and full JavaScript page loads leave it unused', async (action) => {
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

describe('accessibility (axe-core)', () => {
	const axeSource = require.resolve('axe-core');
	const cases = PAGE_LOCALES.flatMap((locale) => PAGE_NAMES.map((name) => [name, locale] as [PageName, PageLocale]));

	test(`no serious or critical violations on ${cases.length} pages (${PAGE_NAMES.join(', ')}; ${PAGE_LOCALES.join(' and ')})`, async () => {
		const found: string[] = [];
		// The pages' CSP allows no script at all, axe included: bypass it for these runs only.
		await Promise.all(
			PAGE_LOCALES.map((locale) =>
				onPhone(
					locale,
					async (page) => {
						for (const name of PAGE_NAMES) {
							await showPage(page, server.url, scene, name, locale);
							await page.addScriptTag({ path: axeSource });
							const violations = await page.evaluate(async () => {
								const axe = (window as unknown as { axe: { run(options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
								const result = await axe.run({ resultTypes: ['violations'] });
								return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
							});
							for (const v of violations) {
								if (v.impact === 'serious' || v.impact === 'critical') found.push(`${name} (${locale}): [${v.impact}] ${v.id} — ${v.help} at ${v.nodes.join(', ')}`);
							}
						}
					},
					{ bypassCSP: true },
				),
			),
		);
		// On failure jest prints the list: page, language, impact, rule, what to fix and where.
		expect(found).toEqual([]);
	});
});

interface AxeViolation {
	id: string;
	impact?: string | null;
	help: string;
	nodes: Array<{ target: string[] }>;
}

describe('the Content-Security-Policy, in a browser that enforces it', () => {
	test('an injected script does not run, and the inline stylesheet (allowed by its hash) does apply', async () => {
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
	test('every page in pt-PT and en, at 390×844 CSS px (780 px wide at 2×)', async () => {
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
