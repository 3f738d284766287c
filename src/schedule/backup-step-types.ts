// Output types of the backup/restore steps (scenario parser -> step runner). docs/backup-restore.md.

export type BackupNode = 'primary' | 'replica' | string;

export interface BackupStepSpec {
  kind: 'backup';
  type: 'full' | 'incremental';
  /** primary (default), replica, or a node name. */
  node: BackupNode;
  /** Name later steps refer to (restore from, position backup:<name>, backup-storage faults). */
  name: string;
  /** Start the backup and go on with the next step (a later fault can interrupt it). */
  background: boolean;
  /** Resume an unfinished snapshot from the repository (default true). */
  resume: boolean;
  /** Throttle, bytes/s. */
  maxBytesPerS?: number;
  /** The backup is expected to fail (e.g. read-only repository): the step passes only if it does. */
  expectFailure: boolean;
}

/** A named recovery point, made in the store now (a custom target's probes.point on the primary). */
export interface PointStepSpec {
  kind: 'point';
  name: string;
}

export interface DestroyStepSpec {
  kind: 'destroy';
  what: 'nodes' | 'volumes' | 'cluster' | 'region';
  /** what: nodes: which. */
  node?: string;
  target?: 'primary' | 'replica' | 'all';
}

export interface RestoreStepSpec {
  kind: 'restore';
  /** latest, or a backup step's name. */
  from: string;
  /** A log position, "backup:<name>" for that backup's position, or "point:<name>" for a recovery point. */
  position?: number | string;
  into: 'new-cluster' | 'new-network';
  /** restored (default) or refused: a corrupt backup must be refused, naming the bad chunk or link. */
  expect: 'restored' | 'refused';
  timeoutMs: number;
}

export interface VerifyStepSpec {
  kind: 'verify';
  /** Read every element back and compare with the acknowledged writes now. */
  data: boolean;
  /** Verify the backup repository (every chunk hash, every chain link). */
  backups: boolean;
  /** The repository verification is expected to find a problem. */
  expectBackupProblem: boolean;
}

export type BackupSteps = BackupStepSpec | PointStepSpec | DestroyStepSpec | RestoreStepSpec | VerifyStepSpec;

export function describeBackupStep(s: BackupSteps): string {
  switch (s.kind) {
    case 'backup': {
      const how = `${s.background ? ' (background)' : ''}${s.expectFailure ? ' (expected to fail)' : ''}`;
      return `backup ${s.name}: ${s.type} on ${s.node}${how}`;
    }
    case 'point':
      return `recovery point ${s.name}`;
    case 'destroy':
      return `destroy ${s.what}${s.node ? ` ${s.node}` : s.target ? ` ${s.target}` : ''}`;
    case 'restore': {
      const to = s.position !== undefined ? ` to position ${s.position}` : '';
      return `restore from ${s.from}${to} into ${s.into}${s.expect === 'refused' ? ' (must be refused)' : ''}`;
    }
    case 'verify':
      return `verify${s.data ? ' data' : ''}${s.backups ? ' backups' : ''}`;
  }
}
