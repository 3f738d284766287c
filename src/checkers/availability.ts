// Availability: the share of writes that were acknowledged. An info (timeout) counts as not
// available: the client did not get an answer it could act on.
import { isWrite, type Op } from '../client/history.js';

export interface TimeWindow {
  /** Harness ms, inclusive. */
  start: number;
  /** Harness ms, inclusive. */
  end: number;
}

export interface AvailabilityMeasurement {
  /** ok / invoked over writes invoked inside any window; null when none was invoked there. */
  during_faults: number | null;
  /** ok / invoked over every write; null when there were no writes. */
  overall: number | null;
  writes_in_windows: number;
}

const ratio = (ok: number, n: number): number | null => (n === 0 ? null : Math.round((ok / n) * 1e6) / 1e6);

export function checkAvailability(ops: readonly Op[], windows: readonly TimeWindow[]): AvailabilityMeasurement {
  const writes = ops.filter(isWrite);
  const inside = writes.filter((w) => windows.some((win) => w.invokeT >= win.start && w.invokeT <= win.end));
  return {
    during_faults: ratio(inside.filter((w) => w.outcome === 'ok').length, inside.length),
    overall: ratio(writes.filter((w) => w.outcome === 'ok').length, writes.length),
    writes_in_windows: inside.length,
  };
}
