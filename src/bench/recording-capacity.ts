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
// Target: 20,000 ops/s. Each rate also reports the harness's CPU per op
// (process.cpuUsage / ops invoked), and how busy the harness, the target process and the
// rest of the machine kept its cores (CPU seconds per second, from /proc), so a rate that
// is not sustained says which process ran out of core.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
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
export const RECORDING_TARGET_OPS = 20_000;

/** CPU time (ms) a process has used, from /proc/<pid>/stat (utime + stime); null when unreadable. */
function procCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S;
  } catch {
    return null;
  }
}

/** Busy CPU time (ms) of the whole machine, all cores, from /proc/stat; null when unreadable. */
function machineBusyMs(): number | null {
  try {
    const cpu = readFileSync('/proc/stat', 'latin1').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
    const busy = cpu.slice(0, 8).reduce((a, b) => a + b, 0) - (cpu[3] ?? 0) - (cpu[4] ?? 0);
    return (busy * 1000) / TICKS_PER_S;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every Linux this runs on. */
const TICKS_PER_S = 100;

interface CpuUse {
  /** The harness's CPU per op invoked, us (user + system). */
  harnessUsPerOp: number;
  /** CPU seconds per second of wall time (1 = one core kept busy). */
  harnessCores: number;
  targetCores: number | null;
  otherCores: number | null;
}

interface Level {
  rate: number;
  achieved: number;
  p50LatMs: number;
  p99LatMs: number;
  p50GapMs: number;
  idealGapMs: number;
  ok: number;
  notOk: number;
  cpu: CpuUse;
  sustained?: boolean;
  why?: string;
}

async function runLevel(
  port: number,
  rate: number,
  durMs: number,
  dir: string,
  idPrefix: string,
  targetPid: number | undefined,
): Promise<Level> {
  const clock = monotonicClock();
  const cpu0 = process.cpuUsage();
  const target0 = procCpuMs(targetPid);
  const machine0 = machineBusyMs();
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
  await client.close();
  const cpuUs = process.cpuUsage(cpu0);
  const harnessMs = (cpuUs.user + cpuUs.system) / 1000;
  const target1 = procCpuMs(targetPid);
  const machine1 = machineBusyMs();
  const targetMs = target0 !== null && target1 !== null ? target1 - target0 : null;
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
    cpu: {
      harnessUsPerOp: invoked > 0 ? (harnessMs * 1000) / invoked : NaN,
      harnessCores: harnessMs / elapsed,
      targetCores: targetMs === null ? null : targetMs / elapsed,
      otherCores:
        machine0 !== null && machine1 !== null && targetMs !== null
          ? Math.max(0, (machine1 - machine0 - harnessMs - targetMs) / elapsed)
          : null,
    },
  };
}

const cores = (x: number | null) => (x === null ? '?' : x.toFixed(2));

export async function benchRecordingCapacity(opts: BenchOptions): Promise<Figure[]> {
  const durMs = opts.quick ? 2000 : 5000;
  const rates = opts.quick
    ? [500, 1000, 2000, 3000]
    : [500, 1000, 2000, 4000, 6000, 8000, 10_000, 12_500, 15_000, 17_500, 20_000, 22_500, 25_000];
  const script = fileURLToPath(new URL('./trivial-target.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const dir = await mkdtemp(path.join(tmpdir(), 'drill-bench-cap-'));
  const levels: Level[] = [];
  let base: Level | undefined;
  let unpaced: Level | undefined;
  try {
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const port = Number(line.toString().trim());
    if (!(port > 0)) throw new Error(`trivial target printed ${JSON.stringify(line.toString())}, expected a port`);
    // Warm-up (JIT, sockets), then the unloaded reference.
    await runLevel(port, 200, 1000, dir, 'warm', child.pid);
    base = await runLevel(port, 100, durMs, dir, 'base', child.pid);
    const baseGapDev = Math.abs(base.p50GapMs - base.idealGapMs);
    opts.log(
      `recording unloaded: p50 latency ${base.p50LatMs.toFixed(3)} ms, invoke spacing p50 ` +
        `${base.p50GapMs.toFixed(2)} ms (ideal ${base.idealGapMs.toFixed(2)})`,
    );
    let misses = 0;
    for (const r of rates) {
      const l = await runLevel(port, r, durMs, dir, `r${r}`, child.pid);
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
          `spacing p50 ${l.p50GapMs.toFixed(2)} (ideal ${l.idealGapMs.toFixed(2)}), ` +
          `harness ${l.cpu.harnessUsPerOp.toFixed(1)} us/op; cores busy: harness ${cores(l.cpu.harnessCores)}, ` +
          `target ${cores(l.cpu.targetCores)}, others ${cores(l.cpu.otherCores)} -> ` +
          `${l.sustained ? 'sustained' : `not sustained: ${l.why}`}`,
      );
      // Two misses in a row end the search (one may be a burst of load from elsewhere).
      if (l.sustained) misses = 0;
      else if (++misses >= 2) break;
    }
    // The ceiling: unpaced, each client sends its next op as soon as the last one is answered.
    unpaced = await runLevel(port, Infinity, durMs, dir, 'unpaced', child.pid);
    opts.log(
      `recording unpaced: ${unpaced.achieved.toFixed(0)} ops/s, p50 ${unpaced.p50LatMs.toFixed(3)} ms, ` +
        `harness ${unpaced.cpu.harnessUsPerOp.toFixed(1)} us/op; cores busy: harness ` +
        `${cores(unpaced.cpu.harnessCores)}, target ${cores(unpaced.cpu.targetCores)}, ` +
        `others ${cores(unpaced.cpu.otherCores)}`,
    );
  } finally {
    child.kill();
    await rm(dir, { recursive: true, force: true });
  }
  const best = levels
    .filter((l) => l.sustained)
    .reduce<Level | undefined>((a, l) => (!a || l.rate > a.rate ? l : a), undefined);
  const allSustained = levels.length > 0 && levels.every((l) => l.sustained);
  // The cost at capacity (or at the busiest rate tried): what one op costs the harness when it is busy.
  const cpuAt = best ?? levels.at(-1);
  const stop = levels.find((l) => !l.sustained && (best === undefined || l.rate > best.rate));
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
      harness_cpu_us_per_op: +l.cpu.harnessUsPerOp.toFixed(1),
      cores_busy: {
        harness: +l.cpu.harnessCores.toFixed(2),
        target: l.cpu.targetCores === null ? null : +l.cpu.targetCores.toFixed(2),
        others: l.cpu.otherCores === null ? null : +l.cpu.otherCores.toFixed(2),
      },
      sustained: l.sustained,
      ...(l.why ? { why: l.why } : {}),
    })),
    ...(allSustained ? { note: 'every rate tried was sustained: the capacity is at least this' } : {}),
    // Where it stopped and why: the first rate above the capacity that was not sustained.
    ...(stop
      ? {
          stopped_at: {
            rate: stop.rate,
            why: stop.why,
            harness_cpu_us_per_op: +stop.cpu.harnessUsPerOp.toFixed(1),
            cores_busy:
              `harness ${cores(stop.cpu.harnessCores)}, target ${cores(stop.cpu.targetCores)}, ` +
              `others ${cores(stop.cpu.otherCores)} of ${os.cpus().length}`,
          },
        }
      : {}),
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
      target: { text: `>= ${RECORDING_TARGET_OPS} ops/s`, ok: (v) => v >= RECORDING_TARGET_OPS },
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
    figure({
      bench: 'recording',
      name: 'recording.unpaced_rate',
      label: `unpaced closed loop (${CONCURRENCY} clients): ops/s recorded`,
      value: unpaced?.achieved ?? null,
      unit: 'ops/s',
      reason: 'the unpaced run did not happen',
      detail: unpaced && {
        p50_latency_ms: +unpaced.p50LatMs.toFixed(3),
        harness_cpu_us_per_op: +unpaced.cpu.harnessUsPerOp.toFixed(1),
        cores_busy: {
          harness: +unpaced.cpu.harnessCores.toFixed(2),
          target: unpaced.cpu.targetCores === null ? null : +unpaced.cpu.targetCores.toFixed(2),
          others: unpaced.cpu.otherCores === null ? null : +unpaced.cpu.otherCores.toFixed(2),
        },
      },
    }),
    figure({
      bench: 'recording',
      name: 'recording.harness_cpu_per_op',
      label: `harness CPU per op (process.cpuUsage), at ${cpuAt ? `${cpuAt.rate} ops/s` : 'capacity'}`,
      value: cpuAt?.cpu.harnessUsPerOp ?? null,
      unit: 'us/op',
      reference: {
        what: `one core per op at ${RECORDING_TARGET_OPS} ops/s`,
        value: 1e6 / RECORDING_TARGET_OPS,
        unit: 'us/op',
      },
      ...(cpuAt ? {} : { reason: reason ?? 'no rate was measured' }),
    }),
  ];
}
