// RTO: how long after the fault was confirmed did the SUT accept writes again, for good.
//
//   t_f ──────[ errors / timeouts / acknowledged-then-lost ]──x──────✓✓✓✓✓✓✓✓✓✓ ...
//                                                            │      │
//       invoke of the latest write that did not succeed ─────┘      └── t_r
//
// t_r is the earliest completion of a durable write (acknowledged and present after
// recovery, durability.ts) that was invoked after t_f and begins a sustained run: the
// next `sustain` writes by invoke order (every worker and the recovery probe) are durable
// too. Candidates are ranked by their acknowledgement, not their invoke: a slow write
// sent first must not stretch RTO past a fast one sent 10 ms later.
//
// The error bar is one-sided: recovery happened somewhere in [t_r - bar, t_r]. Its lower end
// is the invoke of the latest write (invoked after t_f, before t_r) that did not succeed: a
// request sent then found the SUT unavailable, so recovery came later; before it, nothing
// was tried and recovery could have happened unseen. Without a failure after t_f the bar is
// the whole interval.
import { isWrite, type Op } from '../client/history.js';
import type { RtoMeasurement } from '../core/result.js';
import type { Success } from './durability.js';
import { leaderPhases, type LeaderObservation } from './leader-phases.js';

export type { LeaderObservation } from './leader-phases.js';

export interface FaultInstant {
  id: string;
  /** Harness ms when the fault was confirmed in effect. */
  confirmedT: number;
  /** Harness ms when it was requested (the pre-fault leader is the one seen before it). */
  requestedT?: number | null;
  healedT?: number | null;
}

export interface RtoOptions {
  /** Consecutive durable writes (by invoke order, across workers) required after the recovery write. Default 10. */
  sustain?: number;
  /** When the history ends before `sustain` more writes, at least this many remaining writes (all ok). Default 3. */
  minTail?: number;
  leaderChanges?: readonly LeaderObservation[];
  /** Length of the pre-fault window the baseline error rate is computed over, ms. Default 10 000. */
  baselineWindowMs?: number;
  /** Whether a write is a durable success. Default: acknowledged (for histories scored without a final read). */
  success?: (op: Op) => Success;
  /** How an undecided success counts: as a failure (default, the pessimistic bound) or a success. */
  undecidedAs?: boolean;
  /** Phases never come from a later fault: observations from this harness ms on are ignored. */
  boundT?: number;
}

/** Why an RTO is unknown, as a stable code (reports compare codes, never prose). */
export type RtoUnknownCode = 'no-write-after-fault' | 'no-success-after-fault' | 'no-sustained-run';

const round = (x: number): number => Math.round(x * 1e6) / 1e6;
const toS = (ms: number): number => round(ms / 1000);

/**
 * Index (into `writes`, sorted by invoke time) of the recovery write: among the writes that
 * begin a sustained run of successes, the one acknowledged first; -1 when there is none. A
 * single lucky success followed by failures is not recovery.
 */
export function findSustainedRecovery(
  writes: readonly Op[],
  sustain: number,
  minTail = 3,
  ok: (op: Op) => boolean = (w) => w.outcome === 'ok',
): number {
  const n = writes.length;
  // run[j]: consecutive successes starting at j
  const run = new Array<number>(n + 1).fill(0);
  for (let j = n - 1; j >= 0; j--) run[j] = ok(writes[j]!) ? run[j + 1]! + 1 : 0;
  let best = -1;
  for (let i = 0; i < n; i++) {
    if (!ok(writes[i]!)) continue;
    const rest = n - i - 1;
    const following = run[i + 1]!;
    const sustained = following >= sustain || (rest < sustain && following === rest && rest >= minTail);
    if (sustained && (best < 0 || writes[i]!.completeT < writes[best]!.completeT)) best = i;
  }
  return best;
}

