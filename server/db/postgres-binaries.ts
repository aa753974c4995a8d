import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CoreLogger } from '../../core/db/types';

export interface SystemUser {
	uid: number;
	gid: number;
}

/**
 * Where, run as root, Barnum keeps what the `postgres` user cannot reach in place: a copy of the
 * PostgreSQL binaries and clusters whose data folder is closed to it. Outside any checkout, so a
 * clone under /root or in a `mktemp -d` folder (0700) still works. BARNUM_SHARED_DIR moves it (the
 * test run points it into its own throwaway folder).
 */
export function sharedDir(): string {
	return process.env.BARNUM_SHARED_DIR || '/var/lib/barnum';
}

/** The copy's folder in `shared`: one per binaries version, shared by every checkout. */
export function binariesCopyDir(binDir: string, shared = sharedDir()): string {
	return path.join(shared, `pg-${packageVersion(binDir)}`);
}

/**
 * The binaries folder `user` can run PostgreSQL from: `binDir` itself when it can, else a copy of
 * the package's native folder (bin, lib, share) in `sharedDir`, made on first need and reused
 * after. What this call creates is pushed onto `created`, for the caller to remove if its start
 * fails.
 */
export async function reachableBinaries(
	binDir: string,
	user: SystemUser,
	options: { sharedDir?: string; logger: CoreLogger; created: string[] },
): Promise<string> {
	if (canRun(binDir, user)) return binDir;
	const shared = options.sharedDir ?? sharedDir();
	const copy = binariesCopyDir(binDir, shared);
	const copiedBin = path.join(copy, 'bin');
	if (existsSync(path.join(copy, COMPLETE)) && canRun(copiedBin, user)) {
		options.logger.info({ binaries: copy }, `the postgres user cannot reach ${binDir}: running PostgreSQL from the copy in ${copy}`);
		return copiedBin;
	}
	const first = await fs.mkdir(shared, { recursive: true, mode: 0o755 });
	if (first) options.created.push(first);
	await fs.chmod(shared, 0o755);
	// A copy cut short by a crash is never used: it has no COMPLETE marker. Start over.
	await fs.rm(copy, { recursive: true, force: true });
	const temporary = `${copy}.${process.pid}.tmp`;
	options.created.push(temporary);
	await fs.cp(path.dirname(binDir), temporary, { recursive: true, verbatimSymlinks: true });
	await openToOthers(temporary);
	await fs.writeFile(path.join(temporary, COMPLETE), '', { mode: 0o644 });
	try {
		await fs.rename(temporary, copy);
		options.created.push(copy);
	} catch (error) {
		// Another start made the same copy meanwhile: use theirs.
		await fs.rm(temporary, { recursive: true, force: true });
		if (!existsSync(path.join(copy, COMPLETE))) throw error;
	}
	if (!canRun(copiedBin, user)) {
		throw new Error(`the postgres user cannot run PostgreSQL from ${copiedBin} either: is ${shared} searchable by other users?`);
	}
	options.logger.warn(
		{ binaries: copy },
		`the postgres user cannot reach ${binDir} (a parent folder is closed to other users): copied PostgreSQL's binaries to ${copy}, ` +
			'reused from now on (npm run reset removes it)',
	);
	return copiedBin;
}

const COMPLETE = '.barnum-complete';

/** Runs `postgres --version` as `user`: that needs every folder above it, the binary and its libraries. */
function canRun(binDir: string, user: SystemUser): boolean {
	const probe = spawnSync(path.join(binDir, 'postgres'), ['--version'], { uid: user.uid, gid: user.gid, stdio: 'ignore' });
	return probe.status === 0;
}

/** The version of the npm package the native folder came from (`bin/../../package.json`). */
function packageVersion(binDir: string): string {
	const manifest = path.join(binDir, '..', '..', 'package.json');
	try {
		return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
	} catch {
		return 'unknown';
	}
}

/** Folders searchable and files readable by everyone; executables stay executable. */
async function openToOthers(dir: string): Promise<void> {
	await fs.chmod(dir, 0o755);
	for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isSymbolicLink()) continue;
		if (entry.isDirectory()) await openToOthers(full);
		else {
			const { mode } = await fs.stat(full);
			await fs.chmod(full, mode | 0o444 | (mode & 0o100 ? 0o111 : 0));
		}
	}
}
