import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../core/paths';
import { embeddedBinDir, relocatedBaseDir } from '../server/db/embedded-postgres';
import { binariesCopyDir, sharedDir as defaultSharedDir } from '../server/db/postgres-binaries';

/**
 * The local stack's folder (`.barnum/` in the checkout, or BARNUM_DATA_DIR):
 *
 *   secrets.json   generated once, 0600: n8n's owner password and encryption key, database
 *                  passwords, the sandbox's token and app secret, signing secrets
 *   stack.json     0600: where the running stack listens and its process ids (status, demo:book)
 *   db/            the embedded PostgreSQL cluster (db/postgres) and its own passwords
 *   n8n/           n8n's user folder: its SQLite database, the community package, what was imported
 *   n8n-queue/     the same for n8n in queue mode (its data is in PostgreSQL), and
 *   n8n-workers/   its workers' user folders, sharing its community package
 *   logs/n8n.log   n8n's output
 */
export interface DataDir {
	root: string;
	secrets: string;
	state: string;
	db: string;
	n8n: string;
	/** Queue mode's main instance and workers (BARNUM_N8N_MODE=queue). */
	n8nQueue: string;
	n8nWorkers: string;
	logs: string;
	/** Scratch space for files handed to n8n's CLI; emptied after use. */
	scratch: string;
}

export function defaultDataDir(): string {
	return path.join(packageRoot(), '.barnum');
}

export function dataDir(root: string): DataDir {
	const abs = path.resolve(root);
	return {
		root: abs,
		secrets: path.join(abs, 'secrets.json'),
		state: path.join(abs, 'stack.json'),
		db: path.join(abs, 'db'),
		n8n: path.join(abs, 'n8n'),
		n8nQueue: path.join(abs, 'n8n-queue'),
		n8nWorkers: path.join(abs, 'n8n-workers'),
		logs: path.join(abs, 'logs'),
		scratch: path.join(abs, 'scratch'),
	};
}

export async function createDataDir(dir: DataDir): Promise<void> {
	// 0711: as root the embedded PostgreSQL runs as `postgres`, which must pass through to db/.
	await fs.mkdir(dir.root, { recursive: true, mode: 0o711 });
	await fs.chmod(dir.root, 0o711);
	for (const sub of [dir.n8n, dir.logs]) await fs.mkdir(sub, { recursive: true, mode: 0o700 });
}

export interface StackSecrets {
	n8nOwnerPassword: string;
	/** bcrypt of n8nOwnerPassword, as n8n wants it in N8N_INSTANCE_OWNER_PASSWORD_HASH. */
	n8nOwnerPasswordHash?: string;
	n8nEncryptionKey: string;
	/** The barnum_n8n login's password (embedded database). */
	n8nDatabasePassword: string;
	/** Queue mode: the n8n_own login's password, for n8n's own database in the embedded cluster. */
	n8nOwnDatabasePassword: string;
	whatsappAccessToken: string;
	whatsappAppSecret: string;
	whatsappVerifyToken: string;
	bookingWebhookSecret: string;
	/** The secret Cal.com signs its webhooks with (workflows/calcom-appointments.json). */
	calcomWebhookSecret: string;
	guestDataKey: string;
	webhookSecret: string;
	internalApiSecret: string;
	actionNonceSecret: string;
}

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

function generate(): StackSecrets {
	return {
		// n8n wants 8+ characters with a digit and an upper-case letter; the rest is random.
		n8nOwnerPassword: `Barnum-${randomBytes(6).toString('hex')}-${randomBytes(4).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}9Q`,
		n8nEncryptionKey: token(32),
		n8nDatabasePassword: token(24),
		n8nOwnDatabasePassword: token(24),
		whatsappAccessToken: `EAAsandbox${token(24)}`,
		whatsappAppSecret: randomBytes(16).toString('hex'),
		whatsappVerifyToken: token(16),
		bookingWebhookSecret: `whsec_${randomBytes(32).toString('base64')}`,
		calcomWebhookSecret: token(32),
		guestDataKey: randomBytes(32).toString('base64'),
		webhookSecret: `whsec_${randomBytes(32).toString('base64')}`,
		internalApiSecret: token(32),
		actionNonceSecret: token(32),
	};
}

/** The stack's secrets: generated on the first start, then read back; never logged. */
export async function loadOrCreateSecrets(file: string): Promise<StackSecrets> {
	const fresh = generate();
	if (!existsSync(file)) {
		await writePrivate(file, fresh);
		return fresh;
	}
	const stored = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<StackSecrets>;
	// A newer Barnum may need a secret an older one did not generate: add it, keep the rest.
	const missing = Object.keys(fresh).filter((key) => !(key in stored));
	const secrets = { ...fresh, ...stored } as StackSecrets;
	if (missing.length) await writePrivate(file, secrets);
	return secrets;
}

export async function saveSecrets(file: string, secrets: StackSecrets): Promise<void> {
	await writePrivate(file, secrets);
}

/** Written whole to a temporary file then renamed, readable by this user only. */
export async function writePrivate(file: string, value: unknown): Promise<void> {
	const temporary = `${file}.${process.pid}.tmp`;
	await fs.writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
	await fs.chmod(temporary, 0o600);
	await fs.rename(temporary, file);
}

/**
 * What `reset` removes: the folder, and what root had to keep where the postgres user can reach
 * it (the cluster's relocated folder, the copy of PostgreSQL's binaries, and /var/lib/barnum once
 * empty).
 */
export async function wipeDataDir(dir: DataDir, sharedDir = defaultSharedDir()): Promise<string[]> {
	const removed: string[] = [];
	const binaries = installedBinaries();
	for (const target of [dir.root, relocatedBaseDir(dir.db, sharedDir), ...(binaries ? [binariesCopyDir(binaries, sharedDir)] : [])]) {
		if (!existsSync(target)) continue;
		await fs.rm(target, { recursive: true, force: true });
		removed.push(target);
	}
	if (existsSync(sharedDir) && (await fs.readdir(sharedDir)).length === 0) {
		await fs.rmdir(sharedDir);
		removed.push(sharedDir);
	}
	return removed;
}

function installedBinaries(): string | undefined {
	try {
		return embeddedBinDir();
	} catch {
		return undefined;
	}
}
