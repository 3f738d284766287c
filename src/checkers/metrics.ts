// Assemble DrillMetrics from the history, the final read, the faults and the leader
// timeline. Every checker runs guarded: an exception makes its figures unknown (null, with
// the message as reason), never a crash and never a zero.
import { pairHistory, type FinalRead, type HistoryEvent, type Op } from '../client/history.js';
import type { DrillMetrics, RestoreMetrics, RtoMeasurement } from '../core/result.js';
import { checkAvailability, type TimeWindow } from './availability.js';
import { guard } from './compose.js';
import { checkIntegrity } from './integrity.js';
import { checkLatency } from './latency.js';
import { checkLeader } from './leader.js';
import { checkRpo } from './rpo.js';
import { checkRto, type LeaderObservation } from './rto.js';

export interface FaultWindowInput {
  id: string;
  /** Harness ms the fault was confirmed in effect; null if never confirmed. */
  confirmedT: number | null;
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
  /** Fault instant for RPO's time window; default: the earliest confirmed disruptive fault (else any fault). */
  rpoFaultT?: number | null;
  sustain?: number;
  /** Backups and restores of the drill (backup/destroy/restore steps). */
  backup?: {
    /** The position cut of the last successful restore. */
    cut: { position: number; beforeT: number } | null;
    destroyT: number | null;
    backups: ReadonlyArray<{ end_s: number | null; id: string | null; status: string }>;
    restores: ReadonlyArray<{
      status: string;
      snapshot: string | null;
      rto_s: number | null;
      phases: RestoreMetrics['phases'];
      checksum_match: boolean | null;
    }>;
  };
}

