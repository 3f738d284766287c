// The restore's figures (docs/backup-restore.md): what the backup/restore steps recorded,
// judged against the RPO checker's findings. The restore's own RPO window covers only the
// writes lost after the backup's position (the restore point); writes missing at or before
// it are a broken backup, counted under integrity, never mixed into that window.
import type { DrillMetrics, RestoreMetrics } from '../core/result.js';
import { isWrite, type FinalRead, type Op } from '../client/history.js';
import { sideOfCut, type PositionCut } from './position.js';

export interface BackupRunInput {
  /** The position cut of the last successful restore. */
  cut: PositionCut | null;
  destroyT: number | null;
  backups: ReadonlyArray<{ end_s: number | null; id: string | null; status: string }>;
  restores: ReadonlyArray<{
    status: string;
    snapshot: string | null;
    rto_s: number | null;
    phases: RestoreMetrics['phases'];
    checksum_match: boolean | null;
    /** point:<name> restores: the recovery point. */
    point?: string;
  }>;
  /** The recovery points made (point steps): name, node, status, harness interval. */
  points?: ReadonlyArray<{ name: string; status: string; t_request_s: number; t_made_s: number | null }>;
}

/** Restore figures; adds the backup's integrity findings to `integrity` (mutated). */
export function restoreMetrics(
  bk: BackupRunInput,
  rpo: DrillMetrics['rpo'],
  integrity: DrillMetrics['integrity'],
  restored: boolean,
  ops: readonly Op[],
  final: FinalRead | null,
): RestoreMetrics {
  const last = [...bk.restores].reverse().find((r) => r.status === 'restored');
  const cut = restored ? bk.cut : null;
  const missing = cut && rpo.lost !== null ? (rpo.missing_before_position ?? 0) : null;
  const unresolved = cut && rpo.lost !== null ? (rpo.unresolved_position ?? 0) : null;
  const pastPoint = cut && rpo.lost !== null ? (rpo.present_after_position ?? 0) : null;
  const lostAfter =
    missing !== null && unresolved !== null && rpo.lost !== null ? rpo.lost - missing - unresolved : null;
  const snap = last ? bk.backups.find((b) => b.id === last.snapshot) : undefined;
  const window_s = cut && lostAfter !== null ? (lostAfter === 0 ? 0 : afterPositionWindow(ops, final, cut)) : null;
  const out: RestoreMetrics = {
    rto_s: last ? last.rto_s : null,
    phases: last ? last.phases : { restore_s: null, healthy_s: null, verification_s: null },
    // A recovery point's bracket decides, not the backup's position (kept in restores[].position).
    position: cut?.point ? null : (cut?.position ?? null),
    point: last?.point ?? null,
    snapshot: last?.snapshot ?? null,
    missing_before_position: missing,
    lost_after_position: lostAfter,
    unresolved_position: unresolved,
    present_after_position: pastPoint,
    window_s,
    backup_age_s:
      bk.destroyT !== null && snap?.end_s != null ? Math.round((bk.destroyT / 1000 - snap.end_s) * 1000) / 1000 : null,
    checksum_match: last ? last.checksum_match : null,
    refused: bk.restores.filter((r) => r.status === 'refused').length,
    backups: bk.backups.map((b) => ({ ...b })),
    restores: bk.restores.map((r) => ({ ...r })),
    points: (bk.points ?? []).map((p) => ({ ...p })),
  };
  // Integrity covers the backups too: acknowledged writes at or before a backup's position
  // missing after its restore, or restored data whose checksum differs from the manifest.
  const broken: string[] = [];
  if ((missing ?? 0) > 0) {
    broken.push(
      `${missing} acknowledged writes at or before the backup position ${cut?.position} are missing after the restore`,
    );
  }
  if ((pastPoint ?? 0) > 0) {
    broken.push(
      `${pastPoint} acknowledged writes made after the ${cut?.point ? 'recovery point' : 'backup position'} ` +
        'are present after the restore: it went past its point',
    );
  }
  if (last && last.checksum_match === false) broken.push('the restored data does not match the manifest checksum');
  if (broken.length > 0) {
    integrity.ok = false;
    integrity.reason = [integrity.reason, ...broken].filter(Boolean).join('; ');
  } else if ((unresolved ?? 0) > 0 && integrity.ok === true && !cut?.point) {
    // In flight while a recovery point was made, a write may be on either side of it: both fates are correct,
    // so those stay counted as unresolved without making the backup's completeness unknown.
    integrity.ok = null;
    integrity.reason =
      `${unresolved} absent acknowledged writes cannot be placed before or after the backup position ` +
      '(the target reports no write positions or the backup none): whether the backup is complete is unknown';
  }
  return out;
}

/**
 * The restore's RPO window over the writes lost after the position only: from the earliest of
 * their acknowledgements to the destroy (or the latest of them, if later), seconds.
 */
export function afterPositionWindow(ops: readonly Op[], final: FinalRead | null, cut: PositionCut): number | null {
  if (final === null) return null;
  const present = new Set(final.ids);
  let first = Infinity;
  let last = -Infinity;
  for (const w of ops) {
    if (!isWrite(w) || w.outcome !== 'ok' || present.has(w.id) || sideOfCut(w, cut) !== 'after') continue;
    first = Math.min(first, w.completeT);
    last = Math.max(last, w.completeT);
  }
  if (first === Infinity) return 0;
  return Math.round(Math.max(cut.beforeT, last) - first) / 1000;
}
