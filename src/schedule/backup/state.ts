// What the backup, destroy, restore and verify steps share: their records (they go into
// result.json as metrics.restore), the run's backup state, and what the steps are given.

import type { HistoryEvent } from '../../client/history.js';
import type { DataCheck } from '../../checkers/backup-data.js';
import type { PositionCut } from '../../checkers/position.js';
import type { Clock } from '../../core/clock.js';
import type { BackupControl } from '../../targets/backup.js';
import type { Target } from '../../targets/target.js';
import type { RecoveryWatcher } from '../conditions.js';

export interface BackupRecord {
  name: string;
  id: string | null;
  type: 'full' | 'incremental';
  node: string;
  status: 'running' | 'completed' | 'failed';
  /** The failure was what the scenario expected (expect_failure). */
  expected_failure: boolean;
  error?: string;
  start_s: number;
  end_s: number | null;
  position: number | null;
  bytes: number | null;
  chunks: number | null;
  chunks_written: number | null;
  chunks_skipped: number | null;
  chunks_resumed: number | null;
  resumed: boolean | null;
  /** Snapshot size / duration, MB/s (10^6 bytes). */
  throughput_mb_s: number | null;
  promoted_to_full?: string;
}

/** A named recovery point (the point step): harness seconds of the request and of the store's answer. */
export interface PointRecord {
  name: string;
  node: string;
  status: 'made' | 'failed';
  error?: string;
  t_request_s: number;
  t_made_s: number | null;
}

export interface RestoreRecord {
  from: string;
  /** point:<name> restores: the recovery point. */
  point?: string;
  snapshot: string | null;
  position: number | null;
  into: 'new-cluster' | 'new-network';
  status: 'restored' | 'refused' | 'failed';
  expected_refusal: boolean;
  error?: string;
  /** Harness times, seconds. */
  t_destroy_s: number | null;
  t_restore_start_s: number;
  t_booted_s: number | null;
  t_restore_done_s: number | null;
  t_healthy_s: number | null;
  t_verified_s: number | null;
  /** t_verified - t_destroy; null when unknown (no destroy, or never verified). */
  rto_s: number | null;
  phases: { restore_s: number | null; healthy_s: number | null; verification_s: number | null };
  restored: number | null;
  checksum: string | null;
  manifest_checksum: string | null;
  checksum_match: boolean | null;
  bytes: number | null;
  /** Restore throughput: snapshot chain bytes / restore phase, MB/s. */
  throughput_mb_s: number | null;
  data: DataCheck | null;
}

export class BackupRunState {
  readonly backups: BackupRecord[] = [];
  readonly restores: RestoreRecord[] = [];
  readonly points: PointRecord[] = [];
  private readonly background = new Set<Promise<void>>();
  destroyT: number | null = null;
  /** The position cut in force after a successful restore. */
  cut: PositionCut | null = null;

  named(name: string): BackupRecord | undefined {
    return this.backups.find((b) => b.name === name);
  }
  track(p: Promise<void>): void {
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }
  async settled(): Promise<void> {
    await Promise.all([...this.background]);
  }
}

export interface BackupStepDeps {
  clock: Clock;
  target: Target;
  recovery: RecoveryWatcher;
  signal: AbortSignal;
  history?: (() => readonly HistoryEvent[]) | undefined;
  onEvent?: ((line: string) => void) | undefined;
  state: BackupRunState;
}

/** Harness ms -> the records' seconds (to the millisecond). */
export const s = (ms: number): number => Math.round(ms) / 1000;

/** Bytes over ms as MB/s (10^6 bytes), two decimals. */
export const mbPerS = (bytes: number, ms: number): number => Math.round((bytes / 1e6 / (ms / 1000)) * 100) / 100;

export function control(t: Target): BackupControl {
  if (!t.backups) throw new Error(`target ${t.kind} has no backup capability`);
  return t.backups;
}
