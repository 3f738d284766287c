// The backup/restore capability of a target (optional, like network/clocks/disk): what the
// `backup`, `destroy`, `restore` and `verify` steps and the backup-storage fault need.
// graph-agent implements it (src/targets/graph-agent/backup-ops.ts); a custom target can
// implement it with its own probes later.

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
  chunks: number;
  bytes: number;
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

/** A refusal or error answered by the SUT (not a transport failure). */
export class BackupRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'BackupRefusedError';
  }
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
  restore(req: { id?: string; position?: number; into: RestoreInto }, now: () => number): Promise<RestoreResult>;
  /** Host path of the repository (backup-storage faults act there). */
  repositoryHostPath(): Promise<string>;
  /** Number of clusters booted so far (1 + restores). */
  readonly generation: number;
}
