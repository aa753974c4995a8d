import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { packageRoot } from '../../../core/paths';
import { migrate } from '../../../core/db/migrate';
import { createPool } from '../../../core/db/pool';
import { ensureAppLogin, withCredentials } from '../../../server/db/app-login';
import { freePort, startEmbeddedPostgres, type EmbeddedPostgres } from '../../../server/db/embedded-postgres';
import { loadConfig } from '../../../server/config';
import { startServer, type RunningServer } from '../../../server/serve';
import { startSandbox, type RunningSandbox } from '../../../sandbox/start';
import { installN8n, installPackage, packBarnum, prepareN8n, type N8n } from './n8n';
import type pg from 'pg';

export const INBOUND_WEBHOOK_ID = '6b0f3d1e-6c8a-4d39-9f0e-b4a1c0d2e3f4';

export interface Stack {
	db: pg.Pool;
	server: RunningServer;
	sandbox: RunningSandbox;
	n8n: N8n;
	workflows: Record<string, string>;
	secrets: { bookingWebhook: string };
	stop(): Promise<void>;
}

const say = (message: string) => process.stderr.write(`e2e: ${message}\n`);

/**
 * The whole system on one machine, as a user would run it: a real PostgreSQL (embedded), the
 * companion server, the WhatsApp sandbox standing in for Meta, and n8n 2.40.7 with this package
 * installed from its npm tarball and the bundled workflows imported and published.
 */
export async function startStack(): Promise<Stack> {
	const base = mkdtempSync(path.join(os.tmpdir(), 'barnum-e2e-'));
	const stopping: Array<() => Promise<void>> = [];
	const stop = async () => {
		for (const step of stopping.reverse()) await step().catch((error: Error) => say(`cleanup: ${error.message}`));
		rmSync(base, { recursive: true, force: true });
	};
	try {
		say('installing n8n 2.40.7 (cached after the first run)');
		const n8nBin = await installN8n();

		say('starting PostgreSQL');
		const pgServer: EmbeddedPostgres = await startEmbeddedPostgres({ baseDir: path.join(base, 'pg'), ephemeral: true });
		stopping.push(() => pgServer.stop());
		await migrate(pgServer.adminUrl);
		await ensureAppLogin(pgServer.adminUrl, { user: 'barnum_server', password: 'e2e-server-password' });
		await ensureAppLogin(pgServer.adminUrl, { user: 'barnum_n8n', password: 'e2e-n8n-password' });
		const admin = createPool(pgServer.adminUrl, { applicationName: 'barnum-e2e' });
		stopping.push(() => admin.end());

		const [serverPort, n8nPort] = [await freePort(), await freePort()];
		const serverUrl = `http://127.0.0.1:${serverPort}`;
		// Quiet hours would hold messages back depending on the hour the tests run at.
		await admin.query(
			"UPDATE barnum_settings SET public_base_url = $1, business_name = 'Clínica Sorriso', quiet_hours_start = NULL, quiet_hours_end = NULL",
			[serverUrl],
		);

		const secrets = {
			accessToken: 'e2e-whatsapp-access-token',
			appSecret: 'e2e-meta-app-secret-0123456789',
			verifyToken: 'e2e-verify-token',
			bookingWebhook: `whsec_${Buffer.from('e2e-booking-webhook-secret-32byte').toString('base64')}`,
			guestDataKey: Buffer.from('e2e-guest-data-key-of-32-bytes!!').toString('base64'),
		};
		say('starting the WhatsApp sandbox');
		const sandbox = await startSandbox({
			accessToken: secrets.accessToken,
			appSecret: secrets.appSecret,
			phoneNumberId: '100000000000001',
			webhookUrl: `http://127.0.0.1:${n8nPort}/webhook/${INBOUND_WEBHOOK_ID}/webhook`,
			publicBaseUrl: serverUrl,
			statusDelaysMs: [50, 150, 300],
		});
		stopping.push(() => sandbox.stop());

		say('starting the companion server');
		const server = await startServer(
			loadConfig({
				PORT: String(serverPort),
				DATABASE_URL: withCredentials(pgServer.adminUrl, 'barnum_server', 'e2e-server-password'),
				LOG_LEVEL: 'warn',
				RATE_LIMIT_ACTION_PER_MINUTE: '10000',
				BOOKING_WEBHOOK_SECRET: secrets.bookingWebhook,
				GUEST_DATA_KEY: secrets.guestDataKey,
			}),
			pino({ level: 'warn' }),
		);
		stopping.push(() => server.stop());

		say('packing n8n-nodes-barnum and installing it into n8n as a community package');
		const userFolder = path.join(base, 'n8n');
		await installPackage(userFolder, await packBarnum(base));
		const n8n = await prepareN8n({ bin: n8nBin, userFolder, port: n8nPort, env: { N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false' } });

		const credentials = readFileSync(path.join(packageRoot(), 'workflows', 'credentials.template.json'), 'utf8')
			.replace('${BARNUM_N8N_DATABASE_URL}', withCredentials(pgServer.adminUrl, 'barnum_n8n', 'e2e-n8n-password'))
			.replace('${WHATSAPP_ACCESS_TOKEN}', secrets.accessToken)
			.replace('${WHATSAPP_PHONE_NUMBER_ID}', '100000000000001')
			.replace('${WHATSAPP_BASE_URL}', sandbox.url)
			.replace('${WHATSAPP_APP_SECRET}', secrets.appSecret)
			.replace('${WHATSAPP_VERIFY_TOKEN}', secrets.verifyToken)
			.replace('${GUEST_DATA_KEY}', secrets.guestDataKey);
		const credentialsFile = path.join(base, 'credentials.json');
		writeFileSync(credentialsFile, credentials);
		say('importing credentials and the bundled workflows, publishing them');
		await n8n.cli(['import:credentials', `--input=${credentialsFile}`]);
		const workflows: Record<string, string> = {};
		const dir = path.join(packageRoot(), 'workflows');
		for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'credentials.template.json')) {
			const workflow = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { id: string };
			workflows[file.replace(/\.json$/, '')] = workflow.id;
			await n8n.cli(['import:workflow', `--input=${path.join(dir, file)}`]);
		}
		for (const id of Object.values(workflows)) await n8n.cli(['publish:workflow', `--id=${id}`]);
		say('starting n8n');
		await n8n.start();
		stopping.push(() => n8n.stop());
		say(`ready: n8n ${n8n.url}, server ${server.url}, sandbox ${sandbox.url}`);
		return { db: admin, server, sandbox, n8n, workflows, secrets, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}
