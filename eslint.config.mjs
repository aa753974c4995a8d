import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

// Barnum talks to PostgreSQL through `pg`, so it is a self-hosted (unverified) community package:
// n8n's own cloud-support switch (`n8n-node cloud-support disable`) selects this configuration,
// which keeps every n8n rule except the n8n Cloud sandbox's (restricted globals and imports).
// Changes to it, and why:
export default [
	...configWithoutCloudSupport,
	{ ignores: ['dist/', 'coverage/', '.data/', '.barnum/', 'jest.config.js'] },
	// The package needs `pg` at run time.
	{
		files: ['package.json'],
		rules: { '@n8n/community-nodes/no-runtime-dependencies': 'off' },
	},
	// nodes/, credentials/ and core/ (which the nodes import) keep every rule. The companion
	// server, its CLI, the local stack (npm start), tests and benchmarks are never loaded by n8n:
	// they have no node to attach a NodeApiError to, and they launch PostgreSQL and n8n.
	{
		files: ['server/**/*.ts', 'stack/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
		rules: {
			'@n8n/community-nodes/require-node-api-error': 'off',
			'@n8n/community-nodes/no-dangerous-functions': 'off',
		},
	},
	// Test fixtures sign with made-up secrets on purpose.
	{
		files: ['test/**/*.ts', 'bench/**/*.ts'],
		rules: { '@n8n/community-nodes/no-hardcoded-secrets': 'off' },
	},
];
