import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

// Barnum talks to PostgreSQL through `pg`, so it is a self-hosted (unverified) community package:
// n8n's own cloud-support switch (`n8n-node cloud-support disable`) selects this configuration,
// which keeps every n8n rule except the n8n Cloud sandbox's (restricted globals and imports).
// Changes to it, and why:
/** A package.json rule: "dependencies" may name only these packages. */
function onlyAllowedRuntimeDependencies(allowed) {
	return {
		meta: { type: 'problem', schema: [], messages: { forbidden: '"{{name}}" is a runtime dependency: the n8n node package may depend only on {{allowed}}' } },
		create(context) {
			return {
				ObjectExpression(node) {
					if (node.parent?.type !== 'ExpressionStatement') return;
					const deps = node.properties.find((p) => p.key?.value === 'dependencies');
					if (deps?.value.type !== 'ObjectExpression') return;
					for (const dep of deps.value.properties) {
						if (!allowed.includes(dep.key.value)) context.report({ node: dep, messageId: 'forbidden', data: { name: dep.key.value, allowed: allowed.join(' and ') } });
					}
				},
			};
		},
	};
}

export default [
	...configWithoutCloudSupport,
	{ ignores: ['dist/', 'build/', 'coverage/', '.data/', '.barnum/', 'jest.config.js', 'core/db/queries.generated.ts'] },
	// The documented exception to n8n's no-runtime-dependencies: the nodes talk to PostgreSQL through
	// `pg`, and validate booking payloads with `zod` (n8n ships no PostgreSQL client a community
	// package may import). Anything else in "dependencies" is still an error, by the rule below.
	{
		files: ['package.json'],
		plugins: { barnum: { rules: { 'runtime-dependencies': onlyAllowedRuntimeDependencies(['pg', 'zod']) } } },
		rules: {
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
			'barnum/runtime-dependencies': 'error',
		},
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
