#!/usr/bin/env bash
# Runs every command of docs/RUNBOOK.md that is marked runnable, against a real local deployment:
# `quantcoder dev --sandbox` (Temporal dev server, Web UI, worker, sandbox simulators) started here
# on free ports, in a throwaway home directory (~ and ~/.quantcoder point into it).
#
#   ```bash          run, in order, in one shell session (variables carry over, like a terminal)
#   ```bash sandbox  run too, once the sandbox simulators are available (sandbox/index.ts)
#   ```bash docker   not run: needs a Docker engine
#   ```bash live     not run: needs real credentials or a production deployment
#
# Every runnable line must exit 0 (pipelines with pipefail). Prints `ok`/`FAIL` per command and a
# summary `runbook-check: N passed, M failed, K skipped`; exits 1 if anything failed.
# RUNBOOK_ATTACH_HOME=<QUANTCODER_HOME of a running `quantcoder dev`> (with TEMPORAL_ADDRESS set)
# reuses that deployment instead of starting one, to debug the runbook quickly.
set -uo pipefail
cd "$(dirname "$0")/.."
RB_ROOT=$(pwd)
RB_T0=$(date +%s)
RB_DOC=${RUNBOOK:-docs/RUNBOOK.md}

if [ ! -f dist/cli/commands/health.js ]; then
  echo "runbook-check: building first (npx tsc -p tsconfig.build.json)"
  npx --no-install tsc -p tsconfig.build.json >/dev/null || true
fi

RB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/qc-runbook-XXXXXX")
RB_DEV_PID=
rb_cleanup() {
  if [ -n "$RB_DEV_PID" ] && kill -0 "$RB_DEV_PID" 2>/dev/null; then
    kill -TERM "$RB_DEV_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$RB_DEV_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$RB_DEV_PID" 2>/dev/null || true
  fi
  rm -rf "$RB_TMP"
}
trap rb_cleanup EXIT
trap 'exit 130' INT TERM

rb_free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# `quantcoder` and `temporal` on PATH, as an operator has them.
mkdir -p "$RB_TMP/bin" "$RB_TMP/home" "$RB_TMP/work" "$RB_TMP/cmds"
printf '#!/bin/sh\nexec node "%s/bin/run.js" "$@"\n' "$RB_ROOT" >"$RB_TMP/bin/quantcoder"
chmod +x "$RB_TMP/bin/quantcoder"
if [ -n "${TEMPORAL_CLI_PATH:-}" ] && [ -x "$TEMPORAL_CLI_PATH" ]; then ln -s "$TEMPORAL_CLI_PATH" "$RB_TMP/bin/temporal"; fi
export PATH="$RB_TMP/bin:$PATH:$RB_ROOT/.tools/py/bin:$RB_ROOT/.tools/bin"
command -v temporal >/dev/null || { echo "runbook-check: the Temporal CLI is not installed (npm run setup)"; exit 1; }
command -v jq >/dev/null || { echo "runbook-check: jq is not installed (apt-get install jq)"; exit 1; }

RB_SANDBOX=0
if node -e "process.exit(typeof require('$RB_ROOT/dist/sandbox/index.js').startSandbox === 'function' ? 0 : 1)" 2>/dev/null; then RB_SANDBOX=1; fi

export HOME="$RB_TMP/home"
unset QUANTCODER_HOME OPENAI_API_KEY ANTHROPIC_API_KEY QUANTCONNECT_USER_ID QUANTCONNECT_API_TOKEN LOG_LEVEL LOG_FORMAT QUANTCODER_TASK_QUEUE TEMPORAL_NAMESPACE
export QUANTCODER_PROFILE=sandbox

# Extract the fenced ```bash blocks: one file per command (lines ending in `\` are joined),
# named <index>.<kind> where kind is plain, sandbox, docker or live.
node - "$RB_DOC" "$RB_TMP/cmds" <<'NODE' || { echo "runbook-check: cannot extract the commands of $RB_DOC"; echo "runbook-check: 0 passed, 1 failed, 0 skipped"; exit 1; }
const fs = require('node:fs');
const path = require('node:path');
const [doc, out] = process.argv.slice(2);
const lines = fs.readFileSync(doc, 'utf8').split('\n');
let block = null;
let n = 0;
let pending = '';
for (const raw of lines) {
  const fence = /^(\s*)```(\S*)\s*(\S*)\s*$/.exec(raw);
  if (!block && fence && fence[2] === 'bash') {
    block = { indent: fence[1].length, kind: fence[3] || 'plain' };
    // a misspelt marker would silently skip a block: refuse it
    if (!['plain', 'sandbox', 'docker', 'live'].includes(block.kind)) {
      console.error(`${doc}: unknown block marker \`\`\`bash ${block.kind} (use bash, bash sandbox, bash docker or bash live)`);
      process.exit(1);
    }
    continue;
  }
  if (block && fence && fence[2] === '' && fence[3] === '') {
    block = null;
    continue;
  }
  if (!block) continue;
  const line = raw.slice(Math.min(block.indent, raw.length - raw.trimStart().length));
  const command = pending + line;
  if (/\\$/.test(command)) {
    pending = command.slice(0, -1) + ' ';
    continue;
  }
  pending = '';
  if (!command.trim() || command.trim().startsWith('#')) continue;
  fs.writeFileSync(path.join(out, `${String(++n).padStart(4, '0')}.${block.kind}`), command.trim());
}
NODE

