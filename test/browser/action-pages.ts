/**
 * The patient's action pages as a browser sees them: a clinic scene (Clínica Sorriso, Dr. Maria
 * Santos, João Silva), a phone-sized Chromium, and a walk through every page a link can show.
 * Shared by test/browser/action-pages.test.ts and scripts/screenshots.ts, which runs this file
 * with Node's own TypeScript support: keep it free of relative imports and of syntax that is not
 * erasable (enums, namespaces, parameter properties), and take the database as a function.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, LaunchOptions, Page, Response } from 'playwright-core';

/**
 * The machine's Chromium (test tools cannot download their own here): CHROMIUM_PATH when set,
 * else Debian's or Ubuntu's package, else Google Chrome. Undefined when there is none.
 */
export const CHROMIUM_PATH: string | undefined = process.env.CHROMIUM_PATH
	? existsSync(process.env.CHROMIUM_PATH)
		? process.env.CHROMIUM_PATH
		: undefined
	: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome'].find((file) => existsSync(file));

/** What to do when there is no browser: one line, said once instead of every browser test failing alike. */
export const NO_CHROMIUM = process.env.CHROMIUM_PATH
	? `The browser tests need Chromium, and CHROMIUM_PATH (${process.env.CHROMIUM_PATH}) does not exist: point it at a Chromium or Chrome binary.`
	: 'The browser tests need Chromium and found none: install it (Debian: sudo apt-get install chromium; Ubuntu: chromium-browser), or set CHROMIUM_PATH to a Chromium or Chrome binary.';

/** That Chromium, headless, quiet, and able to run as root. */
export const CHROMIUM: LaunchOptions = {
	executablePath: CHROMIUM_PATH,
	args: [
		'--headless',
		'--no-sandbox',
		'--disable-gpu',
		'--disable-background-networking',
		'--disable-component-update',
		'--no-first-run',
		'--disable-sync',
		'--disable-quic',
	],
};

/** A mid-size phone (iPhone 12–15 class): 390×844 CSS pixels at 2× density, touch. */
export const PHONE: BrowserContextOptions = {
	viewport: { width: 390, height: 844 },
	deviceScaleFactor: 2,
	isMobile: true,
	hasTouch: true,
	userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
};

export type LinkAction = 'confirm' | 'cancel' | 'reschedule';
/** The languages of the screenshots. */
export type PageLocale = 'pt-PT' | 'en';
export const PAGE_LOCALES: PageLocale[] = ['pt-PT', 'en'];
/** Every language the pages speak (server/pages/messages.ts): the accessibility and size checks cover them all. */
export type PageLanguage = PageLocale | 'pt-BR' | 'es';
export const PAGE_LANGUAGES: PageLanguage[] = ['pt-PT', 'en', 'pt-BR', 'es'];

/** Runs SQL as a role that may update barnum_settings (the owner/superuser). */
export type Sql = (text: string, params?: unknown[]) => Promise<{ rows: Array<Record<string, unknown>> }>;

export interface Scene {
	patientId: string;
	/** A new appointment on a weekday `daysAhead` (default 4) or more days from today, clinic time, at 10:30, and one link for it. */
	newLink(action: LinkAction, options?: { daysAhead?: number }): Promise<{ appointmentId: string; token: string }>;
}

/** The clinic the screenshots show. The patient has no stored language: the browser chooses. */
export async function seedScene(sql: Sql): Promise<Scene> {
	await sql("UPDATE barnum_settings SET business_name = 'Clínica Sorriso'");
	const specialty = await sql("INSERT INTO specialties (name) VALUES ('Medicina Dentária') RETURNING id");
	const specialtyId = specialty.rows[0].id as string;
	const professional = await sql("INSERT INTO professionals (name, specialty_id) VALUES ('Dr. Maria Santos', $1) RETURNING id", [specialtyId]);
	const professionalId = professional.rows[0].id as string;
	const patient = await sql("INSERT INTO patients (name, phone) VALUES ('João Silva', '+351912345678') RETURNING id");
	const patientId = patient.rows[0].id as string;
	return {
		patientId,
		async newLink(action, options = {}) {
			const appointment = await sql(
				// The first weekday at least `daysAhead` days away: the clinic is closed at weekends.
				`INSERT INTO appointments (patient_id, professional_id, specialty_id, date, time, status)
				 SELECT $1, $2, $3, d + CASE extract(isodow FROM d) WHEN 6 THEN 2 WHEN 7 THEN 1 ELSE 0 END, '10:30', 'scheduled'
				   FROM (SELECT (now() AT TIME ZONE s.timezone)::date + $4::int AS d FROM barnum_settings s) day
				 RETURNING id`,
				[patientId, professionalId, specialtyId, options.daysAhead ?? 4],
			);
			const appointmentId = appointment.rows[0].id as string;
			const token = await sql('SELECT generate_action_token($1, $2, $3) AS token', [action, appointmentId, patientId]);
			return { appointmentId, token: token.rows[0].token as string };
		},
	};
}

