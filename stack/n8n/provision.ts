import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../core/paths';
import { writePrivate } from '../data-dir';
import { StackError } from '../run';
import { installPackage, packageFingerprint, packBarnum, PACKAGE_NAME, sha256File } from './install';
import type { N8n } from './process';

export interface BundledWorkflow {
	/** The file name without .json, e.g. clinic-pre-confirmation. */
	name: string;
	id: string;
	title: string;
	file: string;
	sha: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The workflows in workflows/ (every JSON file but the credentials template). */
export function bundledWorkflows(): BundledWorkflow[] {
	const dir = path.join(packageRoot(), 'workflows');
	return readdirSync(dir)
		.filter((f) => f.endsWith('.json') && f !== 'credentials.template.json')
		.sort()
		.map((f) => {
			const text = readFileSync(path.join(dir, f), 'utf8');
			const workflow = JSON.parse(text) as { id: string; name: string };
			return { name: f.replace(/\.json$/, ''), id: workflow.id, title: workflow.name, file: path.join(dir, f), sha: sha256(text) };
		});
}

/** The path id of the Barnum Webhook Trigger in whatsapp-inbound.json: where WhatsApp webhooks go. */
export function inboundWebhookId(): string {
	const workflow = JSON.parse(readFileSync(path.join(packageRoot(), 'workflows', 'whatsapp-inbound.json'), 'utf8')) as {
		nodes: Array<{ type: string; webhookId?: string }>;
	};
	const trigger = workflow.nodes.find((n) => n.type === `${PACKAGE_NAME}.barnumWebhookTrigger` && n.webhookId);
	if (!trigger?.webhookId) throw new StackError('workflows/whatsapp-inbound.json has no Barnum Webhook Trigger with a webhookId');
	return trigger.webhookId;
}

/** Where the sandbox (or Meta) delivers WhatsApp webhooks in an n8n at `n8nUrl`. */
export function inboundWebhookUrl(n8nUrl: string): string {
	return `${n8nUrl.replace(/\/+$/, '')}/webhook/${inboundWebhookId()}/webhook`;
}

export interface CredentialValues {
	BARNUM_N8N_DATABASE_URL: string;
	WHATSAPP_ACCESS_TOKEN: string;
	WHATSAPP_PHONE_NUMBER_ID: string;
	WHATSAPP_BASE_URL: string;
	WHATSAPP_APP_SECRET: string;
	WHATSAPP_VERIFY_TOKEN: string;
	GUEST_DATA_KEY: string;
	CALCOM_WEBHOOK_SECRET: string;
	SMTP_HOST: string;
	SMTP_PORT: string;
	SMTP_USER: string;
	SMTP_PASSWORD: string;
	SMTP_SECURE: string;
}

export interface CredentialDefinition {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** workflows/credentials.template.json with its ${PLACEHOLDERS} filled in (inside JSON strings, so any value is safe). */
export function renderCredentials(values: CredentialValues): CredentialDefinition[] {
	const template = JSON.parse(readFileSync(path.join(packageRoot(), 'workflows', 'credentials.template.json'), 'utf8')) as CredentialDefinition[];
	const fill = (value: unknown): unknown => {
		// A field that is one placeholder of a port or a flag takes n8n's type for it (the SMTP
		// credential's port is a number, its TLS switch a boolean).
		const whole = typeof value === 'string' ? /^\$\{([A-Z0-9_]+_(PORT|SECURE))\}$/.exec(value) : null;
		if (whole) {
			const raw = (values as unknown as Record<string, string | undefined>)[whole[1]];
			if (raw === undefined) throw new StackError(`credentials.template.json uses \${${whole[1]}}, which the stack does not know`);
			return whole[2] === 'PORT' ? Number(raw) : raw === 'true';
		}
		if (typeof value === 'string') {
			return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_match, key: string) => {
				const replacement = (values as unknown as Record<string, string | undefined>)[key];
				if (replacement === undefined) throw new StackError(`credentials.template.json uses \${${key}}, which the stack does not know`);
				return replacement;
			});
		}
		if (Array.isArray(value)) return value.map(fill);
		if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
		return value;
	};
	return fill(template) as CredentialDefinition[];
}

/** What was put into this n8n, so a restart does only what changed. */
interface Stamps {
	/** sha256 of the installed tarball. */
	package?: string;
	/** packageFingerprint() when it was packed. */
	packageFiles?: string;
	credentials?: string;
	/** File name → sha256 of the content imported and activated. */
	workflows: Record<string, string>;
}

