// The backup-position rule, shared by the RPO checker and the restore's read-back check:
// after a restore, an acknowledged write of the source cluster (invoked before the destroy)
// is resolved by the log position the SUT acknowledged it at against the position the
// backup recorded, never by time. A write without a recorded position, or a backup without
// one, cannot be resolved: it is "unresolved", counted as such, and never decided either way.

/** Where writes are resolved by position: ops invoked before `beforeT` (the source cluster). */
export interface PositionCut {
  /** The backup's log position; null when the backup reported none (it cannot resolve anything). */
  position: number | null;
  /**
   * A restore to a recovery point: harness ms when the harness asked the store to make it and when the store
   * answered. The point is in the store's log somewhere in between, so a write acknowledged before `start` is
   * before it and one invoked after `end` is after it, whatever the store's positions; one in flight across the
   * bracket is unresolved. Replaces `position` when set.
   */
  point?: { start: number; end: number };
  /** Harness ms of the destroy: writes invoked before it went to the source cluster. */
  beforeT: number;
}

/**
 * before  - acknowledged at or before the position: the backup must hold it
 * after   - acknowledged after the position: its absence is the restore's RPO
 * restored - sent to the restored cluster (invoked at or after the destroy): must be there
 * unresolved - no position to compare (the write's or the backup's)
 */
export type PositionSide = 'before' | 'after' | 'restored' | 'unresolved';

export function sideOfCut(
  w: { invokeT: number; completeT?: number; index?: number | undefined },
  cut: PositionCut,
): PositionSide {
  if (w.invokeT >= cut.beforeT) return 'restored';
  if (cut.point) {
    if (w.completeT !== undefined && w.completeT <= cut.point.start) return 'before';
    return w.invokeT >= cut.point.end ? 'after' : 'unresolved';
  }
  if (cut.position === null || cut.position < 0 || w.index === undefined) return 'unresolved';
  return w.index <= cut.position ? 'before' : 'after';
}
