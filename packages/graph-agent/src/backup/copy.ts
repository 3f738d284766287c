// Writing a snapshot's chunks: the elements of a full (or an mtime incremental) or the log
// entries of an incremental, cut into ~chunkBytes chunks stored by their SHA-256, recorded
// in the progress as they are stored (resume), and the manifest written last.
//
// Element lines are the graph's own canonical JSON (element-json.ts), copied as they are: no
// element is serialised again. A few chunks are stored at once (each write ends in fsyncs,
// which would otherwise leave the CPU idle while the next chunk waits), except when the copy
// is throttled or fuzzy, which stay one chunk at a time as they always were.

import { jsonDigest } from '../element-json.js';
import type { Kind } from '../graph.js';
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

/** Spare room past chunkBytes, so the line that crosses the boundary usually fits as it is. */
const SLACK = 64 * 1024;

/**
 * Serialise up to `limit` items (Infinity: until the iterator ends) into chunks of ~chunkBytes:
 * each chunk's data, its lines (only with `keepLines`: the copies that mix every line), and its
 * first and last item. Each line is UTF-8 encoded straight into the chunk's buffer (one copy),
 * rather than joined into a string and encoded again (two copies and a rope to flatten). A chunk
 * ends once its lines reach chunkBytes UTF-16 code units, as it always has (the same chunks,
 * so deduplication against older snapshots holds).
 */
async function* chunksOf<T>(
  it: Iterator<T>,
  limit: number,
  chunkBytes: number,
  line: (x: T) => string | null,
  yieldBetween: () => Promise<void>,
  keepLines: boolean,
): AsyncGenerator<{ data: Buffer; lines: string[]; count: number; first: T; last: T }> {
  let taken = 0;
  let done = false;
  while (!done && taken < limit) {
    let buf = Buffer.allocUnsafeSlow(chunkBytes + SLACK);
    let off = 0;
    const lines: string[] = [];
    let count = 0;
    let first: T | undefined;
    let last: T | undefined;
    let units = 0;
    while (taken < limit && units < chunkBytes) {
      const r = it.next();
      if (r.done) {
        done = true;
        break;
      }
      taken++;
      const l = line(r.value);
      if (l === null) continue;
      if (count === 0) first = r.value;
      last = r.value;
      count++;
      if (keepLines) lines.push(l);
      // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair: 2 units, 4 bytes).
      if (buf.length - off < 3 * l.length + 1) {
        const bigger = Buffer.allocUnsafeSlow(Math.max(2 * buf.length, off + 3 * l.length + 1));
        buf.copy(bigger, 0, 0, off);
        buf = bigger;
      }
      off += buf.write(l, off, 'utf8');
      buf[off++] = 10;
      units += l.length + 1;
    }
    if (count > 0) yield { data: buf.subarray(0, off), lines, count, first: first as T, last: last as T };
    await yieldBetween();
  }
}

/** Chunks being stored at once (unthrottled, consistent copies). */
const STORE_CONCURRENCY = 4;