function stampsFile(n8n: N8n): string {
	return path.join(n8n.userFolder, 'barnum-stamps.json');
}

async function readStamps(n8n: N8n): Promise<Stamps> {
	const file = stampsFile(n8n);
	if (!existsSync(file)) return { workflows: {} };
	return { workflows: {}, ...(JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Stamps>) };
}

async function updateStamps(n8n: N8n, change: (stamps: Stamps) => void): Promise<void> {
	const stamps = await readStamps(n8n);
	change(stamps);
	await writePrivate(stampsFile(n8n), stamps);
}

export interface ProvisionOptions {
	scratch: string;
	credentials: CredentialDefinition[];
	abort?: AbortSignal;
	progress(line: string): void;
}

/**
 * Before n8n starts: installs this package as a community package, imports the credentials and
 * the bundled workflows — each only when it changed since the last start (the package is
 * compared by its tarball's hash, which npm makes reproducible). Returns the workflows to
 * activate once n8n runs.
 */
export async function provisionN8n(n8n: N8n, options: ProvisionOptions): Promise<BundledWorkflow[]> {
	const { scratch, abort, progress } = options;
	await fs.mkdir(scratch, { recursive: true, mode: 0o700 });
	const stamps = await readStamps(n8n);

	const installed = existsSync(path.join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME, 'package.json'));
	// Compile (unless npm start just did), then fingerprint: packing is needed only when it changed.
	const tarball = process.env.BARNUM_COMPILED === undefined ? await packBarnum(scratch, abort) : undefined;
	const fingerprint = await packageFingerprint();
	if (!installed || stamps.packageFiles !== fingerprint || tarball) {
		const packed = tarball ?? (await packBarnum(scratch, abort));
		const packageSha = await sha256File(packed);
		if (stamps.package !== packageSha || !installed) {
			progress(`installing ${path.basename(packed)} into n8n as a community package`);
			await installPackage(n8n.userFolder, packed, abort);
		}
		await updateStamps(n8n, (s) => {
			s.package = packageSha;
			s.packageFiles = fingerprint;
		});
		await fs.rm(packed, { force: true });
	}

	const credentials = JSON.stringify(options.credentials);
	if (stamps.credentials !== sha256(credentials)) {
		progress('importing the Barnum credentials into n8n');
		const file = path.join(scratch, 'credentials.json');
		await writePrivate(file, options.credentials);
		try {
			await n8n.cli(['import:credentials', `--input=${file}`], abort);
		} finally {
			await fs.rm(file, { force: true });
		}
		await updateStamps(n8n, (s) => (s.credentials = sha256(credentials)));
	}

	const changed = bundledWorkflows().filter((w) => stamps.workflows[w.name] !== w.sha);
	if (changed.length) {
		progress(`importing ${changed.length} bundled workflow${changed.length === 1 ? '' : 's'} into n8n`);
		const dir = path.join(scratch, 'workflows');
		await fs.rm(dir, { recursive: true, force: true });
		await fs.mkdir(dir, { recursive: true });
		for (const workflow of changed) await fs.copyFile(workflow.file, path.join(dir, `${workflow.name}.json`));
		try {
			await n8n.cli(['import:workflow', '--separate', `--input=${dir}`], abort);
		} finally {
			await fs.rm(dir, { recursive: true, force: true });
		}
	}
	return changed;
}

/** Once n8n runs: publishes (activates) the workflows just imported, and remembers them. */
export async function activateWorkflows(n8n: N8n, workflows: BundledWorkflow[]): Promise<void> {
	for (const workflow of workflows) {
		try {
			await n8n.rest.activate(workflow.id);
		} catch (error) {
			throw new StackError(`could not activate the bundled workflow "${workflow.title}" (${workflow.name}.json): ${(error as Error).message}`);
		}
		await updateStamps(n8n, (s) => (s.workflows[workflow.name] = workflow.sha));
	}
}

/** How many of the bundled workflows are active in this n8n (a person may have turned some off). */
export async function activeBundled(n8n: Pick<N8n, 'rest'>): Promise<{ active: string[]; inactive: string[] }> {
	const byId = new Map((await n8n.rest.workflows()).map((w) => [w.id, w.active]));
	const active: string[] = [];
	const inactive: string[] = [];
	for (const workflow of bundledWorkflows()) (byId.get(workflow.id) ? active : inactive).push(workflow.name);
	return { active, inactive };
}
