// (4) Recording capacity: the highest operation rate the workload driver sustains while
// its timings stay within 1 ms of an unloaded run. The target is a trivial local HTTP
// server in its own process (trivial-target.ts), so what saturates is the harness: the
// workload driver, the HTTP client, the history recording (a real history.jsonl, flushed
// every 200 ms as in a drill).
//
// First an unloaded run (100 ops/s), then increasing rates with the same 32 clients.
// A rate is sustained when
//   - the achieved rate is >= 95 % of the target rate, and
//   - the median op latency (invoke -> completion as recorded) is within 1 ms of the
//     unloaded run's, and
//   - the median per-client invoke spacing is within 1 ms of its ideal (32 / rate),
//     beyond the unloaded run's own deviation.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HistoryWriter } from '../client/history-writer.js';
import { startWorkload } from '../client/workload.js';
import { monotonicClock, sleep } from '../core/clock.js';
import { GraphAgentClient } from '../targets/graph-agent/client.js';
import type { BenchOptions } from './common.js';
import { figure, median, quantile, type Figure } from './table.js';

const CONCURRENCY = 32;
const TOLERANCE_MS = 1;

interface Level {
  rate: number;
  achieved: number;
  p50LatMs: number;
  p99LatMs: number;
  p50GapMs: number;
  idealGapMs: number;
  ok: number;
  notOk: number;
  sustained?: boolean;
  why?: string;
}

async function runLevel(port: number, rate: number, durMs: number, dir: string, idPrefix: string): Promise<Level> {
  const clock = monotonicClock();
  const writer = await HistoryWriter.open(path.join(dir, `history-${idPrefix}.jsonl`));
  const client = new GraphAgentClient(['n1'], () => `http://127.0.0.1:${port}`);
  const t0 = clock.now();
  const wl = startWorkload({
    client,
    clock,
    rate,
    concurrency: CONCURRENCY,
    edgeShare: 0.3,
    readShare: 0.2,
    timeoutMs: 2000,
    seed: 1,
    idPrefix,
    writer,
  });
  await sleep(durMs);
  await wl.stop();
  const elapsed = clock.now() - t0;
  await writer.close();
  const lat: number[] = [];
  const gaps: number[] = [];
  const openAt = new Map<number, number>();
  const lastInv = new Map<number, number>();
  let invoked = 0;
  let ok = 0;
  let notOk = 0;
  // Skip the first 10 % (ramp-up) for the timing figures.
  const warm = t0 + durMs * 0.1;
  for (const e of writer.events) {
    if (e.type === 'invoke') {
      invoked++;
      openAt.set(e.process, e.t);
      const p = lastInv.get(e.process);
      if (p !== undefined && e.t >= warm) gaps.push(e.t - p);
      lastInv.set(e.process, e.t);
    } else if (e.type !== 'mark') {
      if (e.type === 'ok') ok++;
      else notOk++;
      const s = openAt.get(e.process);
      if (s !== undefined && s >= warm) lat.push(e.t - s);
    }
  }
  return {
    rate,
    achieved: (invoked * 1000) / elapsed,
    p50LatMs: median(lat),
    p99LatMs: quantile(lat, 0.99),
    p50GapMs: median(gaps),
    idealGapMs: (CONCURRENCY * 1000) / rate,
    ok,
    notOk,
  };
}

