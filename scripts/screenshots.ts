#!/usr/bin/env -S node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON
/**
 * Refreshes docs/screenshots/action-<page>-<locale>.png: every action page (confirm, cancel,
 * reschedule, their outcomes, and the invalid-link page) in pt-PT and en, on a 390×844 phone at 2×,
 * in Debian's Chromium. The same walk runs in test/browser/action-pages.test.ts.
 *
 *   export PATH="$(bash scripts/node24.sh):$PATH"
 *   node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON scripts/screenshots.ts [output-dir]
 *
 * Node >= 24 runs this file as it is (type stripping). It compiles the project with tsc
 * (incremental, into build/), then starts the real companion server on a throwaway embedded
 * PostgreSQL, seeds Clínica Sorriso, takes the pictures, and removes everything it started.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, captureScreenshots, seedScene } from '../test/browser/action-pages.ts';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(path.join(root, 'package.json'));
const outDir = path.resolve(process.argv[2] ?? path.join(root, 'docs', 'screenshots'));

// tsc emits build/ even when it reports type errors (someone's work in progress elsewhere in the
// tree): warn, and take the pictures of what was emitted.
const built = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.dev.json'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.stderr.write('screenshots: tsc reported errors (above); using the emitted build/ anyway\n');

const { loadConfig } = require('./build/server/config.js');
const { startServer } = require('./build/server/serve.js');
const { createLogger } = require('./build/server/logger.js');
const pg = require('pg');
const { chromium } = require('playwright-core');

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'barnum-screenshots-'));
const config = loadConfig({
	BARNUM_DATA_DIR: dataDir,
	BARNUM_PG_PORT: '0',
	PORT: '0',
	LOG_LEVEL: 'error',
	RATE_LIMIT_ACTION_PER_MINUTE: '10000',
});
const server = await startServer(config, createLogger('error'));
const admin = new pg.Pool({ connectionString: server.database.embedded.adminUrl, max: 2 });
admin.on('error', () => {}); // an idle connection dropped at shutdown is not an error here
let browser;
try {
	const scene = await seedScene((text, params) => admin.query(text, params));
	browser = await chromium.launch(CHROMIUM);
	const files = await captureScreenshots(browser, server.url, scene, outDir);
	for (const file of files) process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
} finally {
	await browser?.close();
	await admin.end();
	await server.stop();
	rmSync(dataDir, { recursive: true, force: true });
}
