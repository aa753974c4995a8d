import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../core/paths';

/**
 * Compiles the project to build/ for a test that runs it in a process of its own. tsc emits even
 * when someone else's work in progress has a type error.
 */
export function compileToDist(): string {
	const root = packageRoot();
	spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.dev.json'], { cwd: root, stdio: 'ignore' });
	return path.join(root, 'build');
}
