// A custom target's backups: the scenario's backup and restore probes (cluster.custom.probes),
// into the shared backup volume. The harness records what was taken (ids b1, b2, ... and
// the position the probe reports); a restore destroys what is left of the cluster, boots a
// fresh one from the restored data (offline: a one-off container per node before it
// starts; online: the probe against the new leader) and counts what it reads back.
// Custom targets restore the latest or a named backup, optionally to a recovery point made by
// the point probe (its name reaches the restore probe as {{restore.point}}); not to a log
// position, and they cannot verify a repository they do not understand (restore it and read
// it back instead).

import { corruptNewestChunk, type CorruptedChunk } from '../../faults/backup-storage.js';
import { InfraError } from '../../core/errors.js';
import type { CustomTargetSpec } from '../../scenario/custom-schema.js';
import {
  BackupRefusedError,
  type BackupControl,
  type BackupKind,
  type BackupSummary,
  type BackupSupport,
  type DestroyWhat,
  type RestoreInto,
  type RestoreResult,
  type VerifyResult,
} from '../backup.js';
import type { CustomNodes } from './nodes.js';
import { capture, parsePosition } from './probes/parse.js';
import { describeOutcome, type AnyProbe, type ProbeOutcome } from './probes/run.js';
import { render, type TemplateVars } from './templates.js';

const BACKUP_PROBE_TIMEOUT_MS = 120_000;

/** What the backups need from their target (CustomTarget). */
export interface CustomBackupHost {
  readonly kind: string;
  /** The nodes of the group that carries the data: a destroy and a restore act on them. */
  readonly dataNodes: readonly string[];
  readonly spec: CustomTargetSpec;
  cluster(): CustomNodes;
  varsOf(node: string): TemplateVars;
  runProbe(p: AnyProbe, node: string, extra: Record<string, string>, timeoutMs: number): Promise<ProbeOutcome>;
  /** After a restore the nodes start from data they already have. */
  relayout(state: 'new' | 'existing'): void;
  /** Create and start the nodes (after `beforeStart` ran for each), then wait until ready. */
  startFresh(
    signal?: AbortSignal,
    beforeStart?: (node: string) => Promise<void>,
    only?: readonly string[],
  ): Promise<void>;
  leader(): Promise<string | null>;
  /** Every id the node returns through probes.read. */
  readIds(node: string): Promise<string[]>;
}

/** Backups through the scenario's backup and restore probes, into the shared backup volume. */
export class CustomBackups implements BackupControl {
  readonly supports: BackupSupport;
  private readonly taken: BackupSummary[] = [];
  private gen = 1;

  constructor(private readonly t: CustomBackupHost) {
    this.supports = { incremental: true, pointInTime: false, verify: false, points: t.spec.probes.point !== undefined };
  }

  get generation(): number {
    return this.gen;
  }

  async backup(node: string, req: { type: BackupKind }, timeoutMs: number): Promise<BackupSummary> {
    const p = this.t.spec.probes.backup;
    if (!p) throw new InfraError('cluster.custom.probes.backup is not defined');
    const id = `b${this.taken.length + 1}`;
    const extra = { 'backup.id': id, 'backup.type': req.type };
    const t0 = performance.now();
    const o = await this.t.runProbe(p, node, extra, timeoutMs || BACKUP_PROBE_TIMEOUT_MS);
    if (o.kind === 'mismatch')
      throw new BackupRefusedError(o.status ?? o.exitCode ?? 0, 'backup_failed', describeOutcome(o));
    if (o.kind !== 'success') throw new Error(`backup probe on ${node}: ${describeOutcome(o)}`);
    let position = -1;
    if (typeof p.position === 'string') {
      position = parsePosition(capture(o.output, p.position));
    } else if (p.position !== undefined) {
      const po = await this.t.runProbe(p.position, node, extra, BACKUP_PROBE_TIMEOUT_MS);
      if (po.kind === 'success') position = parsePosition(capture(po.output, p.position.capture));
    }
    const summary: BackupSummary = {
      id,
      type: req.type,
      parent: null,
      position: Number.isFinite(position) ? position : -1,
      created_at: new Date().toISOString(),
      checksum: '',
      chunks: null,
      bytes: null,
      node,
      duration_ms: performance.now() - t0,
    };
    this.taken.push(summary);
    return summary;
  }

