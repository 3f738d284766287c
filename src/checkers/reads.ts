// Reads record what they found. A read that misses a write acknowledged before the read was
// sent is a stale read: the store answered from a replica (or a deposed primary) that did
// not have it. Counted, listed, and scored by the optional `reads.stale` threshold.
import { isWrite, type Op } from '../client/history.js';
import type { DrillMetrics } from '../core/result.js';

export type ReadsMeasurement = DrillMetrics['reads'];

export function checkReads(ops: readonly Op[], maxIds = 100): ReadsMeasurement {
  const ackedAt = new Map<string, number>();
  for (const w of ops) {
    if (!isWrite(w) || w.outcome !== 'ok') continue;
    ackedAt.set(w.id, Math.min(ackedAt.get(w.id) ?? Infinity, w.completeT));
  }
  const out: ReadsMeasurement = { invoked: 0, ok: 0, found: 0, not_found: 0, stale: 0, stale_ids: [] };
  for (const r of ops) {
    if (r.f !== 'read') continue;
    out.invoked++;
    if (r.outcome !== 'ok') continue;
    out.ok++;
    if (r.found === true) out.found++;
    else if (r.found === false) {
      out.not_found++;
      const acked = ackedAt.get(r.id);
      if (acked !== undefined && acked < r.invokeT) {
        out.stale++;
        if (out.stale_ids.length < maxIds) out.stale_ids.push(r.id);
      }
    }
  }
  return out;
}
