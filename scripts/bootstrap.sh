#!/usr/bin/env bash
# Make a fresh checkout ready: dependencies installed, code built, a Docker engine
# answering. Cheap when everything is already there. Used by ./drill and `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: installing npm dependencies" >&2
  npm ci --no-audit --no-fund >&2
fi
if [ "${1:-}" = "--build" ]; then
  stale=$(find src -newer dist/.built -name '*.ts' 2>/dev/null | head -1 || true)
  if [ ! -f dist/.built ] || [ -n "$stale" ]; then
    echo "bootstrap: building" >&2
    npx tsc -p tsconfig.json >&2
    touch dist/.built
  fi
fi
if ! docker info >/dev/null 2>&1; then
  bash scripts/ensure-docker.sh >&2
fi
