// Latency of acknowledged operations (reads and writes), ms. Failed and indeterminate ops are
// excluded: a timeout's "latency" is the client's timeout setting, not the SUT's.
import type { Op } from '../client/history.js';

export interface LatencyMeasurement {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentile of an ascending array: the value at rank ceil(p/100 * n). */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function checkLatency(ops: readonly Op[]): LatencyMeasurement {
  const lat = ops
    .filter((o) => o.outcome === 'ok')
    .map((o) => Math.round((o.completeT - o.invokeT) * 1000) / 1000)
    .sort((a, b) => a - b);
  return {
    p50: nearestRank(lat, 50),
    p90: nearestRank(lat, 90),
    p99: nearestRank(lat, 99),
    max: lat.length === 0 ? null : lat[lat.length - 1]!,
  };
}
