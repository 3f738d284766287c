#!/usr/bin/env bash
# The steps of the drill GitHub Action (action.yml), kept in a script so that they run, and
# are tested, outside GitHub too (test/install/github-action.docker.test.ts).
#
#   github-action.sh setup   build drill from the action's own checkout (once per job) and
#                            make sure a Docker engine answers
#   github-action.sh run     drill run $INPUT_SCENARIOS --out $INPUT_OUT --format github $INPUT_ARGS
#                            (job summary to $GITHUB_STEP_SUMMARY, ::error annotations), then
#                            exit-code and summary (summary.json, library runs) to $GITHUB_OUTPUT
#
# Inputs come as environment variables (never pasted into the script: no shell injection).
# Network faults enter the nodes' namespaces (nsenter, iptables, tc) and need root; on a
# hosted runner drill runs under sudo unless INPUT_SUDO is false.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

setup() {
  if ! command -v node >/dev/null; then
    echo "::error title=drill::Node.js >= 20.19 is needed: add actions/setup-node before this action"
    exit 3
  fi
  if [ ! -f "$here/dist/.built" ]; then
    echo "drill: building from $here" >&2
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent) >&2
  fi
  if ! docker info >/dev/null 2>&1; then
    if [ "${INPUT_START_DOCKER:-true}" != true ]; then
      echo "::error title=drill::no Docker engine answers (start-docker is false)"
      exit 3
    fi
    if [ "$(id -u)" -eq 0 ]; then bash "$here/scripts/ensure-docker.sh"; else sudo bash "$here/scripts/ensure-docker.sh"; fi
  fi
}

run() {
  local scenarios extra runner code out="${INPUT_OUT:-drill-reports}"
  read -ra scenarios <<<"${INPUT_SCENARIOS:-scenarios}"
  read -ra extra <<<"${INPUT_ARGS:-}"
  runner=()
  if [ "$(id -u)" -ne 0 ] && [ "${INPUT_SUDO:-auto}" != false ] && command -v sudo >/dev/null; then
    runner=(sudo -E env "PATH=$PATH")
  fi
  set +e
  "${runner[@]}" node "$here/bin/drill.js" run "${scenarios[@]}" --out "$out" --format github "${extra[@]}"
  code=$?
  set -e
  echo "exit-code=$code" >>"${GITHUB_OUTPUT:-/dev/null}"
  if [ -f "$out/summary.json" ]; then echo "summary=$out/summary.json" >>"${GITHUB_OUTPUT:-/dev/null}"; fi
  echo "drill exited $code (0 as expected, 1 a threshold breached, 2 bad scenario, 3 infrastructure)" >&2
}

case "${1:-}" in
  setup) setup ;;
  run) run ;;
  *)
    echo "usage: $0 setup|run" >&2
    exit 2
    ;;
esac