export function checkRto(ops: readonly Op[], fault: FaultInstant, opts: RtoOptions = {}): RtoMeasurement {
  const sustain = opts.sustain ?? 10;
  const tf = fault.confirmedT;
  const success = opts.success ?? ((op: Op) => op.outcome === 'ok');
  const undecided = opts.undecidedAs ?? false;
  const ok = (op: Op): boolean => {
    const s = success(op);
    return s === 'unknown' ? undecided : s;
  };
  const writes = ops.filter(isWrite).sort((a, b) => a.invokeT - b.invokeT);
  const after = writes.filter((w) => w.invokeT >= tf);

  const idx = findSustainedRecovery(after, sustain, opts.minTail ?? 3, ok);
  const tr = idx < 0 ? null : after[idx]!.completeT;
  const bound = Math.min(tr ?? Infinity, opts.boundT ?? Infinity);
  const firstAck = firstDurableAck(after, ok, bound);
  const phases = {
    ...leaderPhases(opts.leaderChanges, {
      tf,
      requestedT: fault.requestedT ?? null,
      boundT: bound,
      firstAckT: firstAck,
    }),
    first_ack_write_s: firstAck === null ? null : toS(firstAck - tf),
    error_rate_baseline_s: errorRateBaseline(writes, tf, opts.baselineWindowMs ?? 10_000, ok),
  };

  if (tr === null) {
    const code: RtoUnknownCode =
      after.length === 0 ? 'no-write-after-fault' : after.some(ok) ? 'no-sustained-run' : 'no-success-after-fault';
    const reason = {
      'no-write-after-fault': 'no write was invoked after the fault',
      'no-sustained-run': `no sustained run of durable writes after the fault (need 1 + ${sustain} in a row)`,
      'no-success-after-fault': 'no durable write (acknowledged and present after recovery) after the fault',
    }[code];
    return {
      fault_id: fault.id,
      rto_s: null,
      error_bar_s: null,
      t_f_s: toS(tf),
      t_r_s: null,
      phases,
      reason,
      reason_code: code,
    };
  }
  let lastBad = tf;
  for (const w of after) if (w.invokeT < tr && !ok(w)) lastBad = Math.max(lastBad, w.invokeT);
  return {
    fault_id: fault.id,
    rto_s: toS(tr - tf),
    error_bar_s: toS(tr - lastBad),
    t_f_s: toS(tf),
    t_r_s: toS(tr),
    phases,
  };
}

/** Harness ms of the first durable acknowledgement of a write invoked after t_f (before `bound`). */
function firstDurableAck(after: readonly Op[], ok: (op: Op) => boolean, bound: number): number | null {
  let first = Infinity;
  for (const w of after) if (w.completeT <= bound && ok(w)) first = Math.min(first, w.completeT);
  return first === Infinity ? null : first;
}

/**
 * First 1 s window after t_f (writes attributed to the window of their invoke time) whose
 * error rate (writes that were not durable successes) is at most the pre-fault baseline + 1
 * percentage point, and which follows at least one window above it ("back to" baseline). 0
 * when no window was ever above the baseline. Null when the rate never came back (or there
 * were no writes after t_f). The baseline is taken over `baselineMs` before t_f rather than
 * 1 s: at drill rates a single second holds too few writes to be a baseline.
 */
function errorRateBaseline(
  writes: readonly Op[],
  tf: number,
  baselineMs: number,
  ok: (op: Op) => boolean,
): number | null {
  const pre = writes.filter((w) => w.invokeT < tf && w.invokeT >= tf - baselineMs);
  const baseline = pre.length === 0 ? 0 : pre.filter((w) => !ok(w)).length / pre.length;
  const post = writes.filter((w) => w.invokeT >= tf);
  if (post.length === 0) return null;
  const buckets = new Map<number, { n: number; bad: number }>();
  let maxK = 0;
  for (const w of post) {
    const k = Math.floor((w.invokeT - tf) / 1000);
    maxK = Math.max(maxK, k);
    const b = buckets.get(k) ?? { n: 0, bad: 0 };
    b.n++;
    if (!ok(w)) b.bad++;
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
