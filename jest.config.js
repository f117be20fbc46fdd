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
  // The suite waits on real services part of the time (latencies, polls, timeouts): on 2 cores, two test
  // workers kept 1.6 cores busy and three 1.85, for a sixth less wall time (npm run bench:tests measures it).
  maxWorkers: 3,
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
};
