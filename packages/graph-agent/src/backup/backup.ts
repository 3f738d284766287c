// Backups of a graph-agent node into a repository (manifest.ts has the format), verify, and
// the restore plan. See docs/backup-restore.md.
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
import { canonicalJson, elementHash, Graph, type Command, type Edge, type Vertex } from '../graph.js';
import {
  chunkKey,
  manifestKey,
  manifestProblem,
  progressKey,
  sealManifest,
  sha256,
  type BackupType,
  type ChunkKind,
  type ChunkRef,
  type IncrementalMode,
  type Manifest,
  type Progress,
  type SnapshotMode,
  type Topology,
} from './manifest.js';
import { UNWRITABLE_CODES, type BackupStorage } from './storage.js';

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

export class BackupError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Map a storage failure to an API error naming the cause: never a silent success. */
export function storageError(err: unknown, storage: BackupStorage, doing: string): BackupError {
  if (err instanceof BackupError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? 'EIO';
  if (UNWRITABLE_CODES.has(code)) {
    return new BackupError(
      507,
      'repository_unwritable',
      `backup repository ${storage.location} is not writable while ${doing}: ${code} (${e.message})`,
    );
  }
  return new BackupError(
    503,
    'repository_unavailable',
    `backup repository ${storage.location} is unavailable while ${doing}: ${code} (${e?.message ?? String(err)})`,
  );
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
  /** Chunks not sent because the repository already had them: finished before an interruption, or shared with other snapshots. */
  chunks_skipped: number;
  /** Of those, chunks recorded in the resumed snapshot's progress (sent before the interruption). */
  chunks_resumed: number;
  bytes_written: number;
  resumed: boolean;
  /** Why an incremental was taken as a full one, if it was. */
  promoted_to_full?: string;
  duration_ms: number;
}

const yieldTick = (): Promise<void> => new Promise((r) => setImmediate(r));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function entrySha(src: BackupSource, index: number): string {
  if (index === 0) return sha256('');
  const e = src.entryAt(index);
  return e ? sha256(e.json) : '';
}

function newId(now: number, node: string): string {
  const ts = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${ts}-${node}-${randomBytes(3).toString('hex')}`;
}

// ---- the repository -------------------------------------------------------------------

export class Repository {
  constructor(readonly storage: BackupStorage) {}

  /** Create repo.json on first use. A repository that cannot even be initialised is unavailable. */
  async ensure(): Promise<void> {
    let has: boolean;
    try {
      has = await this.storage.exists('repo.json');
    } catch (e) {
      throw storageError(e, this.storage, 'opening the repository');
    }
    if (has) return;
    try {
      await this.storage.putAtomic('repo.json', JSON.stringify({ format: 1, created_at: new Date().toISOString() }));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      throw new BackupError(
        503,
        'repository_unavailable',
        `no backup repository at ${this.storage.location} and it cannot be initialised: ${code} (${(e as Error).message})`,
      );
    }
  }

  /** Every manifest, parsed; broken ones are returned separately (verify names them). */
  async manifests(): Promise<{ ok: Manifest[]; broken: { id: string; problem: string }[] }> {
    let keys: string[];
    try {
      keys = await this.storage.list('manifests/');
    } catch (e) {
      throw storageError(e, this.storage, 'listing snapshots');
    }
    const ok: Manifest[] = [];
    const broken: { id: string; problem: string }[] = [];
    for (const key of keys.filter((k) => k.endsWith('.json'))) {
      const id = key.slice('manifests/'.length, -'.json'.length);
      let raw: unknown;
      try {
        raw = JSON.parse((await this.storage.get(key)).toString('utf8'));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== undefined && (e as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw storageError(e, this.storage, `reading manifest ${id}`);
        }
        broken.push({ id, problem: `manifest unreadable: ${(e as Error).message}` });
        continue;
      }
      const p = manifestProblem(raw, id);
      if (p) broken.push({ id, problem: p });
      else ok.push(raw as Manifest);
    }
    ok.sort((a, b) => a.position - b.position || a.created_at_ms - b.created_at_ms || (a.id < b.id ? -1 : 1));
    return { ok, broken };
  }

  async progresses(): Promise<Progress[]> {
    let keys: string[];
    try {
      keys = await this.storage.list('progress/');
    } catch (e) {
      throw storageError(e, this.storage, 'listing unfinished snapshots');
    }
    const out: Progress[] = [];
    for (const key of keys.filter((k) => k.endsWith('.json'))) {
      try {
        out.push(JSON.parse((await this.storage.get(key)).toString('utf8')) as Progress);
      } catch {
        // a torn progress file: that snapshot starts over
      }
    }
    return out.sort((a, b) => (a.updated_at < b.updated_at ? 1 : -1));
  }
}

// ---- chunking -------------------------------------------------------------------------

/** Serialise up to `limit` items (Infinity: until the iterator ends) into chunks of ~chunkBytes. */
async function* chunksOf<T>(
  it: Iterator<T>,
  limit: number,
  chunkBytes: number,
  line: (x: T) => string | null,
  yieldBetween: () => Promise<void>,
): AsyncGenerator<{ data: Buffer; count: number; items: T[] }> {
  let taken = 0;
  let done = false;
  while (!done && taken < limit) {
    const parts: string[] = [];
    const items: T[] = [];
    let bytes = 0;
    while (taken < limit && bytes < chunkBytes) {
      const r = it.next();
      if (r.done) {
        done = true;
        break;
      }
      taken++;
      const l = line(r.value);
      if (l === null) continue;
      parts.push(l);
      items.push(r.value);
      bytes += l.length + 1;
    }
    if (parts.length > 0) yield { data: Buffer.from(parts.join('\n') + '\n', 'utf8'), count: parts.length, items };
    await yieldBetween();
  }
}

// ---- backup ---------------------------------------------------------------------------

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
    const outcome = await this.writeChunks(progress, req, resumed);
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
        method: { snapshot: st.snapshot, incremental: incMode, chunk_bytes: st.chunkBytes },
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

  private async saveProgress(p: Progress): Promise<void> {
    p.updated_at = new Date(this.now()).toISOString();
    try {
      await this.storage.putAtomic(progressKey(p.id), JSON.stringify(p));
    } catch (e) {
      throw storageError(e, this.storage, `recording the progress of snapshot ${p.id}`);
    }
  }

  private async writeChunks(
    p: Progress,
    req: BackupRequest,
    resumed: boolean,
  ): Promise<Omit<BackupOutcome, 'duration_ms'>> {
    const st = this.settings;
    const m = p.manifest;
    const g = this.src.graph();
    const fuzzy = st.snapshot === 'fuzzy' && m.type === 'full';
    const rate = req.maxBytesPerS ?? st.maxBytesPerS;
    const done = new Set(p.chunks.map((c) => c.sha256));
    const chunks: ChunkRef[] = [];
    let written = 0;
    let skipped = 0;
    let resumedChunks = 0;
    let bytesWritten = 0;
    const tStart = performance.now();
    const xor = Buffer.alloc(32);
    const mixEl = (el: Vertex | Edge): void => {
      const h = elementHash(el);
      for (let i = 0; i < 32; i++) xor[i] = (xor[i] as number) ^ (h[i] as number);
    };

    const store = async (
      kind: ChunkKind,
      data: Buffer,
      count: number,
      range?: { first: number; last: number },
    ): Promise<void> => {
      if (this.src.graph() !== g) {
        throw new BackupError(
          503,
          'state_rebuilt',
          'this node rebuilt its state during the backup (log truncated); retry, it resumes',
        );
      }
      const sha = sha256(data);
      const ref: ChunkRef = { sha256: sha, bytes: data.length, kind, count, ...(range ?? {}) };
      chunks.push(ref);
      let exists = false;
      try {
        exists = await this.storage.exists(chunkKey(sha));
        if (exists && done.has(sha)) resumedChunks++;
        if (exists) skipped++;
        else {
          await this.storage.putAtomic(chunkKey(sha), data);
          written++;
          bytesWritten += data.length;
        }
      } catch (e) {
        throw storageError(e, this.storage, `storing chunk ${sha} of snapshot ${m.id}`);
      }
      if (!fuzzy && !exists) {
        p.chunks.push(ref);
        await this.saveProgress(p);
      }
      if (rate > 0 && !exists) {
        const due = (bytesWritten / rate) * 1000 - (performance.now() - tStart);
        if (due > 0) await sleep(due);
      }
    };

    const elLine = (el: Vertex | Edge): string => JSON.stringify(el);
    const between = fuzzy ? () => sleep(1) : yieldTick;
    if (m.type === 'full' || m.method.incremental === 'mtime') {
      const cutoff = m.type === 'incremental' ? (p.mtime_cutoff ?? 0) : undefined;
      // fuzzy: each map is copied up to its size when its copy starts (like copying files one by one)
      const vLimit = fuzzy ? g.count().vertices : p.cut.vertices;
      const pick =
        (kind: 'vertices' | 'edges') =>
        (el: Vertex | Edge): string | null => {
          if (cutoff !== undefined && !((g.mtimeOf(kind, el.id) ?? 0) > cutoff)) return null;
          return elLine(el);
        };
      let nv = 0;
      let ne = 0;
      const copyVertices = async () => {
        const limit = fuzzy ? g.count().vertices : vLimit;
        for await (const c of chunksOf<Vertex | Edge>(
          g.vertexValues(),
          limit,
          st.chunkBytes,
          pick('vertices'),
          between,
        )) {
          if (fuzzy || cutoff !== undefined) for (const el of c.items) mixEl(el);
          nv += c.count;
          await store('vertices', c.data, c.count);
        }
      };
      const copyEdges = async () => {
        const eLimit = fuzzy ? g.count().edges : p.cut.edges;
        for await (const c of chunksOf<Vertex | Edge>(g.edgeValues(), eLimit, st.chunkBytes, pick('edges'), between)) {
          if (fuzzy || cutoff !== undefined) for (const el of c.items) mixEl(el);
          ne += c.count;
          await store('edges', c.data, c.count);
        }
      };
      if (fuzzy) {
        // A fuzzy copy has no order to respect; this one copies the edges first, so every
        // copied edge's vertices are copied too (they existed earlier). The copy is then
        // self-consistent and restores without complaint: the classic silent outage, a
        // snapshot that claims position P but lacks writes acknowledged before P.
        await copyEdges();
        await copyVertices();
      } else {
        await copyVertices();
        await copyEdges();
      }
      if (fuzzy) {
        // The flaw: the position is read at the END, while the data was copied over time.
        m.position = this.src.lastApplied();
        m.position_term = this.src.entryAt(m.position)?.term ?? 0;
        m.position_entry_sha256 = entrySha(this.src, m.position);
        m.checksum = xor.toString('hex');
        m.vertices = nv;
        m.edges = ne;
      } else if (cutoff !== undefined) {
        const parent = await this.loadManifest(m.parent as string);
        const px = Buffer.from(parent.checksum, 'hex');
        for (let i = 0; i < 32; i++) xor[i] = (xor[i] as number) ^ (px[i] as number);
        m.checksum = xor.toString('hex');
        m.vertices = parent.vertices + nv;
        m.edges = parent.edges + ne;
      }
    } else {
      // incremental=log: the committed entries (parent.position, position]
      const from = (m.parent_position ?? 0) + 1;
      let i = from;
      const it: Iterator<number> = {
        next: () => (i <= m.position ? { done: false, value: i++ } : { done: true, value: undefined }),
      };
      for await (const c of chunksOf<number>(
        it,
        Infinity,
        st.chunkBytes,
        (idx) => {
          const e = this.src.entryAt(idx);
          if (!e) throw new BackupError(500, 'internal', `log entry ${idx} is missing`);
          return `{"i":${idx},"e":${e.json}}`;
        },
        yieldTick,
      )) {
        await store('log', c.data, c.count, {
          first: c.items[0] as number,
          last: c.items[c.items.length - 1] as number,
        });
      }
    }

    const manifest = sealManifest({ ...m, chunks, bytes: chunks.reduce((s, c) => s + c.bytes, 0) });
    try {
      await this.storage.putAtomic(manifestKey(m.id), JSON.stringify(manifest));
    } catch (e) {
      throw storageError(e, this.storage, `writing the manifest of snapshot ${m.id}`);
    }
    await this.storage.delete(progressKey(m.id)).catch(() => undefined);
    return {
      manifest,
      chunks_written: written,
      chunks_skipped: skipped,
      chunks_resumed: resumedChunks,
      bytes_written: bytesWritten,
      resumed,
    };
  }

  private async loadManifest(id: string): Promise<Manifest> {
    const raw = JSON.parse((await this.storage.get(manifestKey(id))).toString('utf8')) as unknown;
    const p = manifestProblem(raw, id);
    if (p) throw new BackupError(422, 'corrupt_backup', `manifest of snapshot ${id}: ${p}`);
    return raw as Manifest;
  }
}

// ---- verify ---------------------------------------------------------------------------

export interface Problem {
  kind: 'chunk_missing' | 'chunk_corrupt' | 'manifest_corrupt' | 'link_broken' | 'chain_invalid';
  snapshot: string;
  chunk?: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  problem?: Problem;
  snapshots: number;
  chunks_checked: number;
  bytes_checked: number;
  /** Unfinished snapshots (not problems: they are not restorable and never listed as such). */
  unfinished: string[];
}

/** Walk `ids` (default all) and their chains; recompute every chunk's hash. Stops at the first problem. */
export async function verifyRepository(
  repo: Repository,
  opts: { id?: string; keep?: Map<string, Buffer> } = {},
): Promise<VerifyReport> {
  const { ok, broken } = await repo.manifests();
  const unfinished = (await repo.progresses()).map((p) => p.id);
  const byId = new Map(ok.map((m) => [m.id, m]));
  const report: VerifyReport = { ok: true, snapshots: 0, chunks_checked: 0, bytes_checked: 0, unfinished };
  const fail = (p: Problem): VerifyReport => ({ ...report, ok: false, problem: p });

  let targets: Manifest[];
  if (opts.id !== undefined) {
    const b = broken.find((x) => x.id === opts.id);
    if (b)
      return fail({
        kind: 'manifest_corrupt',
        snapshot: b.id,
        message: `manifest of snapshot ${b.id} is corrupt: ${b.problem}`,
      });
    const m = byId.get(opts.id);
    if (!m) throw new BackupError(404, 'no_such_backup', `no snapshot ${opts.id} in the repository`);
    targets = [m];
  } else {
    if (broken.length > 0) {
      const b = broken[0]!;
      return fail({
        kind: 'manifest_corrupt',
        snapshot: b.id,
        message: `manifest of snapshot ${b.id} is corrupt: ${b.problem}`,
      });
    }
    targets = ok;
  }
  const brokenIds = new Set(broken.map((b) => b.id));
  const checked = new Set<string>();
  const seen = new Set<string>();
  for (const t of targets) {
    // walk the chain to its full
    const chain: Manifest[] = [];
    let cur: Manifest | undefined = t;
    while (cur) {
      chain.push(cur);
      if (cur.type === 'full') break;
      if (cur.parent === null)
        return fail({
          kind: 'chain_invalid',
          snapshot: cur.id,
          message: `incremental snapshot ${cur.id} has no parent`,
        });
      const parentId: string = cur.parent;
      const parent = byId.get(parentId);
      if (!parent) {
        const why = brokenIds.has(parentId) ? 'is corrupt' : 'is missing';
        return fail({
          kind: 'link_broken',
          snapshot: cur.id,
          message: `chain link broken: parent ${parentId} of snapshot ${cur.id} ${why}`,
        });
      }
      if (parent.position !== cur.parent_position || parent.position > cur.position) {
        return fail({
          kind: 'link_broken',
          snapshot: cur.id,
          message: `chain link broken: snapshot ${cur.id} continues from position ${cur.parent_position} but its parent ${parentId} is at ${parent.position}`,
        });
      }
      if (chain.length > 10_000)
        return fail({ kind: 'chain_invalid', snapshot: t.id, message: `chain of ${t.id} loops` });
      cur = parent;
    }
    for (const m of chain) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      report.snapshots++;
      for (const c of m.chunks) {
        if (checked.has(c.sha256) && !opts.keep) continue;
        let data: Buffer;
        try {
          data = await repo.storage.get(chunkKey(c.sha256));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
            return fail({
              kind: 'chunk_missing',
              snapshot: m.id,
              chunk: c.sha256,
              message: `chunk ${c.sha256} of snapshot ${m.id} is missing`,
            });
          }
          throw storageError(e, repo.storage, `reading chunk ${c.sha256}`);
        }
        const actual = sha256(data);
        if (actual !== c.sha256 || data.length !== c.bytes) {
          return fail({
            kind: 'chunk_corrupt',
            snapshot: m.id,
            chunk: c.sha256,
            message: `chunk ${c.sha256} of snapshot ${m.id} is corrupt: its content hashes to ${actual} (${data.length} of ${c.bytes} bytes)`,
          });
        }
        checked.add(c.sha256);
        report.chunks_checked++;
        report.bytes_checked += data.length;
        opts.keep?.set(c.sha256, data);
      }
    }
  }
  return report;
}

// ---- restore plan ---------------------------------------------------------------------

export interface RestorePlan {
  /** The state to load, built and checked in memory first. */
  graph: Graph;
  position: number;
  target: Manifest;
  chain: Manifest[];
  checksum: string;
  /** Manifest checksum the result was compared with (null for a point in time between snapshots). */
  expected_checksum: string | null;
}

function chainOf(m: Manifest, byId: Map<string, Manifest>): Manifest[] | null {
  const chain: Manifest[] = [];
  let cur: Manifest | undefined = m;
  while (cur) {
    chain.unshift(cur);
    if (cur.type === 'full') return chain;
    cur = cur.parent === null ? undefined : byId.get(cur.parent);
  }
  return null;
}

/**
 * Choose the snapshot chain for (id | position | latest), verify ALL of it (every chunk hash,
 * every link) and build the state in memory. Throws BackupError (422 corrupt_backup naming
 * the chunk or link) before anything is loaded into the cluster.
 */
export async function planRestore(repo: Repository, req: { id?: string; position?: number }): Promise<RestorePlan> {
  const { ok, broken } = await repo.manifests();
  if (req.id !== undefined && broken.some((b) => b.id === req.id)) {
    const b = broken.find((x) => x.id === req.id)!;
    throw new BackupError(
      422,
      'corrupt_backup',
      `manifest of snapshot ${b.id} is corrupt: ${b.problem}; nothing restored`,
    );
  }
  const byId = new Map(ok.map((m) => [m.id, m]));
  let target: Manifest | undefined;
  if (req.id !== undefined) {
    target = byId.get(req.id);
    if (!target) throw new BackupError(404, 'no_such_backup', `no snapshot ${req.id} in the repository`);
    if (req.position !== undefined && req.position > target.position) {
      throw new BackupError(
        422,
        'position_not_covered',
        `snapshot ${req.id} ends at position ${target.position}, before ${req.position}`,
      );
    }
  } else if (req.position !== undefined) {
    const p = req.position;
    // the earliest snapshot at or after p whose chain starts at or before p
    for (const m of ok) {
      if (m.position < p) continue;
      const chain = chainOf(m, byId);
      if (chain && chain[0]!.position <= p) {
        target = m;
        break;
      }
    }
    if (!target) {
      const last = ok[ok.length - 1];
      throw new BackupError(
        422,
        'position_not_covered',
        `no snapshot chain covers position ${p}${last ? ` (the latest snapshot is at ${last.position})` : ' (the repository has no snapshot)'}`,
      );
    }
  } else {
    target = ok[ok.length - 1];
    if (!target) {
      if (broken.length > 0)
        throw new BackupError(
          422,
          'corrupt_backup',
          `the only snapshots are corrupt: ${broken.map((b) => `${b.id} (${b.problem})`).join(', ')}; nothing restored`,
        );
      throw new BackupError(404, 'no_backup', 'the repository has no finished snapshot');
    }
  }

  const chunks = new Map<string, Buffer>();
  const v = await verifyRepository(repo, { id: target.id, keep: chunks });
  if (!v.ok) throw new BackupError(422, 'corrupt_backup', `${v.problem!.message}; nothing restored`);
  const chain = chainOf(target, byId)!;
  const position = req.position ?? target.position;
  // A point strictly inside an mtime incremental cannot be reached (it has no positions per element).
  for (const m of chain) {
    if (
      m.type === 'incremental' &&
      m.method.incremental === 'mtime' &&
      m.position > position &&
      (m.parent_position ?? 0) < position
    ) {
      throw new BackupError(
        422,
        'position_not_covered',
        `snapshot ${m.id} was taken with incremental=mtime and cannot restore to a position inside it`,
      );
    }
  }

  const g = new Graph();
  const lines = (sha: string): string[] => {
    const text = (chunks.get(sha) as Buffer).toString('utf8');
    return text.length === 0 ? [] : text.slice(0, -1).split('\n');
  };
  // Vertices before edges within each snapshot, whatever order the chunks were written in.
  const rank = (k: ChunkKind) => (k === 'vertices' ? 0 : k === 'edges' ? 1 : 2);
  for (const m of chain) {
    if (m.position > position && m.type === 'incremental' && m.method.incremental === 'mtime') break;
    for (const c of [...m.chunks].sort((a, b) => rank(a.kind) - rank(b.kind))) {
      if (c.kind === 'vertices' || c.kind === 'edges') {
        const els = lines(c.sha256).map((l) => JSON.parse(l) as Vertex & Edge);
        g.apply(
          c.kind === 'vertices' ? { op: 'load', vertices: els, edges: [] } : { op: 'load', vertices: [], edges: els },
        );
      } else {
        for (const l of lines(c.sha256)) {
          const rec = JSON.parse(l) as { i: number; e: { term: number; cmd: Command } };
          if (rec.i > position) break;
          g.apply(rec.e.cmd);
        }
      }
    }
  }
  const checksum = g.checksum();
  const expected = position === target.position ? target.checksum : null;
  if (expected !== null && expected !== checksum) {
    throw new BackupError(
      422,
      'corrupt_backup',
      `the state rebuilt from snapshot ${target.id} has checksum ${checksum}, its manifest says ${expected}; nothing restored`,
    );
  }
  return { graph: g, position, target, chain, checksum, expected_checksum: expected };
}

/** Bulk-load batches of the plan's state (vertices first), `size` elements each. */
export function* loadBatches(g: Graph, size: number): Generator<Command> {
  let vs: Vertex[] = [];
  for (const v of g.vertexValues()) {
    vs.push(v);
    if (vs.length >= size) {
      yield { op: 'load', vertices: vs, edges: [] };
      vs = [];
    }
  }
  if (vs.length > 0) yield { op: 'load', vertices: vs, edges: [] };
  let es: Edge[] = [];
  for (const e of g.edgeValues()) {
    es.push(e);
    if (es.length >= size) {
      yield { op: 'load', vertices: [], edges: es };
      es = [];
    }
  }
  if (es.length > 0) yield { op: 'load', vertices: [], edges: es };
}

export { canonicalJson };
