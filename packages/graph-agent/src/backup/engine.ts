// Backups of a graph-agent node into a repository (manifest.ts has the format); copy.ts
// writes the chunks. See docs/backup-restore.md.
//
// Consistent cut: the graph is append-only and applies in log order, so the state at the
// applied index P is exactly the first V vertices and E edges of its maps. Reading
// (P, V, E, checksum) in one synchronous step IS the cut; the chunks are then serialised and
// written asynchronously while writes go on, never reading past V and E.
// Incremental (default, incremental=log): the committed log entries (parent.position, P],
// which also gives exact point-in-time restore. Flaw switches, documented as such:
//   snapshot=fuzzy     copy the maps in slices while writes go on, record the position at the END
//   incremental=mtime  take the elements whose wall-clock mtime is newer than the parent's
//                      created_at: misses writes when the clock is set back (clock skew)

import { randomBytes } from 'node:crypto';
import type { Command, Graph } from '../graph.js';
import { entrySha, writeChunks, type CopyContext } from './copy.js';
import { BackupError, storageError } from './errors.js';
import {
  manifestKey,
  manifestProblem,
  progressKey,
  type BackupType,
  type IncrementalMode,
  type Manifest,
  type Progress,
  type SnapshotMode,
  type Topology,
} from './manifest.js';
import { Repository } from './repository.js';
import type { BackupStorage } from './storage.js';

export interface BackupSettings {
  chunkBytes: number;
  /** Every Nth snapshot of a chain is a full one (a chain never grows without bound). */
  fullEvery: number;
  snapshot: SnapshotMode;
  incremental: IncrementalMode;
  /** Throttle for chunk writes, bytes/s; 0: unlimited. */
  maxBytesPerS: number;
}

export const DEFAULT_BACKUP_SETTINGS: BackupSettings = {
  chunkBytes: 4 * 1024 * 1024,
  fullEvery: 8,
  snapshot: 'consistent',
  incremental: 'log',
  maxBytesPerS: 0,
};

/** What a backup needs from the node (Raft), narrow so tests can fake it. */
export interface BackupSource {
  readonly nodeId: string;
  readonly peers: readonly string[];
  graph(): Graph;
  lastApplied(): number;
  entryAt(index: number): { term: number; json: string; cmd: Command } | undefined;
  role(): string;
  term(): number;
  leaderId(): string | null;
}

export interface BackupRequest {
  type: BackupType;
  /** Resume an unfinished snapshot found in the repository (default true). */
  resume?: boolean;
  /** Override the throttle for this backup, bytes/s. */
  maxBytesPerS?: number;
  /** Force a parent (incremental). */
  parent?: string;
}

