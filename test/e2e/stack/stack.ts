import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import type { RunningServer } from '../../../server/serve';
import type { RunningSandbox } from '../../../sandbox/start';
import type { N8n } from '../../../stack/n8n/process';
import { inboundWebhookId } from '../../../stack/n8n/provision';
import type { StackOptions } from '../../../stack/options';
import { startLocalStack, type LocalStack } from '../../../stack/stack';

export const INBOUND_WEBHOOK_ID = inboundWebhookId();

export interface Stack {
	db: pg.Pool;
	server: RunningServer;
	sandbox: RunningSandbox;
	n8n: N8n;
	/** Bundled workflow name (file name without .json) → n8n workflow id. */
	workflows: Record<string, string>;
	secrets: { bookingWebhook: string; calcomWebhook: string };
	/** The local stack underneath, for what the fields above do not cover. */
	local: LocalStack;
	stop(): Promise<void>;
}

const say = (message: string) => process.stderr.write(`e2e: ${message}\n`);

/**
 * The whole system on one machine, as `npm start` runs it (stack/stack.ts), but throwaway: a
 * temporary folder, free ports, fsync off, no demo data (the tests make their own), quiet hours
 * off. n8n 2.40.7 is installed into ~/.cache/barnum on first use.
 */
export async function startStack(overrides: Partial<StackOptions> = {}): Promise<Stack> {
	const base = mkdtempSync(path.join(os.tmpdir(), 'barnum-e2e-'));
	let local: LocalStack;
	try {
		local = await startLocalStack(
			{
				dataDir: base,
				ephemeral: true,
				ports: { server: 0, sandbox: 0, n8n: 0, postgres: 0 },
				database: { kind: 'embedded' },
				demoData: false,
				whatsapp: { kind: 'sandbox' },
				n8n: { kind: 'local' },
				logLevel: 'warn',
				serverEnv: { RATE_LIMIT_ACTION_PER_MINUTE: '10000' },
				...overrides,
			},
			{ progress: say },
		);
	} catch (error) {
		rmSync(base, { recursive: true, force: true });
		throw error;
	}
	// Quiet hours would hold messages back depending on the hour the tests run at.
	await local.db.query("UPDATE barnum.barnum_settings SET business_name = 'Clínica Sorriso', quiet_hours_start = NULL, quiet_hours_end = NULL");
	say(`ready in ${(local.startupMs / 1000).toFixed(1)} s: n8n ${local.n8nUrl}, server ${local.server.url}, sandbox ${local.sandbox!.url}`);
	return {
		db: local.db,
		server: local.server,
		sandbox: local.sandbox!,
		n8n: local.n8n!,
		workflows: local.workflows,
		secrets: { bookingWebhook: local.secrets.bookingWebhookSecret, calcomWebhook: process.env.CALCOM_WEBHOOK_SECRET || local.secrets.calcomWebhookSecret },
		local,
		async stop() {
			await local.stop();
			rmSync(base, { recursive: true, force: true });
		},
	};
}
