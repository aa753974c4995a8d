import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../core/paths';

export interface VercelProject {
	/** deploy/vercel/api/barnum.js inside a project whose node_modules holds the compiled barnum-server. */
	entry: string;
	remove(): void;
}

/**
 * The Vercel project of deploy/vercel as Vercel installs it, from this checkout: barnum-server
 * compiled by tsconfig.server.json (what the package ships) into build/, its manifest beside it,
 * and the template's function file. Under build/, so the compiled code finds the repository's
 * node_modules as an installed package finds its own.
 */
export function buildVercelProject(): VercelProject {
	const root = packageRoot();
	mkdirSync(path.join(root, 'build'), { recursive: true });
	const dir = mkdtempSync(path.join(root, 'build', 'vercel-test-'));
	const server = path.join(dir, 'barnum-server');
	execFileSync(process.execPath, [path.join(root, 'scripts', 'embed-sql.mjs')], { cwd: root, stdio: 'ignore' });
	execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.server.json', '--outDir', path.join(server, 'dist')], {
		cwd: root,
		stdio: 'pipe',
	});
	copyFileSync(path.join(root, 'server', 'package.json'), path.join(server, 'package.json'));
	const project = path.join(dir, 'project');
	cpSync(path.join(root, 'deploy', 'vercel'), project, { recursive: true });
	mkdirSync(path.join(project, 'node_modules'));
	symlinkSync(server, path.join(project, 'node_modules', 'barnum-server'), 'dir');
	return { entry: path.join(project, 'api', 'barnum.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunningFunction {
	url: string;
	/** Milliseconds from the process's start until the function's module was loaded. */
	importMs: number;
	/** What the function wrote to stdout and stderr (its JSON log lines among them). */
	output(): string;
	stop(): Promise<void>;
}

/** A fresh Node process serving the function as Vercel's launcher does (scripts/vercel-local.mjs). */
export function startFunction(entry: string, env: Record<string, string>, options: { helpers: boolean } = { helpers: true }): Promise<RunningFunction> {
	const root = packageRoot();
	// Only what a Vercel project's settings would give it: none of this process's variables leak in.
	const child: ChildProcess = spawn(process.execPath, [path.join(root, 'scripts', 'vercel-local.mjs'), entry], {
		env: { PATH: process.env.PATH ?? '', VERCEL: '1', NODEJS_HELPERS: options.helpers ? '1' : '0', ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stderr!.on('data', (chunk) => (output += chunk));
	return new Promise((resolve, reject) => {
		let first = true;
		child.stdout!.on('data', (chunk: Buffer) => {
			output += chunk;
			if (!first) return;
			const line = output.split('\n').find((l) => l.startsWith('{"url"'));
			if (!line) return;
			first = false;
			const { url, importMs } = JSON.parse(line) as { url: string; importMs: number };
			resolve({
				url,
				importMs,
				output: () => output,
				stop: () =>
					new Promise<void>((done) => {
						if (child.exitCode !== null) return done();
						child.once('exit', () => done());
						child.kill('SIGTERM');
					}),
			});
		});
		child.once('exit', (code) => first && reject(new Error(`the function exited (${code}) before listening:\n${output}`)));
	});
}
