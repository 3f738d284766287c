// Assemble DrillMetrics from the history, the final read, the faults, the leader timeline
// and what the backup/restore steps recorded. Every checker runs guarded (compose.ts): an
// exception makes its figures unknown (null, with the message as reason), never a crash and
// never a zero. Durability (durability.ts) is decided once, here, and every figure that
// counts successes (RTO, availability, the error-rate phase) asks it.
import { pairHistory, type FinalRead, type HistoryEvent, type Op } from '../client/history.js';
import type { DrillMetrics, FaultRecord, MarkRecord, RtoMeasurement } from '../core/result.js';
import { checkAvailability, type TimeWindow } from './availability.js';
import { guard, type CheckResult } from './compose.js';
import { durabilityOf, type Durability } from './durability.js';
import { checkHuman } from './human.js';
import { checkIntegrity } from './integrity.js';
import { checkLatency } from './latency.js';
import { checkLeader, splitBrainOf } from './leader.js';
import type { PositionCut } from './position.js';
import { checkReads } from './reads.js';
import { restoreMetrics, type BackupRunInput } from './restore-metrics.js';
import { checkRpo, type RpoFault } from './rpo.js';
import { checkRto, type LeaderObservation } from './rto.js';

export interface FaultWindowInput {
  id: string;
  /** Harness ms the fault was confirmed in effect; null if never confirmed. */
  confirmedT: number | null;
  /** Harness ms it was requested (optional: the pre-fault leader is the one seen before it). */
  requestedT?: number | null;
  /** Harness ms it was healed; null/undefined if it was not. */
  healedT?: number | null;
  /** Whether the fault is expected to interrupt service (kill, partition of the primary...): only those get an RTO. */
  disruptive: boolean;
}

export interface MetricsInput {
  /** Either the raw events (paired here) or already paired ops. */
  events?: readonly HistoryEvent[];
  ops?: readonly Op[];
  /** End of the history, harness ms (closes open ops and fault windows); default: last event. */
  endT?: number;
  final: FinalRead | null;
  faults: readonly FaultWindowInput[];
  leaderTimeline?: readonly LeaderObservation[];
  sustain?: number;
  /** Backups and restores of the drill (backup/destroy/restore/verify steps). */
  backup?: BackupRunInput;
  /** Marks on the timeline (game days: detected, mitigated). */
  marks?: readonly MarkRecord[];
  /** Score time to detect / mitigate even without human marks (the scenario has such thresholds). */
  gameDay?: boolean;
}

type Confirmed = FaultWindowInput & { confirmedT: number };

/** The checkers' view of the run's fault records (seconds to harness ms). */
export function faultInputs(records: readonly FaultRecord[]): FaultWindowInput[] {
  const ms = (s: number | null): number | null => (s === null ? null : s * 1000);
  return records.map((r) => ({
    id: r.id,
    confirmedT: ms(r.confirmed_s),
    requestedT: r.requested_s * 1000,
    healedT: ms(r.healed_s),
    disruptive: r.disruptive,
  }));
}

