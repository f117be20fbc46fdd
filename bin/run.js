#!/usr/bin/env node
// The `quantcoder` command: oclif loads the compiled commands from dist/cli/commands.
// Compiled code is cached on disk, so a command or a worker's restart skips most of its compile time:
// by Node itself from 22.1, before that by QuantCoder (dist/cli/compile-cache.js explains how).
if (process.env.QUANTCODER_COMPILE_CACHE !== '0' && !require('node:module').enableCompileCache?.()) {
  try {
    const cache = require('../dist/cli/compile-cache');
    cache.enableModuleCompileCache(cache.compileCacheDir(require('node:path').join(__dirname, '..')));
  } catch {
    // not built yet: oclif says so below
  }
}
// when Node handed over to QuantCoder: a worker's start log tells Node's own start from the CLI's
performance.mark('quantcoder:bin');
const oclif = require('@oclif/core');
// Always the compiled commands: with NODE_ENV "development" or "test" (jest sets it for every
// process a test starts) oclif would otherwise transpile the TypeScript sources at each start.
oclif.settings.enableAutoTranspile = false;
oclif.execute({ dir: __dirname }).catch(oclif.handle);
