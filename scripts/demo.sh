#!/usr/bin/env bash
# The main job on a fresh machine: set up, start a Temporal dev server + Web UI + worker + sandbox,
# turn research on momentum into two backtested QuantConnect algorithms, print the results, stop.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

port="${QUANTCODER_DEMO_PORT:-7233}"
ui_port="${QUANTCODER_DEMO_UI_PORT:-8233}"
queue="quantcoder-demo"
export TEMPORAL_UI_URL="http://127.0.0.1:$ui_port"
log="$(mktemp -t quantcoder-demo.XXXXXX)"

node bin/run.js dev --sandbox --port "$port" --ui-port "$ui_port" --task-queue "$queue" >"$log" 2>&1 &
dev_pid=$!
stop() {
  if kill -0 "$dev_pid" 2>/dev/null; then
    kill -INT "$dev_pid" 2>/dev/null || true
    wait "$dev_pid" 2>/dev/null || true
  fi
}
trap stop EXIT

for _ in $(seq 1 120); do
  grep -q '^Ready' "$log" && break
  if ! kill -0 "$dev_pid" 2>/dev/null; then cat "$log"; echo "quantcoder dev did not start" >&2; exit 1; fi
  sleep 0.5
done
grep -q '^Ready' "$log" || { cat "$log"; echo "quantcoder dev did not become ready" >&2; exit 1; }
grep -E '^(Temporal server|Web UI|Sandbox|Worker)' "$log" || true
echo

node bin/run.js run momentum --articles 2 --backtest --sandbox --address "127.0.0.1:$port" --task-queue "$queue"

echo
echo "Every step above is visible in the Temporal Web UI: http://127.0.0.1:$ui_port"
echo "Stopping the worker, the sandbox and the dev server…"
