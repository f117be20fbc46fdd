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
  // The suite waits on real services part of the time (latencies, polls, timeouts): on 2 cores, three test
  // workers kept 1.66 cores busy (435 s) and four 1.84 (395 s); npm run bench:tests measures it.
  maxWorkers: 4,
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
};
