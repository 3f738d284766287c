// (5) Scaling: a shortened primary-down drill (the real drill path: runDrill, with boot,
// workload, kill of the leader, recovery, heal, final read, checkers, teardown) at 3, 5,
// 7 and 9 nodes (quick: 3 and 5). Figures: the drill's wall time per size (reference:
// the 3-node drill in the same run), history bytes per operation (history.jsonl size /
// operations invoked), and the harness's peak memory (RSS sampled every 100 ms while the
// drills run, and the process's maxRSS).
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDrill, type DrillProgress } from '../run/drill.js';
import { parseScenario } from '../scenario/load.js';
import type { BenchOptions } from './common.js';
import { figure, median, type Figure } from './table.js';

function scenarioText(nodes: number): string {
  return `name: bench-primary-down-${nodes}
description: shortened primary-down for the scaling benchmark
cluster:
  target: graph-agent
  nodes: ${nodes}
workload:
  kind: graph
  rate: 200
  concurrency: 8
  edge_share: 0.3
  timeout: 1s
steps:
  - wait: 2s
  - fault:
      name: primary-kill
      kind: kill
      target: primary
      signal: SIGKILL
  - await:
      condition: recovered
      timeout: 20s
  - wait: 1s
  - heal: primary-kill
  - await:
      condition: healthy
      timeout: 30s
  - wait: 1s
thresholds:
  rto: 10s
  rpo:
    lost: 0
  integrity: true
`;
}

const quietProgress: DrillProgress = { update() {}, event() {}, done() {} };

interface SizeRun {
  nodes: number;
  wallMs: number;
  verdict: string;
  status: string;
  rtoS: number | null;
  ops: number;
  historyBytes: number;
  peakRssMb: number;
  error?: string;
}

export async function benchScaling(opts: BenchOptions): Promise<Figure[]> {
  const sizes = opts.quick ? [3, 5] : [3, 5, 7, 9];
  const out = await mkdtemp(path.join(tmpdir(), 'drill-bench-scale-'));
  const runs: SizeRun[] = [];
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  try {
    for (const n of sizes) {
      const file = { path: `<bench scaling ${n} nodes>`, scenario: parseScenario(scenarioText(n), `bench-${n}.yaml`) };
      peakRss = process.memoryUsage().rss;
      const t0 = performance.now();
      const res = await runDrill({
        file,
        outDir: out,
        seed: 1000 + n,
        signal: opts.signal ?? new AbortController().signal,
        progress: quietProgress,
      });
      const wallMs = performance.now() - t0;
      const hist = path.join(res.run_dir, 'history.jsonl');
      let historyBytes = 0;
      let ops = 0;
      try {
        historyBytes = statSync(hist).size;
        ops = readFileSync(hist, 'utf8')
          .split('\n')
          .filter((l) => l.includes('"type":"invoke"')).length;
      } catch {
        /* unknown below */
      }
      const r: SizeRun = {
        nodes: n,
        wallMs,
        verdict: res.verdict,
        status: res.status,
        rtoS: res.metrics.rto_s,
        ops,
        historyBytes,
        peakRssMb: peakRss / 2 ** 20,
      };
      if (res.error !== undefined) r.error = res.error;
      runs.push(r);
      opts.log(
        `scaling ${n} nodes: ${(wallMs / 1000).toFixed(1)} s, ${res.status}/${res.verdict}, RTO ` +
          `${r.rtoS ?? 'unknown'} s, ` +
          `${ops} ops, ${historyBytes} B history, peak RSS ${r.peakRssMb.toFixed(0)} ` +
          `MB${r.error ? ` (${r.error})` : ''}`,
      );
    }
  } finally {
    clearInterval(sampler);
    await rm(out, { recursive: true, force: true });
  }
  const base = runs.find((r) => r.nodes === 3 && r.status === 'completed');
  const figs: Figure[] = [];
  for (const n of sizes) {
    const r = runs.find((x) => x.nodes === n);
    const ok = r !== undefined && r.status === 'completed';
    figs.push(
      figure({
        bench: 'scaling',
        name: `scaling.primary_down_wall.${n}`,
        label: `primary-down drill wall time, ${n} nodes`,
        value: ok ? r.wallMs / 1000 : null,
        unit: 's',
        reference:
          n === 3 ? null : { what: '3-node drill, same run', value: base ? base.wallMs / 1000 : 'unknown', unit: 's' },
        ...(ok ? {} : { reason: r ? `drill ${r.status}: ${r.error ?? r.verdict}` : 'not run' }),
        ...(r ? { detail: { verdict: r.verdict, status: r.status, rto_s: r.rtoS, ops: r.ops } } : {}),
      }),
    );
  }
  const perOp = runs.filter((r) => r.ops > 0).map((r) => r.historyBytes / r.ops);
  figs.push(
    figure({
      bench: 'scaling',
      name: 'scaling.history_bytes_per_op',
      label: 'history.jsonl bytes per operation (median over sizes)',
      value: perOp.length ? median(perOp) : null,
      unit: 'B/op',
      reason: 'no history was written',
      detail: { per_size: runs.map((r) => ({ nodes: r.nodes, bytes: r.historyBytes, ops: r.ops })) },
    }),
  );
  figs.push(
    figure({
      bench: 'scaling',
      name: 'scaling.peak_rss',
      label: 'harness peak RSS during the drills (sampled)',
      value: runs.length ? Math.max(...runs.map((r) => r.peakRssMb)) : null,
      unit: 'MiB',
      reason: 'no drill ran',
      detail: {
        per_size_mib: runs.map((r) => ({ nodes: r.nodes, peak_rss_mib: +r.peakRssMb.toFixed(1) })),
        process_max_rss_mib: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
        heap_used_mib_now: +(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1),
      },
    }),
  );
  return figs;
}
