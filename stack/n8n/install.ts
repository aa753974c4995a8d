import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../core/paths';
import { run } from '../run';

export const N8N_VERSION = '2.40.7';
export const PACKAGE_NAME = 'n8n-nodes-barnum';

/** n8n 2.40.7 on Node 24 in the cache (scripts/n8n-install.sh, progress on stderr); the path of its binary. */
export async function installN8n(abort?: AbortSignal): Promise<string> {
	const output = await run('bash', [path.join(packageRoot(), 'scripts', 'n8n-install.sh')], { abort });
	return output.trim().split('\n').pop()!;
}

/** Where scripts/n8n-install.sh puts n8n (same rules: BARNUM_CACHE, XDG_CACHE_HOME, N8N_VERSION). */
export function n8nCacheDir(): string {
	const cache = process.env.BARNUM_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'barnum');
	return path.join(cache, `n8n-${process.env.N8N_VERSION || N8N_VERSION}`);
}

/** The n8n install is in the cache already (the first start installs it: minutes). */
export function n8nInstalled(): boolean {
	return existsSync(path.join(n8nCacheDir(), '.installed'));
}

/** The `bin/` folder of a Node >= 24 (this one when it is new enough). */
export async function nodeBin(abort?: AbortSignal): Promise<string> {
	if (Number(process.versions.node.split('.')[0]) >= 24) return path.dirname(process.execPath);
	const out = await run('bash', [path.join(packageRoot(), 'scripts', 'node24.sh')], { quiet: true, abort });
	return out.trim().split('\n').pop()!;
}

/**
 * Compiles the n8n node package (incremental tsc into dist/, plus the icons n8n-node build copies)
 * and packs it as npm would publish it (scripts/pack-packages.mjs); the tarball's path.
 */
export async function packBarnum(into: string, abort?: AbortSignal): Promise<string> {
	const root = packageRoot();
	const bin = await nodeBin(abort);
	const env = { ...process.env, PATH: `${bin}:${root}/node_modules/.bin:${process.env.PATH}`, npm_config_yes: 'true' };
	// scripts/stack.sh (npm start) has just compiled dist/.
	const compiled = process.env.BARNUM_COMPILED === root ? ['--no-compile'] : [];
	await fs.mkdir(into, { recursive: true });
	const out = await run(path.join(bin, 'node'), [path.join(root, 'scripts', 'pack-packages.mjs'), '--nodes-only', '--out', into, ...compiled], { cwd: root, env, quiet: true, abort });
	return out.trim().split('\n').pop()!.split('\t')[0];
}

/**
 * A cheap fingerprint of what `npm pack` would pack (paths, sizes and modification times of the
 * package's files): unchanged, there is no need to pack and compare at all.
 */
export async function packageFingerprint(): Promise<string> {
	const root = packageRoot();
	const manifest = JSON.parse(await fs.readFile(path.join(root, 'package.json'), 'utf8')) as { files?: string[] };
	const hash = createHash('sha256');
	const visit = async (relative: string): Promise<void> => {
		const stat = await fs.stat(path.join(root, relative)).catch(() => undefined);
		if (!stat) return;
		if (stat.isDirectory()) {
			for (const entry of (await fs.readdir(path.join(root, relative))).sort()) await visit(path.join(relative, entry));
		} else {
			hash.update(`${relative}\0${stat.size}\0${stat.mtimeMs}\n`);
		}
	};
	// The manifest lists globs (dist/nodes/**/*.js …): their folders are what gets packed.
	const folders = new Set((manifest.files ?? []).map((entry) => entry.split('/**')[0]));
	for (const entry of ['package.json', ...folders]) await visit(entry);
	return hash.digest('hex');
}

export async function sha256File(file: string): Promise<string> {
	return createHash('sha256').update(await fs.readFile(file)).digest('hex');
}

/**
 * Installs the tarball into n8n's community-nodes folder exactly as n8n's own installer does
 * (community-packages.service downloadPackage): unpack, drop dev/peer/optional dependencies,
 * `npm install` its runtime dependencies inside it, and list it in the folder's package.json.
 * A reinstall whose dependencies did not change keeps the installed node_modules.
 */
export async function installPackage(userFolder: string, tarball: string, abort?: AbortSignal): Promise<void> {
	const nodes = path.join(userFolder, '.n8n', 'nodes');
	const dir = path.join(nodes, 'node_modules', PACKAGE_NAME);
	const kept = path.join(nodes, `.${PACKAGE_NAME}-node_modules`);
	let previousDependencies: string | undefined;
	if (existsSync(path.join(dir, 'package.json'))) {
		previousDependencies = JSON.stringify(JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8')).dependencies ?? {});
		await fs.rm(kept, { recursive: true, force: true });
		if (existsSync(path.join(dir, 'node_modules'))) await fs.rename(path.join(dir, 'node_modules'), kept);
	}
	await fs.rm(dir, { recursive: true, force: true });
	await fs.mkdir(dir, { recursive: true });
	await run('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1'], { quiet: true, abort });
	const manifest = JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8'));
	delete manifest.devDependencies;
	delete manifest.peerDependencies;
	delete manifest.optionalDependencies;
	await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
	if (previousDependencies === JSON.stringify(manifest.dependencies ?? {}) && existsSync(kept)) {
		await fs.rename(kept, path.join(dir, 'node_modules'));
	} else {
		await fs.rm(kept, { recursive: true, force: true });
		const bin = await nodeBin(abort);
		await run(
			'npm',
			['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false'],
			{ cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, npm_config_yes: 'true' }, quiet: true, abort },
		);
	}
	await fs.writeFile(
		path.join(nodes, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: manifest.version } }, null, 2),
	);
}
