// The backup, destroy, restore and verify steps (docs/backup-restore.md), one file each
// under backup/; this module is their entry point for the step runner.
//
// Restore RTO: from the destroy (t_destroy, the data confirmed gone) to the first verified
// read and write on the restored cluster (t_verified), in phases: restore (boot a fresh
// cluster, verify the chain, load), cluster healthy, verification (every acknowledged write
// up to the backup's position read back, and writes succeeding again).
// Writes concurrent with a backup are resolved by the position the SUT acknowledged them at
// (CompletionEvent.index) against the backup's recorded position, never by time.

export { BackupRunState, type BackupRecord, type BackupStepDeps, type RestoreRecord } from './backup/state.js';
export { runBackup } from './backup/backup.js';
export { runDestroy } from './backup/destroy.js';
export { runPoint } from './backup/point.js';
export { runRestore } from './backup/restore.js';
export { runVerify } from './backup/verify.js';
