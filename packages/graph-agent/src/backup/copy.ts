// Writing a snapshot's chunks: the elements of a full (or an mtime incremental) or the log
// entries of an incremental, cut into ~chunkBytes chunks stored by their SHA-256, recorded
// in the progress as they are stored (resume), and the manifest written last.

import { elementHash, type Edge, type Vertex } from '../graph.js';
import { BackupError, storageError } from './errors.js';
import {
  chunkKey,
  manifestKey,
  progressKey,
  sealManifest,
  sha256,
  type ChunkKind,
  type ChunkRef,
  type Manifest,
  type Progress,
} from './manifest.js';
import type { BackupOutcome, BackupRequest, BackupSettings, BackupSource } from './engine.js';
import type { BackupStorage } from './storage.js';

/** What the copy needs from the engine. */
export interface CopyContext {
  storage: BackupStorage;
  src: BackupSource;
  settings: BackupSettings;
  saveProgress(p: Progress): Promise<void>;
  loadManifest(id: string): Promise<Manifest>;
}

/** SHA-256 of the log entry at `index` (the lineage check of a snapshot's position). */
export function entrySha(src: BackupSource, index: number): string {
  if (index === 0) return sha256('');
  const e = src.entryAt(index);
  return e ? sha256(e.json) : '';
}

const yieldTick = (): Promise<void> => new Promise((r) => setImmediate(r));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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

export async function writeChunks(
  ctx: CopyContext,
  p: Progress,
  req: BackupRequest,
  resumed: boolean,
): Promise<Omit<BackupOutcome, 'duration_ms'>> {
  const st = ctx.settings;
  const m = p.manifest;
  const g = ctx.src.graph();
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
    if (ctx.src.graph() !== g) {
      throw new BackupError(
        503,
        'state_rebuilt',
        'this node rebuilt its state during the backup (log truncated); retry, it resumes',
      );
    }
    const sha = sha256(data);
    const ref: ChunkRef = { sha256: sha, bytes: data.length, kind, count, ...(range ?? {}) };
    chunks.push(ref);
    let exists: boolean;
    try {
      exists = await ctx.storage.exists(chunkKey(sha));
      if (exists && done.has(sha)) resumedChunks++;
      if (exists) skipped++;
      else {
        await ctx.storage.putAtomic(chunkKey(sha), data);
        written++;
        bytesWritten += data.length;
      }
    } catch (e) {
      throw storageError(e, ctx.storage, `storing chunk ${sha} of snapshot ${m.id}`);
    }
    if (!fuzzy && !exists) {
      p.chunks.push(ref);
      await ctx.saveProgress(p);
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
      m.position = ctx.src.lastApplied();
      m.position_term = ctx.src.entryAt(m.position)?.term ?? 0;
      m.position_entry_sha256 = entrySha(ctx.src, m.position);
      m.checksum = xor.toString('hex');
      m.vertices = nv;
      m.edges = ne;
    } else if (cutoff !== undefined) {
      const parent = await ctx.loadManifest(m.parent as string);
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
        const e = ctx.src.entryAt(idx);
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
    await ctx.storage.putAtomic(manifestKey(m.id), JSON.stringify(manifest));
  } catch (e) {
    throw storageError(e, ctx.storage, `writing the manifest of snapshot ${m.id}`);
  }
  await ctx.storage.delete(progressKey(m.id)).catch(() => undefined);
  return {
    manifest,
    chunks_written: written,
    chunks_skipped: skipped,
    chunks_resumed: resumedChunks,
    bytes_written: bytesWritten,
    resumed,
  };
}
