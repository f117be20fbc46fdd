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
  // The suite waits on real services part of the time (latencies, polls, timeouts): on 2 cores, at
  // 510 CPU seconds five test workers finished it in 290 s, four in 314 s, six in 298 s; at about
  // 440 CPU seconds, with files in jest's size order, six took 234 and 253 s, five 238 to 248 s.
  // Started longest first (the sequencer below), five took 239 s and six 230 s: the longest files
  // are also the ones that wait most, and a sixth worker keeps both cores busy while they wait.
  // npm run bench:tests measures it.
  maxWorkers: 6,
  // (package.json's `npm test` gives the test processes a 32 MB young generation, --max-semi-space-size:
  // the in-process workers allocate fast, and fewer scavenges cost less CPU on a loaded machine)
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
  // longest files first on a fresh clone too, from the last `npm run bench:tests` (see the file)
  testSequencer: '<rootDir>/test/setup/sequencer.js',
};