export async function benchRecordingCapacity(opts: BenchOptions): Promise<Figure[]> {
  const durMs = opts.quick ? 2000 : 5000;
  const rates = opts.quick ? [500, 1000, 2000, 3000] : [500, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000];
  const script = fileURLToPath(new URL('./trivial-target.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const dir = await mkdtemp(path.join(tmpdir(), 'drill-bench-cap-'));
  const levels: Level[] = [];
  let base: Level | undefined;
  try {
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const port = Number(line.toString().trim());
    if (!(port > 0)) throw new Error(`trivial target printed ${JSON.stringify(line.toString())}, expected a port`);
    // Warm-up (JIT, sockets), then the unloaded reference.
    await runLevel(port, 200, 1000, dir, 'warm');
    base = await runLevel(port, 100, durMs, dir, 'base');
    const baseGapDev = Math.abs(base.p50GapMs - base.idealGapMs);
    opts.log(
      `recording unloaded: p50 latency ${base.p50LatMs.toFixed(3)} ms, invoke spacing p50 ` +
        `${base.p50GapMs.toFixed(2)} ms (ideal ${base.idealGapMs.toFixed(2)})`,
    );
    let misses = 0;
    for (const r of rates) {
      const l = await runLevel(port, r, durMs, dir, `r${r}`);
      const latDev = l.p50LatMs - base.p50LatMs;
      const gapDev = Math.abs(l.p50GapMs - l.idealGapMs) - baseGapDev;
      const why: string[] = [];
      if (l.achieved < 0.95 * r) why.push(`achieved ${l.achieved.toFixed(0)} ops/s < 95 %`);
      if (Math.abs(latDev) > TOLERANCE_MS)
        why.push(`p50 latency ${latDev >= 0 ? '+' : ''}${latDev.toFixed(2)} ms vs unloaded`);
      if (gapDev > TOLERANCE_MS) why.push(`invoke spacing off its ideal by ${gapDev.toFixed(2)} ms more than unloaded`);
      l.sustained = why.length === 0;
      if (!l.sustained) l.why = why.join('; ');
      levels.push(l);
      opts.log(
        `recording ${r} ops/s: achieved ${l.achieved.toFixed(0)}, p50 ${l.p50LatMs.toFixed(3)} ms, p99 ` +
          `${l.p99LatMs.toFixed(2)} ms, ` +
          `spacing p50 ${l.p50GapMs.toFixed(2)} (ideal ${l.idealGapMs.toFixed(2)}) -> ` +
          `${l.sustained ? 'sustained' : `not sustained: ${l.why}`}`,
      );
      // Two misses in a row end the search (one may be a burst of load from elsewhere).
      if (l.sustained) misses = 0;
      else if (++misses >= 2) break;
    }
  } finally {
    child.kill();
    await rm(dir, { recursive: true, force: true });
  }
  const best = levels
    .filter((l) => l.sustained)
    .reduce<Level | undefined>((a, l) => (!a || l.rate > a.rate ? l : a), undefined);
  const allSustained = levels.length > 0 && levels.every((l) => l.sustained);
  const detail = {
    concurrency: CONCURRENCY,
    duration_ms: durMs,
    tolerance_ms: TOLERANCE_MS,
    unloaded: base && {
      rate: base.rate,
      p50_latency_ms: +base.p50LatMs.toFixed(3),
      p50_spacing_ms: +base.p50GapMs.toFixed(2),
    },
    levels: levels.map((l) => ({
      rate: l.rate,
      achieved: Math.round(l.achieved),
      p50_latency_ms: +l.p50LatMs.toFixed(3),
      p99_latency_ms: +l.p99LatMs.toFixed(3),
      p50_spacing_ms: +l.p50GapMs.toFixed(3),
      ideal_spacing_ms: +l.idealGapMs.toFixed(3),
      sustained: l.sustained,
      ...(l.why ? { why: l.why } : {}),
    })),
    ...(allSustained ? { note: 'every rate tried was sustained: the capacity is at least this' } : {}),
  };
  const reason = best
    ? undefined
    : base
      ? `not even ${rates[0]} ops/s was sustained (${levels[0]?.why ?? ''})`
      : 'the unloaded run failed';
  return [
    figure({
      bench: 'recording',
      name: 'recording.capacity',
      label: `highest rate with timings within ${TOLERANCE_MS} ms of unloaded (${CONCURRENCY} clients)`,
      value: best?.rate ?? null,
      unit: 'ops/s',
      reference: base ? { what: 'unloaded run: p50 latency', value: base.p50LatMs, unit: 'ms' } : null,
      ...(reason ? { reason } : {}),
      detail,
    }),
    figure({
      bench: 'recording',
      name: 'recording.p50_latency_at_capacity',
      label: 'p50 op latency at that rate',
      value: best?.p50LatMs ?? null,
      unit: 'ms',
      reference: base ? { what: 'unloaded run (100 ops/s)', value: base.p50LatMs, unit: 'ms' } : null,
      ...(reason ? { reason } : {}),
    }),
  ];
}
