#!/usr/bin/env -S node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON
/**
 * Refreshes the README's pictures of the running system:
 *   docs/screenshots/n8n-canvas.png     the bundled pre-confirmation workflow in the n8n editor
 *   docs/screenshots/sandbox-phone.png  the patient's phone (the WhatsApp sandbox) after booking
 * (the action pages are scripts/screenshots.ts's).
 *
 *   export PATH="$(bash scripts/node24.sh):$PATH"
 *   node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON scripts/screenshots-stack.ts [output-dir]
 *
 * It starts the real stack the end-to-end tests use — embedded PostgreSQL, the companion server,
 * the WhatsApp sandbox and n8n 2.40.7 with this package installed from its npm tarball and the
 * bundled workflows published (first run installs n8n into ~/.cache/barnum: several minutes) —
 * then books an appointment the way a clinic's software would (an INSERT), waits for the
 * pre-confirmation to reach the sandbox, takes both pictures in Debian's Chromium, and stops
 * everything it started.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(path.join(root, 'package.json'));
const outDir = path.resolve(process.argv[2] ?? path.join(root, 'docs', 'screenshots'));

// The module that starts the whole stack, throwaway, as the end-to-end tests do (startStack).
const STACK_MODULE = 'test/e2e/stack/stack.ts';
const WORKFLOW = 'clinic-pre-confirmation';
// Compiled for this run only, then removed: a build elsewhere in the checkout (npm run build empties
// build/) cannot pull the running code away.
const COMPILED = path.join(root, 'node_modules', '.cache', 'barnum-screenshots-stack');
const PHONE = '+351912345678';
const CHROMIUM = {
	executablePath: '/usr/bin/chromium',
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
};

const say = (message: string) => process.stderr.write(`screenshots: ${message}\n`);

/**
 * The stack is TypeScript with extensionless imports, which Node's type stripping cannot load:
 * compile it (and what it imports) into a folder inside the checkout, from which core/paths still
 * finds the package root (it walks up to the folder that ships sql/).
 */
function compileStack(): string {
	rmSync(COMPILED, { recursive: true, force: true });
	const options = [
		'--outDir', COMPILED, '--rootDir', root,
		'--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2023',
		'--types', 'node', '--esModuleInterop', '--resolveJsonModule', '--skipLibCheck', '--strict',
		'--useUnknownInCatchVariables', 'false', '--sourceMap', 'false', '--declaration', 'false',
	];
	const built = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), ...options, path.join(root, STACK_MODULE)], {
		cwd: root,
		stdio: 'inherit',
	});
	const compiled = path.join(COMPILED, STACK_MODULE.replace(/\.ts$/, '.js'));
	// tsc emits even when it reports type errors (work in progress elsewhere): use what it emitted.
	if (built.status !== 0) say('tsc reported errors (above); using the emitted JavaScript anyway');
	if (!existsSync(compiled)) throw new Error(`tsc did not emit ${compiled}`);
	return compiled;
}

const { startStack } = require(compileStack());
const { chromium } = require('playwright-core');

mkdirSync(outDir, { recursive: true });
const stack = await startStack();
let browser: Browser | undefined;
const cleanUp = async () => {
	await browser?.close();
	await stack.stop();
	rmSync(COMPILED, { recursive: true, force: true });
};
const interrupted = () => {
	say('interrupted: stopping the stack');
	void cleanUp().finally(() => process.exit(130));
};
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);
try {
	const launched: Browser = await chromium.launch(CHROMIUM);
	browser = launched;
	await canvas(launched);
	await phone(launched);
} finally {
	await cleanUp();
}

async function canvas(browser: Browser): Promise<void> {
	const context = await browser.newContext({ viewport: { width: 1440, height: 810 }, deviceScaleFactor: 1, locale: 'en-US' });
	const page = await context.newPage();
	// The editor's own login call, as the owner the stack created: the session cookie lands in
	// this browser context.
	const owner: { email: string; password: string } = stack.local?.owner ?? stack.n8n.owner;
	const login = await page.request.post(`${stack.n8n.url}/rest/login`, {
		data: { emailOrLdapLoginId: owner.email, password: owner.password },
	});
	if (!login.ok()) throw new Error(`n8n login failed: ${login.status()} ${await login.text()}`);
	await page.goto(`${stack.n8n.url}/workflow/${stack.workflows[WORKFLOW]}`, { waitUntil: 'networkidle' });
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60_000 });
	await page.keyboard.press('Escape');
	// Fit the whole workflow (its sticky note included) in view, as "Zoom to fit" (key 1) does.
	await page.locator('[data-test-id="canvas-wrapper"], .vue-flow').first().click({ position: { x: 5, y: 5 } }).catch(() => undefined);
	await page.keyboard.press('1');
	await page.waitForTimeout(1000);
	const file = path.join(outDir, 'n8n-canvas.png');
	await page.screenshot({ path: file });
	process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
	await context.close();
}

async function phone(browser: Browser): Promise<void> {
	const db = stack.db;
	const specialty = await db.query("INSERT INTO barnum_clinic.specialties (name) VALUES ('Medicina Dentária') RETURNING id");
	const professional = await db.query("INSERT INTO barnum_clinic.professionals (name, specialty_id) VALUES ('Dr.ª Maria Santos', $1) RETURNING id", [
		specialty.rows[0].id,
	]);
	const patient = await db.query("INSERT INTO barnum_clinic.patients (name, phone) VALUES ('João Silva', $1) RETURNING id", [PHONE]);
	say('booking an appointment: the trigger queues its pre-confirmation');
	const appointment = await db.query(
		"INSERT INTO barnum_clinic.appointments (patient_id, professional_id, specialty_id, date, time) VALUES ($1, $2, $3, current_date + 3, '10:30') RETURNING id",
		[patient.rows[0].id, professional.rows[0].id, specialty.rows[0].id],
	);
	const appointmentId = appointment.rows[0].id;
	const deadline = Date.now() + 90_000;
	for (;;) {
		const { rows } = await db.query(
			"SELECT status FROM barnum.whatsapp_events WHERE entity_id = $1 AND event_type = 'appointment.pre_confirmed'",
			[appointmentId],
		);
		if (rows[0]?.status === 'sent') break;
		if (Date.now() > deadline) throw new Error(`the pre-confirmation was not sent within 90 s (event status: ${rows[0]?.status})`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	// Let the sandbox's sent → delivered → read statuses go out, so the ticks are final.
	await fetch(`${stack.sandbox.url}/_sandbox/settle`, { method: 'POST' });
	const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'pt-PT' });
	const page = await context.newPage();
	await page.goto(`${stack.sandbox.url}/_sandbox/phones/${encodeURIComponent(PHONE)}`);
	const file = path.join(outDir, 'sandbox-phone.png');
	await page.screenshot({ path: file });
	process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
	await context.close();
}
