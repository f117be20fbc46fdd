/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs', ignoreDynamic: true } }],
  },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 60_000,
  // The suite waits on real services part of the time (latencies, polls, timeouts): on 2 cores four test
  // workers keep 1.8 of them busy, where three left about a fifth idle; npm run bench:tests measures it.
  maxWorkers: 4,
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
};
