// Rebuilding the state of a snapshot chain for a restore, from verified chunks only. Chunks are
// read and hashed (chunk-hasher.ts) ahead of the rebuild, which uses the line hashes instead of
// hashing again; every chunk of the chain is verified, and a missing or corrupt one refuses the
// restore with the problem verifyRepository would name first.
//
// A whole full snapshot of canonical lines needs no graph: it is the state at a consistent cut
// (or a fuzzy copy, self-consistent by construction), and the XOR of its line hashes against its
// manifest's checksum (with its element counts) proves the lines are that state, so they are
// loaded as they are and each node of the new cluster indexes them as it applies the load.
// Anything else (incrementals, a point in time, older snapshots) is replayed into a Graph, with
// its rules for duplicates and missing vertices.

import { isAscii } from 'node:buffer';
import { parseEdgeLine, parseVertexLine } from '../element-json.js';
import { Graph, type Command, type Kind } from '../graph.js';
import { ChunkHasher, type ChunkHashes, type HashMode } from './chunk-hasher.js';
import { BackupError } from './errors.js';
import type { ChunkKind, ChunkRef, Manifest } from './manifest.js';
import type { Repository } from './repository.js';
import { chunkProblem, readChunk, type Problem } from './verify.js';

/** The state a restore loads: every element as canonical JSON. A Graph is one. */
export interface RestoreState {
  count(): { vertices: number; edges: number };
  json(kind: Kind): Iterable<string>;
  /** The same in arrays of at most `size` (when the state can cut them faster than one by one). */
  jsonBatches?(kind: Kind, size: number): Iterable<string[]>;
}

export const refused = (p: Problem): BackupError =>
  new BackupError(422, 'corrupt_backup', `${p.message}; nothing restored`);

/** Chunks read and hashed ahead of the one being rebuilt. */
const READ_AHEAD = 8;

/**
 * Lines decoded into one string for a load batch: ~40 KB, small enough for V8's young
 * generation (a 150 KB string goes to the large-object space, and decoding cost four times as much).
 */
const DECODE_LINES = 512;

/** Vertices before edges within each snapshot, whatever order the chunks were written in. */
const byKind = (m: Manifest): ChunkRef[] => {
  const rank = (k: ChunkKind) => (k === 'vertices' ? 0 : k === 'edges' ? 1 : 2);
  return [...m.chunks].sort((a, b) => rank(a.kind) - rank(b.kind));
};

/**
 * A verified chunk: ASCII bytes with the offset of each line's '\n' (kept as bytes, off the
 * JavaScript heap, until a load batch needs them), or its lines.
 */
type TextChunk = { bytes: Buffer; ends: Uint32Array } | { lines: string[] };

function linesOf(c: TextChunk): string[] {
  if ('lines' in c) return c.lines;
  const out: string[] = [];
  let start = 0;
  for (const end of c.ends) {
    out.push(c.bytes.toString('latin1', start, end));
    start = end + 1;
  }
  return out;
}

/**
 * The elements of one full snapshot, kept as its chunks' bytes: a batch's lines are decoded
 * only as the load reaches them (a string per few hundred lines, cut into lines that share it), so a
 * million elements are neither a million live strings nor 75 MB of strings at once, which the
 * garbage collector would mark again and again while the restore runs.
 */
class ChunkText implements RestoreState {
  readonly chunks: Record<Kind, TextChunk[]> = { vertices: [], edges: [] };

  count(): { vertices: number; edges: number } {
    const n = (k: Kind) => this.chunks[k].reduce((s, c) => s + ('lines' in c ? c.lines.length : c.ends.length), 0);
    return { vertices: n('vertices'), edges: n('edges') };
  }

  *json(kind: Kind): Generator<string> {
    for (const batch of this.jsonBatches(kind, 4096)) yield* batch;
  }