/** Least time between two progress records of a snapshot. */
const PROGRESS_EVERY_MS = 250;

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
  let bytesSent = 0;
  const tStart = performance.now();
  const xor = Buffer.alloc(32);
  const mixLine = (line: string): void => {
    const d = jsonDigest(line);
    for (let i = 0; i < 32; i++) xor[i] = (xor[i] as number) ^ d.charCodeAt(i);
  };

  // Progress records are written one at a time, each with everything stored so far; a store
  // finishing while one is queued rides along with it.
  // Unthrottled, at most one every PROGRESS_EVERY_MS (each is a write and two fsyncs, and a
  // resume skips stored chunks by their address whatever the record says); a throttled copy,
  // slow by design, records every chunk; a failure records all there is.
  let progressChain: Promise<void> = Promise.resolve();
  let progressQueued = false;
  let progressAt = performance.now();
  const recordProgress = (force = false): Promise<void> => {
    const every = rate > 0 ? 0 : PROGRESS_EVERY_MS;
    if (progressQueued || (!force && performance.now() - progressAt < every)) return progressChain;
    progressAt = performance.now();
    progressQueued = true;
    progressChain = progressChain.then(() => {
      progressQueued = false;
      return ctx.saveProgress(p);
    });
    return progressChain;
  };

  const storeChunk = async (ref: ChunkRef, data: Buffer): Promise<void> => {
    let exists: boolean;
    try {
      exists = await ctx.storage.exists(chunkKey(ref.sha256));
      // Its directory entry is made durable with the others' before the manifest (syncPending).
      if (!exists) await ctx.storage.putAtomic(chunkKey(ref.sha256), data, { syncDir: false });
    } catch (e) {
      throw storageError(e, ctx.storage, `storing chunk ${ref.sha256} of snapshot ${m.id}`);
    }
    if (exists) {
      skipped++;
      if (done.has(ref.sha256)) resumedChunks++;
      return;
    }
    written++;
    bytesWritten += data.length;
    if (!fuzzy) {
      p.chunks.push(ref);
      await recordProgress();
    }
  };

  const concurrency = rate > 0 || fuzzy ? 1 : STORE_CONCURRENCY;
  const inflight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
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
    const ref: ChunkRef = { sha256: sha256(data), bytes: data.length, kind, count, ...(range ?? {}) };
    chunks.push(ref);
    const job: Promise<void> = storeChunk(ref, data).then(
      () => void inflight.delete(job),
      (error: unknown) => {
        inflight.delete(job);
        failure ??= { error };
      },
    );
    inflight.add(job);
    while (inflight.size >= concurrency && failure === undefined) await Promise.race(inflight);
    if (failure !== undefined) throw failure.error;
    if (rate > 0) {
      bytesSent += data.length;
      const due = (bytesSent / rate) * 1000 - (performance.now() - tStart);
      if (due > 0) await sleep(due);
    }
  };

  try {
    if (m.type === 'full' || m.method.incremental === 'mtime') {
      const counts = await copyElements(ctx, p, fuzzy, store, fuzzy || m.type === 'incremental' ? mixLine : null);
      await Promise.all(inflight);
      if (failure !== undefined) throw failure.error;
      if (fuzzy) {
        // The flaw: the position is read at the END, while the data was copied over time.
        m.position = ctx.src.lastApplied();
        m.position_term = ctx.src.entryAt(m.position)?.term ?? 0;
        m.position_entry_sha256 = entrySha(ctx.src, m.position);
        m.checksum = xor.toString('hex');
        m.vertices = counts.vertices;
        m.edges = counts.edges;
      } else if (m.type === 'incremental') {
        const parent = await ctx.loadManifest(m.parent as string);
        const px = Buffer.from(parent.checksum, 'hex');
        for (let i = 0; i < 32; i++) xor[i] = (xor[i] as number) ^ (px[i] as number);
        m.checksum = xor.toString('hex');
        m.vertices = parent.vertices + counts.vertices;
        m.edges = parent.edges + counts.edges;
      }
    } else {
      await copyLog(ctx, m, store);
    }
    await Promise.all(inflight);
    if (failure !== undefined) throw failure.error;
    await progressChain;
  } catch (e) {
    await Promise.allSettled(inflight);
    if (!fuzzy) await recordProgress(true).catch(() => undefined);
    throw e;
  } finally {
    // Never return (or let a retry start) while a chunk of this backup is still being written.
    await Promise.allSettled(inflight);
  }

  const manifest = sealManifest({ ...m, chunks, bytes: chunks.reduce((s, c) => s + c.bytes, 0) });
  try {
    await ctx.storage.syncPending?.();
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

type Store = (kind: ChunkKind, data: Buffer, count: number, range?: { first: number; last: number }) => Promise<void>;

/**
 * The elements of a full snapshot (up to the cut; fuzzy: up to each map's size when its copy
 * starts, like copying files one by one) or of an mtime incremental (those applied, by this
 * node's wall clock, after the parent's created_at). `mix` sees every line copied.
 */
async function copyElements(
  ctx: CopyContext,
  p: Progress,
  fuzzy: boolean,
  store: Store,
  mix: ((line: string) => void) | null,
): Promise<{ vertices: number; edges: number }> {
  const g = ctx.src.graph();
  const cutoff = p.manifest.type === 'incremental' ? (p.mtime_cutoff ?? 0) : undefined;
  const between = fuzzy ? () => sleep(1) : yieldTick;
  const copied = { vertices: 0, edges: 0 };
  const copy = async (kind: Kind): Promise<void> => {
    const limit = fuzzy ? g.count()[kind] : p.cut[kind];
    const mtimes = g.mtimes(kind);
    let k = 0; // index of the element in apply order, for its mtime
    const pick = (line: string): string | null => {
      const i = k++;
      return cutoff !== undefined && !((mtimes[i] ?? 0) > cutoff) ? null : line;
    };
    const it = chunksOf<string>(g.json(kind), limit, ctx.settings.chunkBytes, pick, between, mix !== null);
    for await (const c of it) {
      if (mix) for (const line of c.lines) mix(line);
      copied[kind] += c.count;
      await store(kind, c.data, c.count);
    }
  };
  if (fuzzy) {
    // A fuzzy copy has no order to respect; this one copies the edges first, so every
    // copied edge's vertices are copied too (they existed earlier). The copy is then
    // self-consistent and restores without complaint: the classic silent outage, a
    // snapshot that claims position P but lacks writes acknowledged before P.
    await copy('edges');
    await copy('vertices');
  } else {
    await copy('vertices');
    await copy('edges');
  }
  return copied;
}

/** incremental=log: the committed entries (parent.position, position]. */
async function copyLog(ctx: CopyContext, m: Progress['manifest'], store: Store): Promise<void> {
  let i = (m.parent_position ?? 0) + 1;
  const it: Iterator<number> = {
    next: () => (i <= m.position ? { done: false, value: i++ } : { done: true, value: undefined }),
  };
  const line = (idx: number): string => {
    const e = ctx.src.entryAt(idx);
    if (!e) throw new BackupError(500, 'internal', `log entry ${idx} is missing`);
    return `{"i":${idx},"e":${e.json}}`;
  };
  for await (const c of chunksOf<number>(it, Infinity, ctx.settings.chunkBytes, line, yieldTick, false)) {
    await store('log', c.data, c.count, { first: c.first, last: c.last });
  }
}