export function computeMetrics(input: MetricsInput): DrillMetrics {
  const ops: Op[] = input.ops ? [...input.ops] : pairHistory(input.events ?? [], input.endT);
  const endT = input.endT ?? ops.reduce((m, o) => Math.max(m, o.completeT), 0);
  const timeline = input.leaderTimeline ? [...input.leaderTimeline] : undefined;

  // RTO per disruptive fault; the drill's RTO is the worst, unknown if any is unknown.
  const disruptive = input.faults.filter((f) => f.disruptive);
  const rtoPerFault: RtoMeasurement[] = [];
  const rtoProblems: string[] = [];
  for (const f of disruptive) {
    if (f.confirmedT === null) {
      rtoProblems.push(`fault ${f.id} was never confirmed in effect`);
      continue;
    }
    const confirmedT = f.confirmedT;
    const m = guard(
      () =>
        checkRto(
          ops,
          { id: f.id, confirmedT, healedT: f.healedT ?? null },
          { sustain: input.sustain, leaderChanges: timeline },
        ),
      (msg): RtoMeasurement => ({
        fault_id: f.id,
        rto_s: null,
        error_bar_s: null,
        t_f_s: confirmedT / 1000,
        t_r_s: null,
        phases: { detection_s: null, leader_change_s: null, first_ack_write_s: null, error_rate_baseline_s: null },
        reason: `rto checker failed: ${msg}`,
      }),
    );
    rtoPerFault.push(m);
    if (m.rto_s === null) rtoProblems.push(`fault ${f.id}: ${m.reason ?? 'unknown'}`);
  }
  let rto_s: number | null = null;
  let rto_error_bar_s: number | null = null;
  let rto_reason: string | undefined;
  if (disruptive.length === 0) rto_reason = 'no disruptive fault in this drill';
  else if (rtoProblems.length > 0) rto_reason = rtoProblems.join('; ');
  else {
    const worst = rtoPerFault.reduce((a, b) => ((b.rto_s ?? 0) > (a.rto_s ?? 0) ? b : a));
    rto_s = worst.rto_s;
    rto_error_bar_s = worst.error_bar_s;
  }

  const confirmed = input.faults.filter((f): f is FaultWindowInput & { confirmedT: number } => f.confirmedT !== null);
  const firstOf = (fs: typeof confirmed): number | null =>
    fs.length === 0 ? null : Math.min(...fs.map((f) => f.confirmedT));
  const bk = input.backup;
  const rpoFaultT =
    input.rpoFaultT !== undefined
      ? input.rpoFaultT
      : bk?.cut && bk.destroyT !== null
        ? bk.destroyT
        : (firstOf(confirmed.filter((f) => f.disruptive)) ?? firstOf(confirmed));
  const rpo = guard(
    () => checkRpo(ops, input.final, { faultT: rpoFaultT, ...(bk?.cut ? { backupPosition: bk.cut } : {}) }),
    () => ({ lost: null, unexpected: null, recovered: null, window_s: null, lost_ids: [], unexpected_ids: [] }),
  );

  // A fault window ends when the fault is healed; for a fault never healed (a kill), when
  // the SUT recovered from it; failing both, at the end of the history.
  const windows: TimeWindow[] = confirmed.map((f) => {
    const tr = rtoPerFault.find((m) => m.fault_id === f.id)?.t_r_s;
    const end = f.healedT ?? (tr != null ? tr * 1000 : endT);
    return { start: f.confirmedT, end };
  });
  const avail = guard(
    () => checkAvailability(ops, windows),
    () => ({ during_faults: null, overall: null, writes_in_windows: 0 }),
  );
  const latency = guard(
    () => checkLatency(ops),
    () => ({ p50: null, p90: null, p99: null, max: null }),
  );
  const integrity = guard(
    () => checkIntegrity(input.final),
    (msg) => ({ ok: null, dangling_edges: [], checksum_mismatch: [], reason: `integrity checker failed: ${msg}` }),
  );
  const leader = timeline
    ? guard(
        () => checkLeader(timeline),
        () => null,
      )
    : null;

  const metrics: DrillMetrics = {
    rto_s,
    rto_error_bar_s,
    rto_per_fault: rtoPerFault,
    rpo,
    availability: avail.during_faults,
    availability_overall: avail.overall,
    latency_ms: latency,
    ops: {
      invoked: ops.length,
      ok: ops.filter((o) => o.outcome === 'ok').length,
      fail: ops.filter((o) => o.outcome === 'fail').length,
      info: ops.filter((o) => o.outcome === 'info').length,
      writes_ok: ops.filter((o) => o.outcome === 'ok' && o.f !== 'read').length,
    },
    integrity,
    leader_changes: leader?.changes ?? null,
  };
  if (bk) {
    const last = [...bk.restores].reverse().find((r) => r.status === 'restored');
    const missing = rpo.missing_before_position ?? null;
    const lostAfter = rpo.lost !== null && missing !== null ? rpo.lost - missing : null;
    const snap = last ? bk.backups.find((b) => b.id === last.snapshot) : undefined;
    metrics.restore = {
      rto_s: last ? last.rto_s : null,
      phases: last ? last.phases : { restore_s: null, healthy_s: null, verification_s: null },
      position: bk.cut?.position ?? null,
      snapshot: last?.snapshot ?? null,
      missing_before_position: bk.cut ? missing : null,
      lost_after_position: bk.cut ? lostAfter : null,
      window_s: bk.cut ? (lostAfter === 0 ? 0 : rpo.window_s) : null,
      backup_age_s:
        bk.destroyT !== null && snap?.end_s != null
          ? Math.round((bk.destroyT / 1000 - snap.end_s) * 1000) / 1000
          : null,
      checksum_match: last ? last.checksum_match : null,
      refused: bk.restores.filter((r) => r.status === 'refused').length,
      backups: bk.backups.map((b) => ({ ...b })),
      restores: bk.restores.map((r) => ({ ...r })),
    };
    // Integrity covers the backups too: acknowledged writes at or before a backup's position
    // missing after its restore, or restored data whose checksum differs from the manifest.
    const broken: string[] = [];
    if ((missing ?? 0) > 0)
      broken.push(
        `${missing} acknowledged writes at or before the backup position ${bk.cut?.position} are missing after the restore`,
      );
    if (last && last.checksum_match === false) broken.push('the restored data does not match the manifest checksum');
    if (broken.length > 0) {
      integrity.ok = false;
      integrity.reason = [integrity.reason, ...broken].filter(Boolean).join('; ');
    }
  }
  // SPEC section 4: for restore drills t_f is the moment the data is destroyed and t_r the
  // first verified read and write on the restored cluster. The drill's RTO is the worst of
  // that and the fault RTOs; unknown stays unknown.
  const restoreRto = metrics.restore?.rto_s;
  if (restoreRto !== undefined) {
    if (restoreRto === null) {
      metrics.rto_s = null;
      rto_reason = [
        rto_reason === 'no disruptive fault in this drill' ? undefined : rto_reason,
        'restore RTO not measured',
      ]
        .filter(Boolean)
        .join('; ');
    } else if (disruptive.length === 0) {
      metrics.rto_s = restoreRto;
      rto_reason = undefined;
    } else if (metrics.rto_s !== null) {
      metrics.rto_s = Math.max(metrics.rto_s, restoreRto);
    }
  }
  if (rto_reason !== undefined) metrics.rto_reason = rto_reason;
  if (leader) metrics.leader_flapping = leader.flapping;
  return metrics;
}
