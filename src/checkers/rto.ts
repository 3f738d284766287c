// RTO: how long after the fault was confirmed did the SUT accept writes again, for good.
//
//   t_f ─────────[ errors / timeouts ]─────x──────✓✓✓✓✓✓✓✓✓✓ ...
//                                          │      │
//                 last non-ok completion ──┘      └── t_r: completion of the first ok write
//                                                     that begins a sustained run of oks
//
// Recovery happened somewhere between the last evidence of unavailability (the latest
// completion of a failed or indeterminate write) and t_r; that gap is the error bar.
import { isWrite, type Op } from '../client/history.js';
import type { RtoMeasurement } from '../core/result.js';

export interface FaultInstant {
  id: string;
  /** Harness ms when the fault was confirmed in effect. */
  confirmedT: number;
  healedT?: number | null;
}

export interface LeaderObservation {
  /** Harness ms. */
  t: number;
  /** Leader node observed at t; null = no leader observed. */
  leader: string | null;
}

export interface RtoOptions {
  /** Consecutive ok writes (by invoke order, across workers) required after the recovery write. Default 10. */
  sustain?: number;
  /** When the history ends before `sustain` more writes, at least this many remaining writes (all ok). Default 3. */
  minTail?: number;
  leaderChanges?: LeaderObservation[];
  /** Length of the pre-fault window the baseline error rate is computed over, ms. Default 10 000. */
  baselineWindowMs?: number;
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;
const toS = (ms: number): number => round(ms / 1000);

/**
 * Index (into `writes`, sorted by invoke time) of the write that begins a sustained run of
 * successes, or -1. A single lucky success followed by failures is not recovery.
 */
export function findSustainedRecovery(writes: readonly Op[], sustain: number, minTail = 3): number {
  for (let i = 0; i < writes.length; i++) {
    if (writes[i]!.outcome !== 'ok') continue;
    const next = writes.slice(i + 1, i + 1 + sustain);
    if (next.length < sustain && next.length < minTail) return -1; // not enough evidence left
    if (next.every((w) => w.outcome === 'ok')) return i;
  }
  return -1;
}

export function checkRto(ops: readonly Op[], fault: FaultInstant, opts: RtoOptions = {}): RtoMeasurement {
  const sustain = opts.sustain ?? 10;
  const tf = fault.confirmedT;
  const writes = ops.filter(isWrite).sort((a, b) => a.invokeT - b.invokeT);
  const after = writes.filter((w) => w.invokeT >= tf);

  const phases = {
    ...leaderPhases(opts.leaderChanges, tf),
    first_ack_write_s: firstAck(after, tf),
    error_rate_baseline_s: errorRateBaseline(writes, tf, opts.baselineWindowMs ?? 10_000),
  };

  const idx = findSustainedRecovery(after, sustain, opts.minTail ?? 3);
  if (idx < 0) {
    const anyOk = after.some((w) => w.outcome === 'ok');
    return {
      fault_id: fault.id,
      rto_s: null,
      error_bar_s: null,
      t_f_s: toS(tf),
      t_r_s: null,
      phases,
      reason:
        after.length === 0
          ? 'no write was invoked after the fault'
          : anyOk
            ? `no sustained run of successful writes after the fault (need 1 + ${sustain} consecutive ok writes)`
            : 'no successful write after the fault',
    };
  }
  const tr = after[idx]!.completeT;
  // Error bar: recovery happened after the last evidence of unavailability, i.e. the latest
  // completion (in [t_f, t_r)) of a write that did not succeed. If no write failed after
  // t_f, nothing tells us the SUT was ever down, so recovery may have been at any instant
  // in [t_f, t_r]: the bar is the whole interval.
  let lastBad = tf;
  for (const w of writes) {
    if (w.outcome !== 'ok' && w.completeT >= tf && w.completeT < tr) lastBad = Math.max(lastBad, w.completeT);
  }
  return {
    fault_id: fault.id,
    rto_s: toS(tr - tf),
    error_bar_s: toS(tr - lastBad),
    t_f_s: toS(tf),
    t_r_s: toS(tr),
    phases,
  };
}

/**
 * detection_s: first observation after t_f where the leader differs from the one before
 * t_f (including "no leader"), i.e. the SUT noticed. leader_change_s: first observation of
 * a non-null leader different from the pre-fault leader.
 */
function leaderPhases(
  timeline: readonly LeaderObservation[] | undefined,
  tf: number,
): { detection_s: number | null; leader_change_s: number | null } {
  if (!timeline || timeline.length === 0) return { detection_s: null, leader_change_s: null };
  const sorted = [...timeline].sort((a, b) => a.t - b.t);
  let before: string | null = null;
  for (const o of sorted) if (o.t < tf && o.leader !== null) before = o.leader;
  let detection: number | null = null;
  let change: number | null = null;
  for (const o of sorted) {
    if (o.t < tf) continue;
    if (detection === null && o.leader !== before) detection = o.t;
    if (change === null && o.leader !== null && o.leader !== before) change = o.t;
  }
  // A new leader seen without an intervening "no leader" observation is also the detection.
  return {
    detection_s: detection === null ? null : toS(detection - tf),
    leader_change_s: change === null ? null : toS(change - tf),
  };
}

function firstAck(after: readonly Op[], tf: number): number | null {
  let first = Infinity;
  for (const w of after) if (w.outcome === 'ok') first = Math.min(first, w.completeT);
  return first === Infinity ? null : toS(first - tf);
}

/**
 * First 1 s window after t_f (writes attributed to the window of their invoke time) whose
 * error rate is at most the pre-fault baseline + 1 percentage point, and which follows at
 * least one window above it ("back to" baseline). 0 when no window was ever above the
 * baseline. Null when the rate never came back (or there were no writes after t_f). The
 * baseline is taken over `baselineWindowMs` before t_f rather than 1 s: at drill rates a
 * single second holds too few writes to be a baseline.
 */
function errorRateBaseline(writes: readonly Op[], tf: number, baselineMs: number): number | null {
  const pre = writes.filter((w) => w.invokeT < tf && w.invokeT >= tf - baselineMs);
  const baseline = pre.length === 0 ? 0 : pre.filter((w) => w.outcome !== 'ok').length / pre.length;
  const post = writes.filter((w) => w.invokeT >= tf);
  if (post.length === 0) return null;
  const buckets = new Map<number, { n: number; bad: number }>();
  let maxK = 0;
  for (const w of post) {
    const k = Math.floor((w.invokeT - tf) / 1000);
    maxK = Math.max(maxK, k);
    const b = buckets.get(k) ?? { n: 0, bad: 0 };
    b.n++;
    if (w.outcome !== 'ok') b.bad++;
    buckets.set(k, b);
  }
  let wasAbove = false;
  for (let k = 0; k <= maxK; k++) {
    const b = buckets.get(k);
    if (!b) continue;
    const atBaseline = b.bad / b.n <= baseline + 0.01 + 1e-12;
    if (!atBaseline) wasAbove = true;
    else if (wasAbove) return k;
  }
  return wasAbove ? null : 0;
}