export function computeMetrics(input: MetricsInput): DrillMetrics {
  const ops: Op[] = input.ops ? [...input.ops] : pairHistory(input.events ?? [], input.endT);
  const endT = input.endT ?? ops.reduce((m, o) => Math.max(m, o.completeT), 0);
  const timeline = input.leaderTimeline ? [...input.leaderTimeline] : undefined;
  const bk = input.backup;
  const restored = bk !== undefined && bk.restores.length > 0;
  const cut: PositionCut | null = restored ? (bk.cut ?? null) : null;
  const durability = durabilityOf(ops, input.final, cut);

  const confirmed = input.faults.filter((f): f is Confirmed => f.confirmedT !== null);
  const disruptive = input.faults.filter((f) => f.disruptive);
  const rtoPerFault = disruptive.map((f) => faultRto(ops, f, durability, input, nextFaultT(f, disruptive)));
  const rto = worstRto(disruptive.length, rtoPerFault);

  // A fault's outage ends when it is healed; for a fault never healed (a kill), when the SUT
  // recovered from it; failing both, at the end of the history.
  const endOf = (f: Confirmed): number => {
    const tr = rtoPerFault.find((m) => m.fault_id === f.id)?.t_r_s;
    return f.healedT ?? (tr != null ? tr * 1000 : endT);
  };
  const outages = confirmed.filter((f) => f.disruptive);
  const rpoFaults: RpoFault[] = (outages.length > 0 ? outages : confirmed).map((f) => ({
    id: f.id,
    t_f: f.confirmedT,
    end: endOf(f),
  }));
  if (restored && bk.destroyT !== null) rpoFaults.push({ id: 'destroy', t_f: bk.destroyT, end: endT });
  const rpo = guard(
    () => checkRpo(ops, input.final, { faults: rpoFaults, cut }),
    (msg): DrillMetrics['rpo'] => ({
      lost: null,
      unexpected: null,
      recovered: null,
      window_s: null,
      lost_ids: [],
      unexpected_ids: [],
      per_fault: [],
      reason: `rpo checker failed: ${msg}`,
    }),
  );

  const windows: TimeWindow[] = confirmed.map((f) => ({ start: f.confirmedT, end: endOf(f) }));
  const avail = guard(
    () => checkAvailability(ops, windows, durability.success),
    (msg) => ({ during_faults: null, during_faults_acked: null, overall: null, writes_in_windows: 0, reason: msg }),
  );
  const latency = guard(
    () => checkLatency(ops),
    () => ({ p50: null, p90: null, p99: null, max: null }),
  );
  const integrity = guard(
    () => checkIntegrity(input.final),
    (msg) => ({ ok: null, dangling_edges: [], checksum_mismatch: [], reason: `integrity checker failed: ${msg}` }),
  );
  const reads = guard(
    () => checkReads(ops),
    () => ({ invoked: 0, ok: 0, found: 0, not_found: 0, stale: 0, stale_ids: [] }),
  );
  const leader = timeline
    ? guard(
        () => checkLeader(timeline),
        () => null,
      )
    : null;
  const split = timeline
    ? guard(
        () => splitBrainOf(timeline, endT),
        () => null,
      )
    : null;

  const metrics: DrillMetrics = {
    rto_s: rto.rto_s,
    rto_error_bar_s: rto.error_bar_s,
    rto_per_fault: rtoPerFault,
    rpo,
    availability: avail.during_faults,
    availability_acked: avail.during_faults_acked,
    availability_overall: avail.overall,
    latency_ms: latency,
    ops: {
      invoked: ops.length,
      ok: ops.filter((o) => o.outcome === 'ok').length,
      fail: ops.filter((o) => o.outcome === 'fail').length,
      info: ops.filter((o) => o.outcome === 'info').length,
      writes_ok: ops.filter((o) => o.outcome === 'ok' && o.f !== 'read').length,
      acked_then_lost: durability.known ? durability.lostIds.size : null,
      probe_writes: ops.filter((o) => o.probe === true).length,
    },
    reads,
    integrity,
    leader_changes: leader?.changes ?? null,
    checks: {},
  };
  if (avail.reason !== undefined && avail.during_faults === null) metrics.availability_reason = avail.reason;
  if (rto.reason !== undefined) metrics.rto_reason = rto.reason;
  if (leader) metrics.leader_flapping = leader.flapping;
  if (split) metrics.split_brain = split;

  if (bk) {
    const r = guard(
      () => restoreMetrics(bk, rpo, integrity, restored, ops, input.final),
      () => null,
    );
    if (r) {
      metrics.restore = r;
      // SPEC section 4: for restore drills t_f is the moment the data is destroyed and t_r the
      // first verified read and write on the restored cluster. A restore RTO applies only when a
      // restore step ran (a backup or verify step alone leaves the fault RTOs alone); the drill's
      // RTO is then the worst of it and the fault RTOs, and unknown stays unknown.
      if (restored) combineRestoreRto(metrics, disruptive.length, rto.code);
    }
  }
  const human = (input.marks ?? []).some((m) => m.kind === 'detected' || m.kind === 'mitigated');
  if (human || input.gameDay) {
    const faults = input.faults.map((f) => ({
      id: f.id,
      confirmed_s: f.confirmedT === null ? null : f.confirmedT / 1000,
      disruptive: f.disruptive,
    }));
    const g = guard(
      () => checkHuman(faults, input.marks ?? []),
      (msg) => ({ detect_s: null, mitigate_s: null, per_fault: [], reason: `checker failed: ${msg}` }),
    );
    metrics.game_day = g;
  }
  metrics.checks = checksOf(metrics);
  return metrics;
}

/** The confirmed instant of the next disruptive fault after `f`: its phases never reach past it. */
function nextFaultT(f: FaultWindowInput, all: readonly FaultWindowInput[]): number | undefined {
  if (f.confirmedT === null) return undefined;
  const later = all.map((g) => g.confirmedT).filter((t): t is number => t !== null && t > f.confirmedT!);
  return later.length === 0 ? undefined : Math.min(...later);
}

