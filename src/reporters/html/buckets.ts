// Time buckets for the timeline: how many operations completed ok / acknowledged-then-lost /
// fail / info in each slice of the run, and the latency of the acknowledged ones (p50, p99). 100 ms slices,
// widened for long runs so that the page stays small (at most MAX_BUCKETS slices).

import { nearestRank } from '../../checkers/latency.js';
import type { Op } from '../../client/history.js';
import { drawnOutcome } from './scatter.js';

export interface Bucket {
  /** Start of the slice, ms since the run's origin. */
  t: number;
  /** Acknowledged and durable (or reads answered). */
  ok: number;
  /** Acknowledged writes absent after recovery: their own outcome, never counted as ok. */
  lost: number;
  fail: number;
  info: number;
  /** Latency of ok operations completing in the slice, ms; null when none. */
  p50: number | null;
  p99: number | null;
}

export interface Buckets {
  /** Width of one slice, ms. */
  widthMs: number;
  buckets: Bucket[];
  /** Largest ok + lost + fail + info in one slice. */
  maxCount: number;
}

export const MAX_BUCKETS = 2000;
const WIDTHS_MS = [100, 200, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 300_000, 600_000, 3_600_000];

/** The narrowest slice width (100 ms at best) that keeps a run of `durationMs` within MAX_BUCKETS slices. */
export function bucketWidthFor(durationMs: number): number {
  for (const w of WIDTHS_MS) if (durationMs / w <= MAX_BUCKETS) return w;
  return Math.ceil(durationMs / MAX_BUCKETS / 3_600_000) * 3_600_000;
}

/** Operations bucketed by completion time over [0, durationMs]. */
export function bucketOps(
  ops: readonly Op[],
  durationMs: number,
  widthMs = bucketWidthFor(durationMs),
  lostIds: ReadonlySet<string> = new Set(),
): Buckets {
  const n = Math.max(1, Math.ceil(durationMs / widthMs));
  const buckets: Bucket[] = Array.from({ length: n }, (_, i) => ({
    t: i * widthMs,
    ok: 0,
    lost: 0,
    fail: 0,
    info: 0,
    p50: null,
    p99: null,
  }));
  const lat: number[][] = Array.from({ length: n }, () => []);
  for (const op of ops) {
    const i = Math.min(n - 1, Math.max(0, Math.floor(op.completeT / widthMs)));
    const b = buckets[i]!;
    b[drawnOutcome(op, lostIds)]++;
    if (op.outcome === 'ok') lat[i]!.push(op.completeT - op.invokeT);
  }
  let maxCount = 0;
  buckets.forEach((b, i) => {
    const l = lat[i]!.sort((x, y) => x - y);
    b.p50 = nearestRank(l, 50);
    b.p99 = nearestRank(l, 99);
    maxCount = Math.max(maxCount, b.ok + b.lost + b.fail + b.info);
  });
  return { widthMs, buckets, maxCount };
}