export function actionUrl(baseUrl: string, action: string, token: string): string {
	return `${baseUrl}/api/action?type=${action}&token=${encodeURIComponent(token)}`;
}

/** Every page a link can lead to, by the name its screenshot carries. */
export const PAGE_NAMES = ['confirm', 'cancel', 'reschedule', 'confirmed', 'cancelled', 'reschedule-requested', 'invalid'] as const;
export type PageName = (typeof PAGE_NAMES)[number];

const PRESSED: Partial<Record<PageName, LinkAction>> = { confirmed: 'confirm', cancelled: 'cancel', 'reschedule-requested': 'reschedule' };

export const PREFERRED_TIME: Record<PageLanguage, string> = {
	'pt-PT': 'Terça ou quarta-feira à tarde, depois das 15h',
	en: 'Tuesday or Wednesday afternoon, after 3 pm',
	'pt-BR': 'Terça ou quarta à tarde, depois das 15h',
	es: 'Martes o miércoles por la tarde, después de las 15 h',
};

/** The phone context for one language (the browser's Accept-Language names it). */
export function phoneContext(browser: Browser, locale: PageLanguage, extra: BrowserContextOptions = {}): Promise<BrowserContext> {
	return browser.newContext({ ...PHONE, locale, timezoneId: 'Europe/Lisbon', ...extra });
}

/**
 * Presses the open ready page's one button with a real click (on a reschedule page, after typing
 * a preferred time) and returns the server's answer, the page now shown.
 */
export async function pressButton(page: Page, action: LinkAction, locale: PageLanguage): Promise<Response> {
	if (action === 'reschedule') await page.locator('textarea').fill(PREFERRED_TIME[locale]);
	const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.locator('button[type=submit]').click()]);
	await page.waitForLoadState('load');
	return response;
}

/**
 * Opens (and for the outcome pages, fills in and presses) one page of a fresh link in `page`,
 * the way a patient would: a real click on the page's one button. Returns the server's answer
 * for the page shown.
 */
export async function showPage(page: Page, baseUrl: string, scene: Scene, name: PageName, locale: PageLanguage): Promise<Response | null> {
	if (name === 'invalid') return page.goto(actionUrl(baseUrl, 'confirm', 'this-link-was-never-issued-0000'));
	const action: LinkAction = PRESSED[name] ?? (name as LinkAction);
	const { token } = await scene.newLink(action);
	const opened = await page.goto(actionUrl(baseUrl, action, token));
	return PRESSED[name] ? pressButton(page, action, locale) : opened;
}

export function screenshotPath(dir: string, name: PageName, locale: PageLocale): string {
	return path.join(dir, `action-${name}-${locale}.png`);
}

/** Saves docs/screenshots/action-<page>-<locale>.png for every page in both languages. */
export async function captureScreenshots(browser: Browser, baseUrl: string, scene: Scene, dir: string): Promise<string[]> {
	await mkdir(dir, { recursive: true });
	const written: string[] = [];
	for (const locale of PAGE_LOCALES) {
		const context = await phoneContext(browser, locale);
		try {
			const page = await context.newPage();
			for (const name of PAGE_NAMES) {
				await showPage(page, baseUrl, scene, name, locale);
				const file = screenshotPath(dir, name, locale);
				await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
				written.push(file);
			}
		} finally {
			await context.close();
		}
	}
	return written;
}
