/** Tests run against real PostgreSQL: one embedded cluster per run (or TEST_DATABASE_URL). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// The end-to-end suite (a real n8n) runs on its own: npm run test:e2e.
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { transpilation: true }],
	},
	globalSetup: '<rootDir>/test/helpers/global-setup.ts',
	globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
	testTimeout: 60_000,
	maxWorkers: 2,
};
