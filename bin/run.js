#!/usr/bin/env node
// The `quantcoder` command: oclif loads the compiled commands from dist/cli/commands.
// On Node 22.1 and later, compiled code is cached on disk, so a worker's restart skips most of its compile time.
require('node:module').enableCompileCache?.();
require('@oclif/core')
  .execute({ dir: __dirname })
  .catch(require('@oclif/core').handle);
