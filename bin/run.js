#!/usr/bin/env node
// The `quantcoder` command: oclif loads the compiled commands from dist/cli/commands.
require('@oclif/core')
  .execute({ dir: __dirname })
  .catch(require('@oclif/core').handle);