function faultRto(
  ops: readonly Op[],
  f: FaultWindowInput,
  durability: Durability,
  input: MetricsInput,
  boundT: number | undefined,
): RtoMeasurement {
  const empty = (reason: string, code: string, tf: number): RtoMeasurement => ({
    fault_id: f.id,
    rto_s: null,
    error_bar_s: null,
    t_f_s: tf / 1000,
    t_r_s: null,
    phases: { detection_s: null, leader_change_s: null, first_ack_write_s: null, error_rate_baseline_s: null },
    reason,
    reason_code: code,
  });
  if (f.confirmedT === null) return empty('the fault was never confirmed in effect', 'not-confirmed', 0);
  const instant = { id: f.id, confirmedT: f.confirmedT, requestedT: f.requestedT ?? null, healedT: f.healedT ?? null };
  const opts = {
    ...(input.sustain !== undefined ? { sustain: input.sustain } : {}),
    ...(input.leaderTimeline ? { leaderChanges: input.leaderTimeline } : {}),
    ...(boundT !== undefined ? { boundT } : {}),
    success: durability.success,
  };
  return guard(
    () => {
      const low = checkRto(ops, instant, { ...opts, undecidedAs: false });
      if (!durability.anyUndecided) return low;
      // Undecided acknowledgements: the recovery is known only if it is the same whichever
      // way they turn out.
      const high = checkRto(ops, instant, { ...opts, undecidedAs: true });
      if (high.t_r_s === low.t_r_s) return low;
      const why = durability.reason ?? 'some acknowledged writes cannot be placed before or after the backup position';
      return {
        ...low,
        rto_s: null,
        error_bar_s: null,
        t_r_s: null,
        reason: `${why}: whether writes survived decides the RTO`,
        reason_code: 'durability-unknown',
      };
    },
    (msg) => empty(`rto checker failed: ${msg}`, 'checker-failed', f.confirmedT!),
  );
}

type RtoCode = 'ok' | 'no-disruptive-fault' | 'unknown';

function worstRto(
  nDisruptive: number,
  per: readonly RtoMeasurement[],
): { rto_s: number | null; error_bar_s: number | null; reason?: string; code: RtoCode } {
  if (nDisruptive === 0)
    return { rto_s: null, error_bar_s: null, reason: 'no disruptive fault in this drill', code: 'no-disruptive-fault' };
  const unknown = per.filter((m) => m.rto_s === null);
  if (unknown.length > 0) {
    const reason = unknown.map((m) => `fault ${m.fault_id}: ${m.reason ?? 'unknown'}`).join('; ');
    return { rto_s: null, error_bar_s: null, reason, code: 'unknown' };
  }
  const worst = per.reduce((a, b) => ((b.rto_s ?? 0) > (a.rto_s ?? 0) ? b : a));
  return { rto_s: worst.rto_s, error_bar_s: worst.error_bar_s, code: 'ok' };
}

function combineRestoreRto(metrics: DrillMetrics, nDisruptive: number, faultCode: RtoCode): void {
  const restoreRto = metrics.restore?.rto_s ?? null;
  if (restoreRto === null) {
    metrics.rto_s = null;
    metrics.rto_error_bar_s = null;
    const faultReason = faultCode === 'no-disruptive-fault' ? undefined : metrics.rto_reason;
    metrics.rto_reason = [faultReason, 'restore RTO not measured'].filter(Boolean).join('; ');
  } else if (nDisruptive === 0) {
    metrics.rto_s = restoreRto;
    metrics.rto_error_bar_s = null;
    delete metrics.rto_reason;
  } else if (metrics.rto_s !== null && restoreRto > metrics.rto_s) {
    metrics.rto_s = restoreRto;
    metrics.rto_error_bar_s = null;
  }
}

/** Each checker's verdict on what it checked (false beats unknown beats true when merged). */
function checksOf(m: DrillMetrics): DrillMetrics['checks'] {
  const c: Record<string, CheckResult> = {};
  c['rto'] = m.rto_s !== null ? { valid: true } : { valid: 'unknown', reason: m.rto_reason ?? 'not measured' };
  c['rpo'] =
    m.rpo.lost === null
      ? { valid: 'unknown', reason: m.rpo.reason ?? 'not measured' }
      : m.rpo.lost === 0
        ? { valid: true }
        : { valid: false, reason: `${m.rpo.lost} acknowledged writes lost` };
  c['integrity'] =
    m.integrity.ok === null
      ? { valid: 'unknown', reason: m.integrity.reason ?? 'not measured' }
      : m.integrity.ok
        ? { valid: true }
        : { valid: false, reason: m.integrity.reason ?? 'violated' };
  c['availability'] =
    m.availability === null ? { valid: 'unknown', reason: m.availability_reason ?? 'not measured' } : { valid: true };
  c['reads'] = m.reads.stale === 0 ? { valid: true } : { valid: false, reason: `${m.reads.stale} stale reads` };
  if (m.split_brain) {
    c['split_brain'] =
      m.split_brain.max_leaders >= 2
        ? { valid: false, reason: `${m.split_brain.max_leaders} leaders at once for ${m.split_brain.seconds} s` }
        : { valid: true };
  }
  const out: DrillMetrics['checks'] = {};
  for (const [k, v] of Object.entries(c))
    out[k] = v.reason === undefined ? { valid: v.valid } : { valid: v.valid, reason: v.reason };
  return out;
}
