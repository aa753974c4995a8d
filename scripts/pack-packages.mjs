#!/usr/bin/env node
// Builds the two npm packages this repository publishes and packs each as npm would:
//   n8n-nodes-barnum  the n8n nodes and credentials (root package.json, compiled by tsconfig.json)
//   barnum-server     the companion server and the barnum CLI with the migrations (server/package.json)
//
//   node scripts/pack-packages.mjs [--out build/packages] [--server-only] [--nodes-only] [--no-compile]
//
// Prints the tarballs' paths, one per line. Run through npm run pack:all (Node 24, SQL embedded).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
	options: {
		out: { type: 'string', default: path.join(root, 'build', 'packages') },
		'server-only': { type: 'boolean', default: false },
		'nodes-only': { type: 'boolean', default: false },
		// The node package's dist/ is fresh already (npm start compiled it): pack without tsc.
		'no-compile': { type: 'boolean', default: false },
	},
});
const out = path.resolve(flags.out);
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const run = (command, args, cwd) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

function pack(dir) {
	mkdirSync(out, { recursive: true });
	const name = run('npm', ['pack', '--pack-destination', out, '--silent'], dir).trim().split('\n').pop();
	return path.join(out, name);
}

/** What n8n-node build copies beside the compiled nodes: their icons and __schema__ files. */
function copyNodeAssets() {
	const walk = (relative) => {
		for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
			const file = path.join(relative, entry.name);
			if (entry.isDirectory()) walk(file);
			else if (/\.(png|svg)$/.test(entry.name) || (file.split(path.sep).includes('__schema__') && entry.name.endsWith('.json'))) {
				mkdirSync(path.join(root, 'dist', relative), { recursive: true });
				cpSync(path.join(root, file), path.join(root, 'dist', file));
			}
		}
	};
	for (const dir of ['nodes', 'credentials']) walk(dir);
}

function nodePackage() {
	if (!flags['no-compile']) {
		// From scratch, as n8n-node build does: tsc never removes what an older build left in dist/,
		// and the package would carry it.
		rmSync(path.join(root, 'dist'), { recursive: true, force: true });
		run(process.execPath, [tsc, '-p', 'tsconfig.json'], root);
	}
	copyNodeAssets();
	return pack(root);
}

function serverPackage() {
	const manifest = readJson(path.join(root, 'server', 'package.json'));
	const rootManifest = readJson(path.join(root, 'package.json'));
	// The server is tested with the root's pinned versions: a package that declared others would
	// ship something no test ran.
	const pinned = { ...rootManifest.dependencies, ...rootManifest.devDependencies };
	for (const [name, version] of Object.entries({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
		if (pinned[name] !== version) throw new Error(`server/package.json pins ${name}@${version}, the repository ${pinned[name] ?? 'nothing'}`);
	}
	const dir = path.join(root, 'build', 'barnum-server');
	rmSync(dir, { recursive: true, force: true });
	run(process.execPath, [tsc, '-p', 'tsconfig.server.json', '--outDir', path.join(dir, 'dist')], root);
	for (const sub of ['migrations', 'contracts']) cpSync(path.join(root, 'sql', sub), path.join(dir, 'sql', sub), { recursive: true });
	cpSync(path.join(root, 'server', 'README.md'), path.join(dir, 'README.md'));
	cpSync(path.join(root, 'LICENSE'), path.join(dir, 'LICENSE'));
	writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ ...manifest, version: rootManifest.version }, null, 2)}\n`);
	return pack(dir);
}

run(process.execPath, [path.join(root, 'scripts', 'embed-sql.mjs')], root);
const tarballs = [];
if (!flags['server-only']) tarballs.push(nodePackage());
if (!flags['nodes-only']) tarballs.push(serverPackage());
for (const file of tarballs) process.stdout.write(`${file}\t${(statSync(file).size / 1024).toFixed(0)} kB\n`);