export interface BackupOutcome {
  manifest: Manifest;
  chunks_written: number;
  /**
   * Chunks not sent because the repository already had them: finished before an interruption,
   * or shared with other snapshots.
   */
  chunks_skipped: number;
  /** Of those, chunks recorded in the resumed snapshot's progress (sent before the interruption). */
  chunks_resumed: number;
  bytes_written: number;
  resumed: boolean;
  /** Why an incremental was taken as a full one, if it was. */
  promoted_to_full?: string;
  duration_ms: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function newId(now: number, node: string): string {
  const ts = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${ts}-${node}-${randomBytes(3).toString('hex')}`;
}

export class BackupEngine {
  private running = false;
  readonly repo: Repository;

  constructor(
    readonly storage: BackupStorage,
    private readonly src: BackupSource,
    private readonly settings: BackupSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.repo = new Repository(storage);
  }

  get busy(): boolean {
    return this.running;
  }

  async backup(req: BackupRequest): Promise<BackupOutcome> {
    if (this.running) throw new BackupError(409, 'backup_in_progress', 'a backup is already running on this node');
    this.running = true;
    try {
      return await this.run(req);
    } finally {
      this.running = false;
    }
  }

  private topology(): Topology {
    return {
      node: this.src.nodeId,
      role: this.src.role(),
      term: this.src.term(),
      leader: this.src.leaderId(),
      peers: [...this.src.peers],
    };
  }

  private async run(req: BackupRequest): Promise<BackupOutcome> {
    const t0 = performance.now();
    await this.repo.ensure();
    const st = this.settings;

    // 1. An unfinished snapshot in the repository is resumed: same id, same cut, finished chunks skipped.
    let progress: Progress | undefined;
    if (req.resume !== false && st.snapshot === 'consistent') progress = await this.findResumable(req.type);

    let promoted: string | undefined;
    let resumed = false;
    if (progress) {
      resumed = true;
      await this.waitApplied(progress.manifest.position);
      if (entrySha(this.src, progress.manifest.position) !== progress.manifest.position_entry_sha256) {
        throw new BackupError(
          409,
          'lineage_mismatch',
          `unfinished snapshot ${progress.id} belongs to another log lineage; start a new backup with resume=false`,
        );
      }
      progress = { ...progress, node: this.src.nodeId };
    } else {
      const made = await this.cut(req);
      progress = made.progress;
      promoted = made.promoted;
    }
    const outcome = await writeChunks(this.copyContext(), progress, req, resumed);
    return {
      ...outcome,
      ...(promoted ? { promoted_to_full: promoted } : {}),
      duration_ms: Math.round(performance.now() - t0),
    };
  }

  private async waitApplied(position: number): Promise<void> {
    const deadline = performance.now() + 15_000;
    while (this.src.lastApplied() < position) {
      if (performance.now() > deadline) {
        throw new BackupError(
          503,
          'behind',
          `this node has applied ${this.src.lastApplied()}, the snapshot to resume is at ${position}; try the leader`,
        );
      }
      await sleep(50);
    }
  }

  private async findResumable(type: BackupType): Promise<Progress | undefined> {
    const ps = await this.repo.progresses();
    return ps.find((p) => p.manifest.type === type && p.manifest.method.snapshot === 'consistent');
  }

  /** Choose parent and type, take the cut, record progress. */
  private async cut(req: BackupRequest): Promise<{ progress: Progress; promoted?: string }> {
    const st = this.settings;
    let type = req.type;
    let parent: Manifest | undefined;
    let promoted: string | undefined;
    if (type === 'incremental') {
      const { ok } = await this.repo.manifests();
      const applied = this.src.lastApplied();
      const lineage = ok.filter(
        (m) => m.position <= applied && entrySha(this.src, m.position) === m.position_entry_sha256,
      );
      parent = req.parent !== undefined ? lineage.find((m) => m.id === req.parent) : lineage[lineage.length - 1];
      if (req.parent !== undefined && !parent) {
        throw new BackupError(
          404,
          'no_such_backup',
          `parent ${req.parent} is not a finished snapshot of this cluster's log`,
        );
      }
      if (!parent) {
        type = 'full';
        promoted = 'no earlier snapshot of this cluster in the repository';
      } else if (parent.depth + 1 >= st.fullEvery) {
        type = 'full';
        promoted = `chain depth limit: every ${st.fullEvery}th snapshot is full (BACKUP_FULL_EVERY)`;
        parent = undefined;
      }
    }
    const now = this.now();
    const id = newId(now, this.src.nodeId);
    const g = this.src.graph();
    // ---- the cut: one synchronous step --------------------------------------------------
    const position = this.src.lastApplied();
    const counts = g.count();
    const checksum = g.checksum();
    const term = this.src.entryAt(position)?.term ?? 0;
    const entrySum = entrySha(this.src, position);
    // --------------------------------------------------------------------------------------
    const incMode: IncrementalMode | null = type === 'incremental' ? st.incremental : null;
    const progress: Progress = {
      format: 1,
      id,
      manifest: {
        format: 1,
        id,
        type,
        parent: parent?.id ?? null,
        base: parent?.base ?? id,
        depth: parent ? parent.depth + 1 : 0,
        position,
        position_term: term,
        position_entry_sha256: entrySum,
        parent_position: parent?.position ?? null,
        created_at: new Date(now).toISOString(),
        created_at_ms: now,
        checksum,
        vertices: counts.vertices,
        edges: counts.edges,
        topology: this.topology(),
        method: { snapshot: st.snapshot, incremental: incMode, chunk_bytes: st.chunkBytes, element_json: 'canonical' },
      },
      cut: { vertices: counts.vertices, edges: counts.edges },
      chunks: [],
      started_at: new Date(now).toISOString(),
      updated_at: new Date(now).toISOString(),
      node: this.src.nodeId,
    };
    if (incMode === 'mtime' && parent) {
      progress.mtime_cutoff = parent.created_at_ms;
      progress.manifest.checksum = ''; // computed over the data copied (the flawed tool believes it)
    }
    if (st.snapshot === 'fuzzy' && type === 'full') progress.manifest.checksum = '';
    if (st.snapshot === 'consistent') await this.saveProgress(progress);
    return { progress, ...(promoted ? { promoted } : {}) };
  }

  private copyContext(): CopyContext {
    return {
      storage: this.storage,
      src: this.src,
      settings: this.settings,
      saveProgress: (p) => this.saveProgress(p),
      loadManifest: (id) => this.loadManifest(id),
    };
  }

  private async saveProgress(p: Progress): Promise<void> {
    p.updated_at = new Date(this.now()).toISOString();
    try {
      await this.storage.putAtomic(progressKey(p.id), JSON.stringify(p));
    } catch (e) {
      throw storageError(e, this.storage, `recording the progress of snapshot ${p.id}`);
    }
  }

  private async loadManifest(id: string): Promise<Manifest> {
    const raw = JSON.parse((await this.storage.get(manifestKey(id))).toString('utf8')) as unknown;
    const p = manifestProblem(raw, id);
    if (p) throw new BackupError(422, 'corrupt_backup', `manifest of snapshot ${id}: ${p}`);
    return raw as Manifest;
  }
}
