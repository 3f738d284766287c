#!/usr/bin/env bash
# Flaw soak (issue 12, item 6): every drill that proves a flaw must catch it, and every sound
# drill must pass, N runs out of N while another process keeps one core busy. Runs each
# scenario N times with ./drill run next to a CPU burner (one `yes > /dev/null`), then prints
# scenario / runs / met expectation / lost min-max. Exit 0 only when every run met its
# expectation (drill exit code 0: thresholds met, or the scenario's `expect` met).
#
#   scripts/flaw-soak.sh                 # 20 runs of each default scenario
#   scripts/flaw-soak.sh -n 3            # 3 runs each
#   scripts/flaw-soak.sh -n 5 split-brain primary-down
#   scripts/flaw-soak.sh --no-burner     # without the load (for comparison)
#
# Run directories go to $SOAK_OUT (default: a new temp directory), printed at the start.
# Every drill removes what it created; a run that ends in an infrastructure error (exit 3)
# is cleaned up by its own run id, never with a bare `drill cleanup`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=20
burn=1
scenarios=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n | --runs)
      runs="${2:?--runs needs a number}"
      shift 2
      ;;
    --no-burner)
      burn=0
      shift
      ;;
    -h | --help)
      sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "flaw-soak: unknown option $1" >&2
      exit 2
      ;;
    *)
      scenarios+=("$1")
      shift
      ;;
  esac
done
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "flaw-soak: --runs must be a positive integer, got $runs" >&2
  exit 2
fi
if [[ ${#scenarios[@]} -eq 0 ]]; then
  scenarios=(primary-down-async power-loss-fsync-off split-brain primary-down)
fi
for s in "${scenarios[@]}"; do
  if [[ ! -f "$root/scenarios/$s.yaml" ]]; then
    echo "flaw-soak: no scenario scenarios/$s.yaml" >&2
    exit 2
  fi
done

out="${SOAK_OUT:-$(mktemp -d -t drill-flaw-soak-XXXXXX)}"
mkdir -p "$out"
summary="$out/soak.tsv"
printf 'scenario\trun\texit\tmet\tlost\trun_dir\n' >"$summary"

burner=""
stop_burner() {
  if [[ -n "$burner" ]]; then
    kill "$burner" 2>/dev/null || true
    wait "$burner" 2>/dev/null || true
    burner=""
  fi
}
trap stop_burner EXIT
trap 'stop_burner; exit 130' INT TERM
if [[ $burn -eq 1 ]]; then
  # One busy process: on a 2-core machine it takes one core, the drill and its containers
  # share the other (the loaded CI machine on which a flaw once went unseen).
  yes >/dev/null &
  burner=$!
fi

cd "$root"
echo "flaw-soak: ${#scenarios[@]} scenario(s) x $runs run(s), burner: $([[ $burn -eq 1 ]] && echo "pid $burner" || echo off), out: $out"

# result.json -> "<run_id> <lost>" (lost: "unknown" when not measured)
read_result() {
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1] + "/result.json", "utf8"));
    const lost = r.metrics && r.metrics.rpo && typeof r.metrics.rpo.lost === "number" ? r.metrics.rpo.lost : "unknown";
    console.log(`${r.run_id} ${lost}`);
  ' "$1"
}

for s in "${scenarios[@]}"; do
  for ((i = 1; i <= runs; i++)); do
    set +e
    log="$(./drill run "scenarios/$s.yaml" --out "$out/$s" --quiet 2>&1)"
    code=$?
    set -e
    dir="$(printf '%s\n' "$log" | sed -n 's/^.*run directory: //p' | tail -n 1)"
    run_id="-"
    lost="unknown"
    if [[ -n "$dir" && -f "$dir/result.json" ]]; then
      read -r run_id lost < <(read_result "$dir")
    fi
    met=no
    [[ $code -eq 0 ]] && met=yes
    if [[ $code -ne 0 && $code -ne 1 ]]; then
      printf '%s\n' "$log" | tail -n 5 >&2
      [[ "$run_id" != "-" ]] && ./drill cleanup --run "$run_id" >/dev/null 2>&1 || true
    fi
    printf '%s\t%d\t%d\t%s\t%s\t%s\n' "$s" "$i" "$code" "$met" "$lost" "${dir:--}" >>"$summary"
    printf '  %-24s run %2d/%d  exit %d  met %-3s  lost %s\n' "$s" "$i" "$runs" "$code" "$met" "$lost"
  done
done
stop_burner

echo
node -e '
  const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").slice(1).map((l) => l.split("\t"));
  const by = new Map();
  for (const [s, , , met, lost] of rows) {
    const x = by.get(s) ?? { runs: 0, met: 0, lost: [], unknown: 0 };
    x.runs++;
    if (met === "yes") x.met++;
    if (lost === "unknown") x.unknown++;
    else x.lost.push(Number(lost));
    by.set(s, x);
  }
  const line = (a, b, c, d) => console.log(`${a.padEnd(24)} ${b.padStart(5)}  ${c.padStart(16)}  ${d}`);
  line("scenario", "runs", "met expectation", "lost min-max");
  let all = true;
  for (const [s, x] of by) {
    if (x.met !== x.runs) all = false;
    const range = x.lost.length ? `${Math.min(...x.lost)}-${Math.max(...x.lost)}` : "-";
    line(s, String(x.runs), `${x.met}/${x.runs}`, range + (x.unknown ? ` (${x.unknown} unknown)` : ""));
  }
  process.exit(all ? 0 : 1);
' "$summary"