  *jsonBatches(kind: Kind, size: number): Generator<string[]> {
    let batch: string[] = [];
    for (const c of this.chunks[kind]) {
      if ('lines' in c) {
        for (const l of c.lines) {
          batch.push(l);
          if (batch.length >= size) {
            yield batch;
            batch = [];
          }
        }
        continue;
      }
      const { bytes, ends } = c;
      let i = 0;
      let start = 0;
      while (i < ends.length) {
        const j = Math.min(ends.length, i + size - batch.length, i + DECODE_LINES);
        const last = ends[j - 1] as number;
        const text = bytes.toString('latin1', start, last);
        let s = 0;
        for (let k = i; k < j; k++) {
          const e = (ends[k] as number) - start;
          batch.push(text.slice(s, e));
          s = e + 1;
        }
        start = last + 1;
        i = j;
        if (batch.length >= size) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length > 0) yield batch;
  }
}

/**
 * Rebuild the state of `verifyOrder` (a chain from its target back to its full) up to
 * `position`, verifying every chunk of the chain; the state and its checksum.
 */
export async function rebuild(
  repo: Repository,
  verifyOrder: Manifest[],
  position: number,
  hashWorkers: number | undefined,
): Promise<{ state: RestoreState; checksum: string }> {
  const chain = [...verifyOrder].reverse();
  const target = verifyOrder[0] as Manifest;
  const canonical = (m: Manifest): boolean => m.method.element_json === 'canonical';
  const whole = chain.length === 1 && target.type === 'full' && canonical(target) && position === target.position;
  const order: { c: ChunkRef; mode: HashMode }[] = [];
  const index = new Map<string, number>();
  for (const m of chain) {
    for (const c of byKind(m)) {
      if (index.has(c.sha256)) continue;
      index.set(c.sha256, order.length);
      const mode: HashMode = c.kind === 'log' || !canonical(m) ? 'chunk' : whole ? 'sum' : 'lines';
      order.push({ c, mode });
    }
  }
  const hasher = new ChunkHasher(
    order.reduce((s, o) => s + o.c.bytes, 0),
    // Assembling a whole snapshot leaves this thread mostly idle; building a graph does not.
    { workers: hashWorkers, busyThreads: whole ? 0 : 1 },
  );
  const results = new Map<string, Promise<ChunkHashes | null>>();
  let started = 0;
  const startUpTo = (last: number): void => {
    for (; started <= last && started < order.length; started++) {
      const { c, mode } = order[started] as { c: ChunkRef; mode: HashMode };
      const r = readChunk(repo, c).then((data) => (data === null ? null : hasher.hash(data, mode, c.sha256)));
      r.catch(() => undefined); // awaited below; a rebuild that stops early must not leave it unhandled
      results.set(c.sha256, r);
    }
  };
  const hashed = (c: ChunkRef): Promise<ChunkHashes | null> => {
    startUpTo((index.get(c.sha256) as number) + READ_AHEAD);
    return results.get(c.sha256) as Promise<ChunkHashes | null>;
  };
  /** The first problem in verification order (target first), once every chunk is hashed. */
  const firstProblem = async (): Promise<Problem | null> => {
    startUpTo(order.length);
    const checked = new Set<string>();
    for (const m of verifyOrder) {
      for (const c of m.chunks) {
        if (checked.has(c.sha256)) continue;
        checked.add(c.sha256);
        const r = await hashed(c);
        const p = chunkProblem(m, c, r?.data ?? null, r?.sha256 ?? '');
        if (p) return p;
      }
    }
    return null;
  };
  /** Chunk `c` of `m`, verified, as text; refuses the restore if it is not intact. */
  const verified = async (m: Manifest, c: ChunkRef): Promise<{ text: TextChunk; h: ChunkHashes }> => {
    const r = await hashed(c);
    const p = chunkProblem(m, c, r?.data ?? null, r?.sha256 ?? '');
    if (r === null || p !== null) throw refused((await firstProblem()) ?? (p as Problem));
    // Mostly ASCII: that decodes as a plain copy, and its byte offsets are string offsets.
    if (r.ends !== null && isAscii(r.data)) return { text: { bytes: r.data, ends: r.ends }, h: r };
    const text = r.data.toString('utf8');
    return { text: { lines: text.length === 0 ? [] : text.slice(0, -1).split('\n') }, h: r };
  };

  try {
    const done = whole ? await assemble(target, verified) : await replay(chain, position, verified);
    // Chunks past a point in time were not needed, but the whole chain is verified all the same.
    const problem = await firstProblem();
    if (problem) throw refused(problem);
    return done;
  } finally {
    await hasher.close();
  }
}

type Verified = (m: Manifest, c: ChunkRef) => Promise<{ text: TextChunk; h: ChunkHashes }>;

/** A whole full snapshot: its chunks' text, and the XOR of every line hash as the checksum. */
async function assemble(target: Manifest, verified: Verified): Promise<{ state: RestoreState; checksum: string }> {
  const state = new ChunkText();
  const xor = new Uint8Array(32);
  for (const c of byKind(target)) {
    if (c.kind === 'log') {
      const message = `full snapshot ${target.id} holds log chunks`;
      throw refused({ kind: 'chain_invalid', snapshot: target.id, message });
    }
    const { text, h } = await verified(target, c);
    state.chunks[c.kind].push(text);
    const x = h.xor as Uint8Array;
    for (let k = 0; k < 32; k++) xor[k] = (xor[k] as number) ^ (x[k] as number);
  }
  const n = state.count();
  if (n.vertices !== target.vertices || n.edges !== target.edges) {
    throw refused({
      kind: 'chain_invalid',
      snapshot: target.id,
      message:
        `snapshot ${target.id} holds ${n.vertices} vertices and ${n.edges} edges, ` +
        `its manifest says ${target.vertices} and ${target.edges}`,
    });
  }
  return { state, checksum: Buffer.from(xor).toString('hex') };
}

/** A chain (or a point in it) replayed into a Graph, full first. */
async function replay(
  chain: Manifest[],
  position: number,
  verified: Verified,
): Promise<{ state: RestoreState; checksum: string }> {
  const g = new Graph();
  for (const m of chain) {
    if (m.position > position && m.type === 'incremental' && m.method.incremental === 'mtime') break;
    // Snapshots from before element_json: their lines are JSON of the element in any key
    // order, so each is parsed and canonicalised (the hash is over the canonical text).
    const canonical = m.method.element_json === 'canonical';
    for (const c of byKind(m)) {
      const { text, h } = await verified(m, c);
      const ls = linesOf(text);
      if (c.kind === 'log') {
        for (const l of ls) {
          const rec = JSON.parse(l) as { i: number; e: { term: number; cmd: Command } };
          if (rec.i > position) break;
          g.apply(rec.e.cmd);
        }
        continue;
      }
      const lines = canonical ? ls : ls.map((l) => canonicalLine(c.kind as Kind, l, c.sha256));
      const hashes = canonical ? (h.lineHashes ?? undefined) : undefined;
      if (c.kind === 'vertices') g.loadJson(lines, [], hashes);
      else g.loadJson([], lines, hashes);
    }
  }
  return { state: g, checksum: g.checksum() };
}

/** A line of an older snapshot, canonicalised; a line that is no element refuses the restore. */
function canonicalLine(kind: Kind, line: string, sha: string): string {
  let el: { json: string } | undefined;
  try {
    el = kind === 'vertices' ? parseVertexLine(line) : parseEdgeLine(line);
  } catch {
    el = undefined;
  }
  if (!el)
    throw new BackupError(422, 'corrupt_backup', `chunk ${sha} holds a line that is not an element; nothing restored`);
  return el.json;
}