  async point(name: string, node: string, timeoutMs: number): Promise<void> {
    const p = this.t.spec.probes.point;
    if (!p) throw new InfraError('probes.point is not defined');
    const o = await this.t.runProbe(p, node, { 'point.name': name }, timeoutMs);
    if (o.kind === 'mismatch')
      throw new BackupRefusedError(o.status ?? o.exitCode ?? 0, 'point_failed', describeOutcome(o));
    if (o.kind !== 'success') throw new Error(`point probe on ${node}: ${describeOutcome(o)}`);
  }

  async list(): Promise<BackupSummary[]> {
    return [...this.taken];
  }

  async verify(): Promise<VerifyResult> {
    throw new InfraError(
      `${this.t.kind}: verify is not supported for custom targets (restore the backup and read it back instead)`,
    );
  }

  async destroy(what: DestroyWhat, nodes: string[]): Promise<{ mechanism: string; nodes: string[] }> {
    const which = what === 'cluster' || what === 'region' || nodes.length === 0 ? [...this.t.dataNodes] : nodes;
    await this.t.cluster().destroyNodes(which);
    return {
      mechanism: 'containers and their volumes removed (docker rm -f, volume rm); backup volume kept',
      nodes: which,
    };
  }

  async restore(
    req: { id?: string; position?: number; point?: string; into: RestoreInto },
    now: () => number,
  ): Promise<RestoreResult> {
    const p = this.t.spec.probes.restore;
    if (!p) throw new InfraError('cluster.custom.probes.restore is not defined');
    if (req.position !== undefined)
      throw new InfraError(
        `${this.t.kind}: a restore to a log position is not supported for custom targets ` +
          '(make a recovery point with a point step and restore to point:<name>)',
      );
    const snap = req.id === undefined ? this.taken.at(-1) : this.taken.find((b) => b.id === req.id);
    if (!snap) {
      throw new BackupRefusedError(
        404,
        'no_backup',
        req.id === undefined
          ? 'no backup has been taken'
          : `no backup ${req.id} (have ${this.taken.map((b) => b.id).join(', ') || 'none'})`,
        'missing',
      );
    }
    const c = this.t.cluster();
    const extra = { 'backup.id': snap.id, 'backup.type': snap.type, 'restore.point': req.point ?? '' };
    // A fresh cluster: whatever is left of the old one goes (the backup volume stays).
    await c.destroyNodes(this.t.dataNodes);
    this.t.relayout('existing');
    const offline = p.mode === 'offline';
    try {
      await this.t.startFresh(
        undefined,
        async (node) => {
          if (!offline || !p.exec) return;
          const vars = { ...this.t.varsOf(node), ...extra };
          const argv = p.exec.command.map((a) => render(a, vars));
          const r = await c.runOneOff(node, argv, {}, p.timeout ?? BACKUP_PROBE_TIMEOUT_MS);
          if (
            r.exitCode !== p.exec.expect_exit ||
            (p.exec.match !== undefined && !new RegExp(p.exec.match).test(r.output))
          ) {
            throw new BackupRefusedError(
              r.exitCode,
              'restore_failed',
              `${node}: exit code ${r.exitCode}: ${r.output.split('\n').slice(-3).join(' | ')}`,
            );
          }
        },
        this.t.dataNodes,
      );
    } catch (e) {
      await c.destroyNodes(this.t.dataNodes).catch(() => undefined);
      throw e;
    }
    this.gen++;
    const booted = now();
    if (!offline) {
      const leader = (await this.t.leader()) ?? this.t.dataNodes[0]!;
      const o = await this.t.runProbe(p, leader, extra, BACKUP_PROBE_TIMEOUT_MS);
      if (o.kind !== 'success')
        throw new BackupRefusedError(
          o.kind === 'mismatch' ? (o.status ?? o.exitCode ?? 0) : 0,
          'restore_failed',
          describeOutcome(o),
        );
    }
    const loaded = now();
    let restored = 0;
    try {
      const leader = await this.t.leader();
      if (leader !== null) restored = (await this.t.readIds(leader)).length;
    } catch {
      restored = 0;
    }
    return {
      restored,
      position: snap.position,
      snapshot: snap.id,
      chain: [snap.id],
      checksum: '',
      manifest_checksum: null,
      booted_t: booted,
      loaded_t: loaded,
    };
  }

  repositoryHostPath(): Promise<string> {
    return this.t.cluster().backupHostPath();
  }

  async corruptRepository(): Promise<CorruptedChunk> {
    return corruptNewestChunk(await this.repositoryHostPath());
  }
}
