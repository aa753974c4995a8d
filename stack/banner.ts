import path from 'node:path';
import { maskPhone } from '../core/contacts';
import { packageRoot } from '../core/paths';
import { DEMO_PHONE } from './demo';
import { inboundWebhookUrl } from './n8n/provision';
import type { LocalStack } from './stack';

/** Where the person should look, what to log in with, and one thing to try. */
export function renderBanner(stack: LocalStack): string {
	const { options } = stack;
	const shown = (dir: string) => {
		const relative = path.relative(process.cwd(), dir) || '.';
		return relative.startsWith('..') ? dir : relative;
	};
	const total = stack.activeWorkflows.active.length + stack.activeWorkflows.inactive.length;
	const lines = [
		'',
		`Barnum is running — ready in ${(stack.startupMs / 1000).toFixed(1)} s. Ctrl-C stops everything; data stays in ${shown(stack.dir.root)} (npm run reset wipes it).`,
		'',
	];
	const row = (label: string, value: string, ...more: string[]) => {
		lines.push(`  ${label.padEnd(17)}${value}`);
		for (const line of more) lines.push(`  ${''.padEnd(17)}${line}`);
	};
	if (stack.n8n) {
		row(
			'n8n editor',
			`${stack.n8nUrl}   login ${stack.owner.email} / ${stack.owner.password}`,
			`${stack.activeWorkflows.active.length} of ${total} bundled workflows active` +
				(stack.activeWorkflows.inactive.length ? ` (inactive: ${stack.activeWorkflows.inactive.join(', ')})` : '') +
				` · log ${shown(path.join(stack.dir.logs, 'n8n.log'))}`,
			...(stack.redis
				? [
						`queue mode: this main instance and ${stack.workers.length} worker${stack.workers.length === 1 ? '' : 's'} (logs n8n-worker-N.log), ` +
							`Redis 127.0.0.1:${stack.redis.port}, n8n's own data in PostgreSQL`,
					]
				: []),
		);
	} else if (options.n8n.kind === 'remote') {
		row('n8n (yours)', stack.n8nUrl, ...(stack.instructions.length ? stack.instructions : [`${total} bundled workflows created and active`]));
	}
	if (stack.sandbox) {
		row('WhatsApp phones', `${stack.sandbox.url}/_sandbox/`, `the sandbox standing in for Meta's Cloud API (Graph base URL ${stack.sandbox.graphUrl})`);
	} else if (options.whatsapp.kind === 'cloud') {
		row(
			'WhatsApp',
			`Cloud API at ${options.whatsapp.baseUrl}, phone number id ${options.whatsapp.phoneNumberId}`,
			`Meta's webhook (callback URL, must be public https): ${inboundWebhookUrl(stack.n8nUrl)}`,
			`verify token: WHATSAPP_VERIFY_TOKEN${options.whatsapp.verifyToken ? '' : ` (unset: whatsappVerifyToken in ${shown(stack.dir.secrets)})`}`,
		);
	}
	row('Companion server', stack.server.url, `/readyz · /metrics · action pages at /api/action`);
	row(
		'PostgreSQL',
		stack.database.kind === 'embedded'
			? `embedded, 127.0.0.1:${stack.database.port}, data in ${shown(stack.database.dataDir ?? stack.dir.db)}`
			: 'DATABASE_URL (migrated)',
		options.demoData ? 'demo data: Clínica Sorriso (3 professionals, 3 patients) and Hotel Praia Azul' : 'no demo data (BARNUM_DEMO_DATA=true adds it)',
	);
	lines.push('');
	if (options.demoData && stack.sandbox) {
		lines.push(
			`  Try it: open ${stack.sandbox.url}/_sandbox/ and press "Book a demo appointment" (or run npm run demo:book):`,
			'          João Silva\'s phone receives the pre-confirmation — tap "Gerir marcação" to confirm it.',
		);
	} else if (options.demoData) {
		lines.push(`  Try it: npm run demo:book — books the demo patient (${maskPhone(options.demoPhone ?? DEMO_PHONE)}) and sends the pre-confirmation.`);
	}
	lines.push(`  Server only, for production-style use: npm run serve (see ${path.relative(process.cwd(), path.join(packageRoot(), 'README.md')) || 'README.md'}).`, '');
	return lines.join('\n');
}
