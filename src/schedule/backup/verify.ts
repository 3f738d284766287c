// The verify step: the backup repository checked (every chunk hash, every chain link),
// and/or the data read back and compared with every acknowledged write now.

import { compareWithHistory } from '../../checkers/backup-data.js';
import type { VerifyStepSpec } from '../backup-step-types.js';
import { readAll } from './read-back.js';
import { control, type BackupStepDeps } from './state.js';

export async function runVerify(step: VerifyStepSpec, deps: BackupStepDeps): Promise<void> {
  if (step.backups) {
    const v = await control(deps.target).verify();
    if (v.ok && step.expectBackupProblem)
      throw new Error(
        `the repository verified clean (${v.snapshots} snapshots, ${v.chunks_checked} chunks) ` +
          'but a problem was expected',
      );
    if (!v.ok && !step.expectBackupProblem) throw new Error(`backup repository: ${v.problem?.message ?? 'problem'}`);
    deps.onEvent?.(
      v.ok
        ? `backups verified: ${v.snapshots} snapshots, ${v.chunks_checked} chunks, ${v.bytes_checked} bytes`
        : `backup problem found as expected: ${v.problem?.message}`,
    );
  }
  if (step.data) {
    const seen = [...(deps.history?.() ?? [])]; // writes acknowledged before the read starts
    const present = await readAll(deps.target);
    const cut = deps.state.cut;
    const d = compareWithHistory(seen, present, cut);
    // After a restore to a recovery point the point's bracket decides, not a position.
    const point = cut?.point ? `recovery point ${deps.state.restores.at(-1)?.point ?? '?'}` : undefined;
    if (d.missing_before_position > 0) {
      const where = cut ? ` at or before the ${point ?? `backup position ${cut.position}`}` : '';
      throw new Error(
        `${d.missing_before_position} acknowledged writes${where} are missing ` +
          `(e.g. ${d.missing_ids.slice(0, 5).join(', ')})`,
      );
    }
    if (point && d.present_after_position > 0)
      throw new Error(
        `${d.present_after_position} acknowledged writes sent after ${point} was made are present: ` +
          'the restore went past the point',
      );
    const upTo = point ? ` up to ${point}, none sent after it present` : cut ? ` up to position ${cut.position}` : '';
    deps.onEvent?.(`data verified: ${d.acknowledged} acknowledged writes, none missing${upTo}`);
  }
}
