/** End-to-end tests: a real n8n 2.40.7 with this package installed, the server, the sandbox. */
const base = require('./jest.config.js');

module.exports = {
	...base,
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.ts'],
	testPathIgnorePatterns: ['/node_modules/'],
	globalSetup: undefined,
	globalTeardown: undefined,
	testTimeout: 600_000,
	maxWorkers: 1,
};
