// The backup/restore capability of a target (optional, like network/clocks/disk): what the
// `backup`, `destroy`, `restore` and `verify` steps and the backup-storage fault need.
// graph-agent implements it with its agent's API (src/targets/graph-agent/backup-ops.ts), a
// custom target with the scenario's backup and restore probes (src/targets/custom/backups.ts).
// Each says what it supports (`supports`) and names its refusals with a reason code, so the
// steps never read a target's error text.

import type { CorruptedChunk } from '../faults/backup-storage.js';

export type BackupKind = 'full' | 'incremental';
export type DestroyWhat = 'nodes' | 'volumes' | 'cluster' | 'region';
export type RestoreInto = 'new-cluster' | 'new-network';

export interface BackupSummary {
  id: string;
  type: BackupKind;
  parent: string | null;
  /** Log position the snapshot is exactly the state at (the SUT's write index space). */
  position: number;
  created_at: string;
  checksum: string;
  /** null: the target cannot tell (a custom target's backup probe is opaque to the harness). */
  chunks: number | null;
  bytes: number | null;
  node: string;
  chunks_written?: number;
  chunks_skipped?: number;
  chunks_resumed?: number;
  bytes_written?: number;
  resumed?: boolean;
  duration_ms?: number;
  promoted_to_full?: string;
  vertices?: number;
  edges?: number;
  [k: string]: unknown;
}

/**
 * Why the SUT refused, as a stable code the steps compare (the target maps its own codes):
 * corrupt      the backup's content is damaged (a chunk, a chain link, a manifest); nothing restored
 * missing      no such backup, or none at all
 * not-covered  no backup reaches the requested point in time
 * unavailable  the repository cannot be read or written
 * busy         another backup or restore is running
 * failed       anything else the SUT answered
 */
export type BackupRefusal = 'corrupt' | 'missing' | 'not-covered' | 'unavailable' | 'busy' | 'failed';

/** A refusal or error answered by the SUT (not a transport failure). */
export class BackupRefusedError extends Error {
  constructor(
    readonly status: number,
    /** The SUT's own code, for people (e.g. graph-agent's corrupt_backup). */
    readonly code: string,
    message: string,
    /** The same, for code: compare this, never the message. */
    readonly reason: BackupRefusal = 'failed',
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'BackupRefusedError';
  }
}

/** What a target's backups can do; a step that needs more fails before it starts. */
export interface BackupSupport {
  /** Incremental backups chained on the latest snapshot (otherwise every backup is full). */
  incremental: boolean;
  /** Restore to a log position (restore.position). */
  pointInTime: boolean;
  /** Named recovery points (the point step) and restores to them (restore.position: point:<name>). */
  points?: boolean;
  /** Verify the repository: every chunk hash, every chain link (verify.backups). */
  verify: boolean;
}

export interface VerifyResult {
  ok: boolean;
  problem?: { kind: string; snapshot: string; chunk?: string; message: string };
  snapshots: number;
  chunks_checked: number;
  bytes_checked: number;
  unfinished: string[];
}

export interface RestoreResult {
  restored: number;
  position: number;
  snapshot: string;
  chain: string[];
  checksum: string;
  manifest_checksum: string | null;
  verify_ms?: number;
  load_ms?: number;
  bytes?: number;
  /** Harness ms: new cluster booted (leader elected), data loaded. */
  booted_t: number;
  loaded_t: number;
}

export interface BackupControl {
  readonly supports: BackupSupport;
  /** Take a backup on `node`. Throws BackupRefusedError with the SUT's reason, or a transport error. */
  backup(
    node: string,
    req: { type: BackupKind; resume?: boolean; maxBytesPerS?: number },
    timeoutMs: number,
  ): Promise<BackupSummary>;
  /** Finished snapshots, oldest position first. */
  list(): Promise<BackupSummary[]>;
  verify(id?: string): Promise<VerifyResult>;
  /** Destroy permanently; resolves once the data is gone. */
  destroy(what: DestroyWhat, nodes: string[]): Promise<{ mechanism: string; nodes: string[] }>;
  /**
   * Boot a fresh cluster (on a new network for new-network), restore into it, and switch the
   * target (workload, probes, final read) to it once the data is loaded. A refusal throws
   * BackupRefusedError and leaves nothing restored (the fresh cluster is removed).
   */
  restore(
    req: { id?: string; position?: number; point?: string; into: RestoreInto },
    now: () => number,
  ): Promise<RestoreResult>;
  /** Make a named recovery point on `node` (supports.points); resolves once the store made it. */
  point?(name: string, node: string, timeoutMs: number): Promise<void>;
  /** Host path of the repository (backup-storage faults act there). */
  repositoryHostPath(): Promise<string>;
  /** backup-storage corrupt: flip a byte of a chunk of the newest snapshot, where the repository is. */
  corruptRepository(): Promise<CorruptedChunk>;
  /** Number of clusters booted so far (1 + restores). */
  readonly generation: number;
}
