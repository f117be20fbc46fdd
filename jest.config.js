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
  // The suite waits on real services part of the time (latencies, polls, timeouts): on 2 cores, with
  // the suite's CPU down to about 440 s, six test workers finished it in 234 s and five in 242 s
  // (same tree, back to back); earlier, at 510 CPU seconds, five had beaten four (290 s vs 314 s).
  // npm run bench:tests measures it.
  maxWorkers: 6,
  // (package.json's `npm test` gives the test processes a 32 MB young generation, --max-semi-space-size:
  // the in-process workers allocate fast, and fewer scavenges cost less CPU on a loaded machine)
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
};
