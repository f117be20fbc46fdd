#!/usr/bin/env node
// The `quantcoder` command: oclif loads the compiled commands from dist/cli/commands.
// On Node 22.1 and later, compiled code is cached on disk, so a worker's restart skips most of its compile time.
require('node:module').enableCompileCache?.();
// when Node handed over to QuantCoder: a worker's start log tells Node's own start from the CLI's
performance.mark('quantcoder:bin');
const oclif = require('@oclif/core');
// Always the compiled commands: with NODE_ENV "development" or "test" (jest sets it for every
// process a test starts) oclif would otherwise transpile the TypeScript sources at each start.
oclif.settings.enableAutoTranspile = false;
oclif.execute({ dir: __dirname }).catch(oclif.handle);
