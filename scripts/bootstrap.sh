#!/usr/bin/env bash
# Make a fresh checkout ready: dependencies installed, code built, a Docker engine
# answering. Cheap when everything is already there. Used by ./drill (--build) and
# `npm test` (--test: also Debian's chromium for the report.html browser test).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: installing npm dependencies" >&2
  npm ci --no-audit --no-fund >&2
fi
if [ "${1:-}" = "--build" ]; then
  stale=$(find src packages/*/src -newer dist/.built -name '*.ts' 2>/dev/null | head -1 || true)
  if [ ! -f dist/.built ] || [ -n "$stale" ]; then
    echo "bootstrap: building" >&2
    npm run build --silent >&2
  fi
fi
if ! docker info >/dev/null 2>&1; then
  bash scripts/ensure-docker.sh >&2
fi
if [ "${1:-}" = "--test" ] && ! command -v chromium >/dev/null 2>&1; then
  # The browser test drives Debian's chromium with playwright-core, which never downloads one.
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: the report.html browser test needs chromium: apt-get install -y chromium" >&2
  else
    echo "bootstrap: installing chromium" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium >/dev/null
  fi
fi
