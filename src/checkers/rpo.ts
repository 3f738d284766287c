// RPO with Jepsen's set semantics (jepsen.checker/set): every write adds a unique id; after
// recovery the harness reads the whole set back and compares it with what the clients were
// told.
//   lost       - acknowledged (ok) but absent: the data loss the RPO is about
//   unexpected - present but never attempted, or attempted and certainly refused (fail)
//   recovered  - outcome unknown (info) but present: the write did happen
import { isWrite, type Op, type Outcome } from '../client/history.js';
import type { DrillMetrics } from '../core/result.js';

export type RpoMeasurement = DrillMetrics['rpo'];

export interface RpoOptions {
  /** Harness ms of the fault instant (for restore drills: the moment data was destroyed). */
  faultT: number | null;
  /** Reserved: the backup's recorded log position, to resolve writes concurrent with a backup. */
  backupPosition?: unknown;
  /** Cap on the id lists carried in the result (counts stay exact). Default 1000. */
  maxIds?: number;
}

interface IdFate {
  outcome: Outcome;
  /** Earliest acknowledgement time, for ok ids. */
  ackT: number;
}

/** Strongest outcome over every attempt at the same id: ok > info > fail. */
function fates(ops: readonly Op[]): Map<string, IdFate> {
  const rank: Record<Outcome, number> = { fail: 0, info: 1, ok: 2 };
  const m = new Map<string, IdFate>();
  for (const op of ops) {
    if (!isWrite(op)) continue;
    const prev = m.get(op.id);
    const ackT = op.outcome === 'ok' ? op.completeT : Infinity;
    if (!prev) m.set(op.id, { outcome: op.outcome, ackT });
    else
      m.set(op.id, {
        outcome: rank[op.outcome] > rank[prev.outcome] ? op.outcome : prev.outcome,
        ackT: Math.min(prev.ackT, ackT),
      });
  }
  return m;
}

export function checkRpo(ops: readonly Op[], final: { ids: readonly string[] } | null, opts: RpoOptions): RpoMeasurement {
  if (final === null) {
    return { lost: null, unexpected: null, recovered: null, window_s: null, lost_ids: [], unexpected_ids: [] };
  }
  const cap = opts.maxIds ?? 1000;
  const present = new Set(final.ids);
  const attempts = fates(ops);
  const lost: string[] = [];
  let earliestLostAck = Infinity;
  let recovered = 0;
  for (const [id, fate] of attempts) {
    if (fate.outcome === 'ok' && !present.has(id)) {
      lost.push(id);
      earliestLostAck = Math.min(earliestLostAck, fate.ackT);
    }
    if (fate.outcome === 'info' && present.has(id)) recovered++;
  }
  const unexpected: string[] = [];
  for (const id of present) {
    const fate = attempts.get(id);
    if (!fate || fate.outcome === 'fail') unexpected.push(id);
  }
  let window_s: number | null;
  if (lost.length === 0) window_s = 0;
  else if (opts.faultT === null) window_s = null;
  else window_s = Math.round(Math.max(0, opts.faultT - earliestLostAck)) / 1000;
  return {
    lost: lost.length,
    unexpected: unexpected.length,
    recovered,
    window_s,
    lost_ids: lost.slice(0, cap),
    unexpected_ids: unexpected.slice(0, cap),
  };
}
