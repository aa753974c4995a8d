import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
	const cluster = globalThis.barnumTestCluster;
	if (!cluster) return;
	await cluster.stop();
	rmSync(cluster.baseDir, { recursive: true, force: true });
}
