#!/usr/bin/env bash
# `npm run build`: compile, bundle the workflow code, write the oclif manifest. Each step skips work
# that is already done (tsc's build mode compares its recorded inputs; the bundle and the manifest
# are rebuilt only when what they are made from changed), so a second build takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install tsc -b tsconfig.build.json
node dist/worker/bundle.js
if [ ! -f oclif.manifest.json ] || [ -n "$(find dist/cli package.json -newer oclif.manifest.json -print -quit)" ]; then
  npx --no-install oclif manifest >/dev/null
fi
