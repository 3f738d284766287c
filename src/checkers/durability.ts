// Durable success (SPEC section 4): a write is a success for RTO, the sustained-run rule,
// availability and the error-rate phase only if it was acknowledged AND is present after
// recovery. "Acknowledged, then lost" is its own outcome: a store whose isolated primary
// keeps acknowledging writes that the promoted primary later discards has not recovered
// while it does so, and was not available.
//
//   ok + present in the final read                         durable
//   ok + absent                                            lost (acknowledged, then lost)
//   ok + absent, after a restore, acknowledged after the   beyond-cut: explained by the restore
//        backup's position by the source cluster                  point (the restore's RPO), not
//                                                                 by a fault: counts as durable
//   ok + absent, after a restore, no position to compare   unresolved
//   ok, but no (stable) final read                         unknown
//   fail / info                                            not-acked
//
// unresolved and unknown are never decided: a figure that depends on them is unknown.

import { isWrite, type FinalRead, type Op } from '../client/history.js';
import { sideOfCut, type PositionCut } from './position.js';

export type WriteFate = 'durable' | 'lost' | 'beyond-cut' | 'unresolved' | 'unknown' | 'not-acked';

/** true: a durable success; false: certainly not; 'unknown': cannot be decided. */
export type Success = true | false | 'unknown';

export interface Durability {
  /** Whether absences can be scored: a stable final read exists. */
  known: boolean;
  /** Why durability is not known (no final read, or it was unstable). */
  reason?: string;
  fate(op: Op): WriteFate;
  /** The fate as a success for RTO and availability. */
  success(op: Op): Success;
  /** Ids acknowledged then lost (decided). */
  lostIds: ReadonlySet<string>;
  /** Whether any write's success is undecided (unresolved or unknown acknowledgements). */
  anyUndecided: boolean;
}

export function successOf(f: WriteFate): Success {
  if (f === 'durable' || f === 'beyond-cut') return true;
  if (f === 'lost' || f === 'not-acked') return false;
  return 'unknown';
}

/** When the final read is unstable, absences are not certain. */
export function unstableReason(final: FinalRead | null): string | undefined {
  if (final === null) return 'no final read of the data';
  if (final.stable === false) return 'the final read was unstable (two consecutive reads never agreed)';
  return undefined;
}

export function durabilityOf(ops: readonly Op[], final: FinalRead | null, cut: PositionCut | null = null): Durability {
  const reason = unstableReason(final);
  const present = final ? new Set(final.ids) : new Set<string>();
  const fates = new Map<Op, WriteFate>();
  const lostIds = new Set<string>();
  let anyUndecided = false;
  for (const op of ops) {
    if (!isWrite(op)) continue;
    let f: WriteFate;
    if (op.outcome !== 'ok') f = 'not-acked';
    else if (present.has(op.id)) f = 'durable';
    else if (reason !== undefined) f = 'unknown';
    else if (cut) {
      const side = sideOfCut(op, cut);
      f = side === 'after' ? 'beyond-cut' : side === 'unresolved' ? 'unresolved' : 'lost';
    } else f = 'lost';
    if (f === 'lost') lostIds.add(op.id);
    if (f === 'unknown' || f === 'unresolved') anyUndecided = true;
    fates.set(op, f);
  }
  const fate = (op: Op): WriteFate => fates.get(op) ?? (op.outcome === 'ok' ? 'unknown' : 'not-acked');
  const d: Durability = {
    known: reason === undefined,
    fate,
    success: (op) => successOf(fate(op)),
    lostIds,
    anyUndecided,
  };
  if (reason !== undefined) d.reason = reason;
  return d;
}

/** Every acknowledgement counts as durable: for callers that score acknowledgements only. */
export const ACKED_IS_DURABLE: Pick<Durability, 'success'> = {
  success: (op) => op.outcome === 'ok',
};
