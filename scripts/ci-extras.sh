#!/usr/bin/env bash
# What CI needs beyond the user's setup: a type check of the tests too.
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install tsc -p tsconfig.json --noEmit
