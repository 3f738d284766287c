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
  /**
   * After a restore: the backup's recorded log position. Writes the source cluster acknowledged
   * (invoked before `beforeT`, the destroy) at or before `position` must be present: absent ones
   * are data loss in the backup (missing_before_position, also counted in lost). Later ones that
   * are absent are the restore's RPO. Resolved by the acknowledged position, never by time.
   */
  backupPosition?: { position: number; beforeT: number };
  /** Cap on the id lists carried in the result (counts stay exact). Default 1000. */
  maxIds?: number;
}

interface IdFate {
  outcome: Outcome;
  /** Earliest acknowledgement time, for ok ids. */
  ackT: number;
  /** Log position of the acknowledgement and invoke time of that op, for ok ids. */
  index?: number | undefined;
  invokeT?: number;
}

/** Strongest outcome over every attempt at the same id: ok > info > fail. */
function fates(ops: readonly Op[]): Map<string, IdFate> {
  const rank: Record<Outcome, number> = { fail: 0, info: 1, ok: 2 };
  const m = new Map<string, IdFate>();
  for (const op of ops) {
    if (!isWrite(op)) continue;
    const prev = m.get(op.id);
    const ackT = op.outcome === 'ok' ? op.completeT : Infinity;
    const ok = op.outcome === 'ok' ? { index: op.index, invokeT: op.invokeT } : {};
    if (!prev) m.set(op.id, { outcome: op.outcome, ackT, ...ok });
    else
      m.set(op.id, {
        ...prev,
        ...(op.outcome === 'ok' && prev.outcome !== 'ok' ? ok : {}),
        outcome: rank[op.outcome] > rank[prev.outcome] ? op.outcome : prev.outcome,
        ackT: Math.min(prev.ackT, ackT),
      });
  }
  return m;
}

export function checkRpo(
  ops: readonly Op[],
  final: { ids: readonly string[] } | null,
  opts: RpoOptions,
): RpoMeasurement {
  if (final === null) {
    return { lost: null, unexpected: null, recovered: null, window_s: null, lost_ids: [], unexpected_ids: [] };
  }
  const cap = opts.maxIds ?? 1000;
  const present = new Set(final.ids);
  const attempts = fates(ops);
  const lost: string[] = [];
  const missingBefore: string[] = [];
  let earliestLostAck = Infinity;
  let recovered = 0;
  const cut = opts.backupPosition;
  for (const [id, fate] of attempts) {
    if (fate.outcome === 'ok' && !present.has(id)) {
      lost.push(id);
      earliestLostAck = Math.min(earliestLostAck, fate.ackT);
      if (cut && (fate.invokeT ?? Infinity) < cut.beforeT && (fate.index === undefined || fate.index <= cut.position))
        missingBefore.push(id);
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
  const out: RpoMeasurement = {
    lost: lost.length,
    unexpected: unexpected.length,
    recovered,
    window_s,
    lost_ids: lost.slice(0, cap),
    unexpected_ids: unexpected.slice(0, cap),
  };
  if (cut) {
    out.missing_before_position = missingBefore.length;
    out.missing_before_position_ids = missingBefore.slice(0, cap);
  }
  return out;
}
