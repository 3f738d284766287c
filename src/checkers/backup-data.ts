// The data read back (after a restore, or on a `verify` step) against the acknowledged
// writes: a pure function of the history, resolved by the backup-position rule shared with
// the RPO checker (position.ts). Writes that cannot be resolved are counted as unresolved,
// never assumed present or absent.
import { isWrite, pairHistory, type HistoryEvent } from '../client/history.js';
import { sideOfCut, type PositionCut } from './position.js';

export interface DataCheck {
  /** Acknowledged writes compared. */
  acknowledged: number;
  /** Acknowledged at or before the backup position (or, without a restore, at all) but absent: data loss. */
  missing_before_position: number;
  missing_ids: string[];
  /** Acknowledged after the backup position and absent: the RPO of the restore. */
  lost_after_position: number;
  /** Acknowledged after the position yet present: a restore past its point in time. */
  present_after_position: number;
  /** Acknowledged by the restored cluster, absent. */
  missing_after_restore: number;
  /** Absent, with no position to tell whether the backup should have held it. */
  unresolved: number;
}

/** Compare the data read back with the acknowledged writes of `events`. */
export function compareWithHistory(
  events: readonly HistoryEvent[],
  present: ReadonlySet<string>,
  cut: PositionCut | null,
  maxIds = 100,
): DataCheck {
  const out: DataCheck = {
    acknowledged: 0,
    missing_before_position: 0,
    missing_ids: [],
    lost_after_position: 0,
    present_after_position: 0,
    missing_after_restore: 0,
    unresolved: 0,
  };
  const missing = (id: string) => {
    out.missing_before_position++;
    if (out.missing_ids.length < maxIds) out.missing_ids.push(id);
  };
  const seen = new Set<string>();
  for (const op of pairHistory(events)) {
    if (!isWrite(op) || op.outcome !== 'ok' || seen.has(op.id)) continue;
    seen.add(op.id);
    out.acknowledged++;
    const has = present.has(op.id);
    if (!cut) {
      if (!has) missing(op.id);
      continue;
    }
    const side = sideOfCut(op, cut);
    if (side === 'after') {
      if (has) out.present_after_position++;
      else out.lost_after_position++;
    } else if (has) continue;
    else if (side === 'before') missing(op.id);
    else if (side === 'restored') out.missing_after_restore++;
    else out.unresolved++;
  }
  return out;
}