if [ -n "${RUNBOOK_ATTACH_HOME:-}" ]; then
  ln -s "$RUNBOOK_ATTACH_HOME" "$HOME/.quantcoder"
  : "${TEMPORAL_ADDRESS:?RUNBOOK_ATTACH_HOME needs TEMPORAL_ADDRESS}"
  echo "runbook-check: attached to the deployment at $TEMPORAL_ADDRESS (home $RUNBOOK_ATTACH_HOME)"
else
  RB_PORT=$(rb_free_port); RB_UI_PORT=$(rb_free_port); RB_METRICS_PORT=$(rb_free_port); RB_SANDBOX_PORT=$(rb_free_port)
  export TEMPORAL_ADDRESS="127.0.0.1:$RB_PORT"
  export QUANTCODER_METRICS_ADDRESS="127.0.0.1:$RB_METRICS_PORT"
  export QUANTCODER_SANDBOX_URL="http://127.0.0.1:$RB_SANDBOX_PORT"
  RB_DEV_ARGS=(dev --port "$RB_PORT" --ui-port "$RB_UI_PORT")
  if [ "$RB_SANDBOX" = 1 ]; then RB_DEV_ARGS+=(--sandbox); fi
  (cd "$RB_TMP/work" && exec node "$RB_ROOT/bin/run.js" "${RB_DEV_ARGS[@]}") >"$RB_TMP/dev.log" 2>&1 &
  RB_DEV_PID=$!
  for _ in $(seq 1 450); do
    grep -q '^Ready\.' "$RB_TMP/dev.log" && break
    kill -0 "$RB_DEV_PID" 2>/dev/null || break
    sleep 0.2
  done
  if ! grep -q '^Ready\.' "$RB_TMP/dev.log"; then
    echo "runbook-check: \`quantcoder ${RB_DEV_ARGS[*]}\` did not become ready:"
    sed 's/^/  | /' "$RB_TMP/dev.log" | tail -40
    echo "runbook-check: 0 passed, 1 failed, 0 skipped"
    exit 1
  fi
  echo "runbook-check: quantcoder ${RB_DEV_ARGS[*]} is ready (home $HOME/.quantcoder, sandbox $([ "$RB_SANDBOX" = 1 ] && echo on || echo 'not available yet'))"
  # "Ready" means the workers are started; their first polls reach the server a moment later.
  for _ in $(seq 1 30); do
    [ "$(quantcoder health --json 2>/dev/null | jq -r .status)" = healthy ] && break
    sleep 1
  done
fi


cd "$RB_TMP/work"
RB_PASSED=0; RB_FAILED=0; RB_SKIPPED_SANDBOX=0; RB_SKIPPED_OTHER=0
for RB_FILE in "$RB_TMP"/cmds/*; do
  RB_KIND=${RB_FILE##*.}
  RB_CMD=$(cat "$RB_FILE")
  case "$RB_KIND" in
    plain) ;;
    sandbox) if [ "$RB_SANDBOX" != 1 ]; then RB_SKIPPED_SANDBOX=$((RB_SKIPPED_SANDBOX + 1)); echo "skip $RB_CMD  (needs the sandbox)"; continue; fi ;;
    *) RB_SKIPPED_OTHER=$((RB_SKIPPED_OTHER + 1)); continue ;;
  esac
  RB_START=$(date +%s)
  eval "$RB_CMD" </dev/null >"$RB_TMP/out" 2>&1
  RB_RC=$?
  RB_SECS=$(( $(date +%s) - RB_START ))
  if [ "$RB_RC" -eq 0 ]; then
    RB_PASSED=$((RB_PASSED + 1))
    echo "ok   $RB_CMD  (${RB_SECS}s)"
  else
    RB_FAILED=$((RB_FAILED + 1))
    echo "FAIL $RB_CMD  (exit $RB_RC)"
    sed 's/^/  | /' "$RB_TMP/out" | tail -30
  fi
done

if [ "$RB_FAILED" -gt 0 ] && [ -n "$RB_DEV_PID" ]; then
  echo "runbook-check: last lines of the dev server's output:"
  tail -20 "$RB_TMP/dev.log" | sed 's/^/  | /'
fi
RB_SKIPPED=$((RB_SKIPPED_SANDBOX + RB_SKIPPED_OTHER))
# CPU used by everything this script ran (the `times` builtin's children line): unlike wall time,
# it does not depend on what else the machine is doing.
RB_CPU=$(times | tail -n 1 | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", u[1] * 60 + u[2] + s[1] * 60 + s[2] }')
echo "runbook-check: took $(( $(date +%s) - RB_T0 ))s wall, ${RB_CPU}s CPU"
echo "runbook-check: $RB_PASSED passed, $RB_FAILED failed, $RB_SKIPPED skipped ($RB_SKIPPED_OTHER docker/live, $RB_SKIPPED_SANDBOX waiting for the sandbox)"
[ "$RB_FAILED" -eq 0 ] && [ "$RB_PASSED" -gt 0 ]
