/** Tests run against real PostgreSQL: one embedded cluster per run (or TEST_DATABASE_URL). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { transpilation: true }],
	},
	globalSetup: '<rootDir>/test/helpers/global-setup.ts',
	globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
	testTimeout: 60_000,
	maxWorkers: 2,
};
