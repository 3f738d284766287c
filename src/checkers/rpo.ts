// RPO with Jepsen's set semantics (jepsen.checker/set): every write adds a unique id; after
// recovery the harness reads the whole set back and compares it with what the clients were
// told.
//   lost       - acknowledged (ok) but absent: the data loss the RPO is about
//   unexpected - present but never attempted, or attempted and certainly refused (fail)
//   recovered  - outcome unknown (info) but present: the write did happen
//
// RPO as time: the span of acknowledged history that is gone, per fault. Each lost write is
// attributed to the fault whose outage it falls in: the fault whose window (t_f to heal or
// recovery) holds its acknowledgement (a split brain's isolated primary acknowledging
// writes that are discarded on heal), else the next fault after it (acknowledged, then taken
// by the fault: asynchronous replication, a power loss). For that fault
//
//   window = max(t_f, latest lost acknowledgement) - earliest lost acknowledgement
//
// 0 only when nothing is lost; the drill's window is the worst fault's. A restore counts as
// a fault whose t_f is the destroy.
import { isWrite, type FinalRead, type Op, type Outcome } from '../client/history.js';
import type { DrillMetrics } from '../core/result.js';
import { unstableReason } from './durability.js';
import { sideOfCut, type PositionCut } from './position.js';

export type RpoMeasurement = DrillMetrics['rpo'];
export type RpoFaultWindow = NonNullable<RpoMeasurement['per_fault']>[number];

/** A fault as the RPO window sees it: its instant and the end of its outage, harness ms. */
export interface RpoFault {
  id: string;
  t_f: number;
  /** Heal, else recovery, else the end of the history. */
  end: number;
}

export interface RpoOptions {
  faults: readonly RpoFault[];
  /** After a restore: writes of the source cluster are resolved by the backup's position. */
  cut?: PositionCut | null;
  /** Cap on the id lists carried in the result (counts stay exact). Default 1000. */
  maxIds?: number;
}

interface IdFate {
  outcome: Outcome;
  /** The acknowledged attempt (ok ids): its completion is the acknowledgement. */
  ack?: Op;
}

/** Strongest outcome over every attempt at the same id: ok > info > fail. */
function fates(ops: readonly Op[]): Map<string, IdFate> {
  const rank: Record<Outcome, number> = { fail: 0, info: 1, ok: 2 };
  const m = new Map<string, IdFate>();
  for (const op of ops) {
    if (!isWrite(op)) continue;
    const prev = m.get(op.id);
    const ack = op.outcome === 'ok' && (!prev?.ack || op.completeT < prev.ack.completeT) ? op : prev?.ack;
    const outcome = !prev || rank[op.outcome] > rank[prev.outcome] ? op.outcome : prev.outcome;
    m.set(op.id, ack ? { outcome, ack } : { outcome });
  }
  return m;
}

/** The fault a loss acknowledged at `ackT` belongs to (see the header), or undefined without faults. */
export function attribute(ackT: number, faults: readonly RpoFault[]): RpoFault | undefined {
  const sorted = [...faults].sort((a, b) => a.t_f - b.t_f);
  const inside = sorted.filter((f) => ackT >= f.t_f && ackT <= f.end);
  if (inside.length > 0) return inside[inside.length - 1];
  return sorted.find((f) => f.t_f > ackT) ?? sorted.filter((f) => f.t_f <= ackT).pop();
}

const s3 = (ms: number): number => Math.round(ms) / 1000;

/** Per-fault windows of the lost acknowledgements. */
export function lossWindows(lostAcks: readonly number[], faults: readonly RpoFault[]): RpoFaultWindow[] {
  const by = new Map<string, { f: RpoFault; first: number; last: number; n: number }>();
  for (const a of lostAcks) {
    const f = attribute(a, faults);
    if (!f) continue;
    const g = by.get(f.id) ?? { f, first: Infinity, last: -Infinity, n: 0 };
    g.first = Math.min(g.first, a);
    g.last = Math.max(g.last, a);
    g.n++;
    by.set(f.id, g);
  }
  return [...by.values()]
    .sort((a, b) => a.f.t_f - b.f.t_f)
    .map((g) => ({
      fault_id: g.f.id,
      lost: g.n,
      window_s: s3(Math.max(g.f.t_f, g.last) - g.first),
      first_lost_ack_s: s3(g.first - g.f.t_f),
      last_lost_ack_s: s3(g.last - g.f.t_f),
    }));
}

export function checkRpo(ops: readonly Op[], final: FinalRead | null, opts: RpoOptions): RpoMeasurement {
  const unknown = (reason: string): RpoMeasurement => ({
    lost: null,
    unexpected: null,
    recovered: null,
    window_s: null,
    lost_ids: [],
    unexpected_ids: [],
    per_fault: [],
    reason,
  });
  const why = unstableReason(final);
  if (final === null || why !== undefined) return unknown(why ?? 'no final read of the data');
  const cap = opts.maxIds ?? 1000;
  const present = new Set(final.ids);
  const attempts = fates(ops);
  const lost: string[] = [];
  const lostAcks: number[] = [];
  const missingBefore: string[] = [];
  const presentAfter: string[] = [];
  let unresolved = 0;
  let recovered = 0;
  const cut = opts.cut ?? null;
  for (const [id, fate] of attempts) {
    if (fate.ack && !present.has(id)) {
      lost.push(id);
      lostAcks.push(fate.ack.completeT);
      if (cut) {
        const side = sideOfCut(fate.ack, cut);
        if (side === 'before') missingBefore.push(id);
        else if (side === 'unresolved') unresolved++;
      }
    }
    if (fate.ack && cut && present.has(id) && sideOfCut(fate.ack, cut) === 'after') presentAfter.push(id);
    if (fate.outcome === 'info' && present.has(id)) recovered++;
  }
  const unexpected: string[] = [];
  for (const id of present) {
    const fate = attempts.get(id);
    if (!fate || fate.outcome === 'fail') unexpected.push(id);
  }
  const perFault = lossWindows(lostAcks, opts.faults);
  let window_s: number | null;
  if (lost.length === 0) window_s = 0;
  else if (perFault.length === 0) window_s = null;
  else window_s = Math.max(...perFault.map((w) => w.window_s));
  const out: RpoMeasurement = {
    lost: lost.length,
    unexpected: unexpected.length,
    recovered,
    window_s,
    lost_ids: lost.slice(0, cap),
    unexpected_ids: unexpected.slice(0, cap),
    per_fault: perFault,
  };
  if (window_s === null) out.reason = 'writes were lost but no fault instant is known to measure the window from';
  if (cut) {
    out.missing_before_position = missingBefore.length;
    out.missing_before_position_ids = missingBefore.slice(0, cap);
    out.unresolved_position = unresolved;
    out.present_after_position = presentAfter.length;
    out.present_after_position_ids = presentAfter.slice(0, cap);
  }
  return out;
}
