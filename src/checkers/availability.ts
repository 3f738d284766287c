// Availability: the share of writes that were durable successes (acknowledged and present
// after recovery, durability.ts). A timeout counts as not available: the client did not get
// an answer it could act on; an acknowledgement that was later lost counts as not available
// either: the client was told a lie. The raw acknowledged share is kept beside it, labelled
// as such, so a reader sees how much of the "availability" a store claimed was real.
import { isWrite, type Op } from '../client/history.js';
import type { Success } from './durability.js';

export interface TimeWindow {
  /** Harness ms, inclusive. */
  start: number;
  /** Harness ms, inclusive. */
  end: number;
}

export interface AvailabilityMeasurement {
  /** Durable successes / writes invoked inside any window; null when none was invoked there or it cannot be told. */
  during_faults: number | null;
  /** Acknowledged / writes invoked inside any window (lost or not). */
  during_faults_acked: number | null;
  /** Durable successes / every write; null when there were no writes or it cannot be told. */
  overall: number | null;
  writes_in_windows: number;
  /** Why a durable figure is null. */
  reason?: string;
}

const ratio = (ok: number, n: number): number | null => (n === 0 ? null : Math.round((ok / n) * 1e6) / 1e6);

export function checkAvailability(
  ops: readonly Op[],
  windows: readonly TimeWindow[],
  success: (op: Op) => Success = (op) => op.outcome === 'ok',
): AvailabilityMeasurement {
  const writes = ops.filter(isWrite);
  const inside = writes.filter((w) => windows.some((win) => w.invokeT >= win.start && w.invokeT <= win.end));
  // With undecided writes the share lies in a range: unknown unless both ends agree.
  const share = (ws: readonly Op[]): number | 'unknown' | null => {
    let yes = 0;
    let maybe = 0;
    for (const w of ws) {
      const s = success(w);
      if (s === true) yes++;
      else if (s === 'unknown') maybe++;
    }
    const lo = ratio(yes, ws.length);
    if (maybe === 0 || lo === null) return lo;
    return lo === ratio(yes + maybe, ws.length) ? lo : 'unknown';
  };
  const during = share(inside);
  const overall = share(writes);
  const out: AvailabilityMeasurement = {
    during_faults: during === 'unknown' ? null : during,
    during_faults_acked: ratio(inside.filter((w) => w.outcome === 'ok').length, inside.length),
    overall: overall === 'unknown' ? null : overall,
    writes_in_windows: inside.length,
  };
  if (inside.length === 0) out.reason = 'no write was invoked during a fault';
  else if (during === 'unknown') out.reason = 'whether acknowledged writes survived is unknown';
  return out;
}
