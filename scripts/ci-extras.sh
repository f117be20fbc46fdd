#!/usr/bin/env bash
# What CI needs beyond the user's setup: a type check of the tests too, and the lint (promise bugs, layering).
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install tsc -p tsconfig.json --noEmit
npm run lint --silent
# The browser test drives Debian's Chromium (never a downloaded browser); the runbook check uses jq.
command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
command -v jq >/dev/null || (apt-get update && apt-get install -y jq)
# The learning-store tests run on PostgreSQL too (Debian's server, started by the jest global setup).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update && apt-get install -y postgresql)
# The keyring test talks to a real Secret Service: GNOME Keyring's daemon on a private D-Bus session
# (dbus-run-session), read back with libsecret's secret-tool.
{ command -v gnome-keyring-daemon && command -v dbus-run-session && command -v secret-tool; } >/dev/null \
  || (apt-get update && apt-get install -y gnome-keyring dbus libsecret-tools)
# Dockerfile and docker-compose.yml, checked statically (no Docker engine here).
bash scripts/check-containers.sh
