// The restore plan: choose the snapshot chain for (id | position | latest), verify all of it,
// and build the state in memory before anything is loaded into the cluster, so a corrupt or
// incomplete backup is refused, never half-restored.

import { parseEdgeLine, parseVertexLine } from '../element-json.js';
import { isAscii } from 'node:buffer';
import { Graph, type Command, type Kind } from '../graph.js';
import { ChunkHasher, type ChunkHashes } from './chunk-hasher.js';
import { BackupError } from './errors.js';
import type { ChunkKind, ChunkRef, Manifest } from './manifest.js';
import type { Repository } from './repository.js';
import { chunkProblem, readChunk, walkChain, type Problem } from './verify.js';

/** The state a restore loads: every element as canonical JSON. A Graph is one. */
export interface RestoreState {
  count(): { vertices: number; edges: number };
  json(kind: Kind): Iterable<string>;
}

export interface RestorePlan {
  /** The state to load, assembled and checked in memory first. */
  state: RestoreState;
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
export async function planRestore(
  repo: Repository,
  req: { id?: string; position?: number },
  opts: { hashWorkers?: number } = {},
): Promise<RestorePlan> {
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
        `no snapshot chain covers position ${p}` +
          (last ? ` (the latest snapshot is at ${last.position})` : ' (the repository has no snapshot)'),
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

  const walked = walkChain(target, byId, new Set(broken.map((b) => b.id)));
  if ('problem' in walked) throw refused(walked.problem);
  const chain = [...walked.chain].reverse();
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
  const { state, checksum } = await rebuild(repo, walked.chain, position, opts.hashWorkers);
  const expected = position === target.position ? target.checksum : null;
  if (expected !== null && expected !== checksum) {
    throw new BackupError(
      422,
      'corrupt_backup',
      `the state rebuilt from snapshot ${target.id} has checksum ${checksum}, its manifest says ${expected}; ` +
        'nothing restored',
    );
  }
  return { state, position, target, chain, checksum, expected_checksum: expected };
}

const refused = (p: Problem): BackupError => new BackupError(422, 'corrupt_backup', `${p.message}; nothing restored`);

/** Chunks read and hashed ahead of the one being rebuilt. */
const READ_AHEAD = 8;

/** Vertices before edges within each snapshot, whatever order the chunks were written in. */
const byKind = (m: Manifest): ChunkRef[] => {
  const rank = (k: ChunkKind) => (k === 'vertices' ? 0 : k === 'edges' ? 1 : 2);
  return [...m.chunks].sort((a, b) => rank(a.kind) - rank(b.kind));
};

/** The elements of one full snapshot, as its chunks' lines. */
class ChunkLines implements RestoreState {
  readonly lines: Record<Kind, string[][]> = { vertices: [], edges: [] };

  count(): { vertices: number; edges: number } {
    const n = (k: Kind) => this.lines[k].reduce((s, l) => s + l.length, 0);
    return { vertices: n('vertices'), edges: n('edges') };
  }

  *json(kind: Kind): Generator<string> {
    for (const chunk of this.lines[kind]) yield* chunk;
  }
}

/**
 * Rebuild the state of `verifyOrder` (a chain from its target back to its full) up to
 * `position`, verifying every chunk of the chain, and its checksum. Chunks are read and hashed
 * (chunk-hasher.ts) ahead of the rebuild, which uses the line hashes instead of hashing again.
 * A missing or corrupt chunk refuses the restore with the problem verifyRepository would name
 * first.
 *
 * A whole full snapshot of canonical lines needs no graph: it is the state at a consistent cut
 * (or a fuzzy copy, self-consistent by construction), and the XOR of its line hashes against
 * its manifest's checksum proves the lines are that state, so they are loaded as they are and
 * each node indexes them as it applies the load. Anything else (incrementals, a point in time,
 * older snapshots) is replayed into a Graph, with its rules for duplicates and missing vertices.
 */
async function rebuild(
  repo: Repository,
  verifyOrder: Manifest[],
  position: number,
  hashWorkers: number | undefined,
): Promise<{ state: RestoreState; checksum: string }> {
  const chain = [...verifyOrder].reverse();
  const target = verifyOrder[0] as Manifest;
  const whole =
    chain.length === 1 &&
    target.type === 'full' &&
    target.method.element_json === 'canonical' &&
    position === target.position;
  const order: ChunkRef[] = [];
  const index = new Map<string, number>();
  for (const m of chain) {
    for (const c of byKind(m)) {
      if (index.has(c.sha256)) continue;
      index.set(c.sha256, order.length);
      order.push(c);
    }
  }
  const hasher = new ChunkHasher(
    order.reduce((s, c) => s + c.bytes, 0),
    // Assembling lines leaves this thread mostly idle; building a graph does not.
    { workers: hashWorkers, busyThreads: whole ? 0 : 1 },
  );
  const results = new Map<string, Promise<ChunkHashes | null>>();
  let started = 0;
  const startUpTo = (last: number): void => {
    for (; started <= last && started < order.length; started++) {
      const c = order[started] as ChunkRef;
      const r = readChunk(repo, c).then((data) =>
        data === null ? null : hasher.hash(data, c.kind !== 'log', c.sha256),
      );
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
  /** Chunk `c` of `m`, verified, as lines (and their hashes); refuses the restore if it is not intact. */
  const verified = async (m: Manifest, c: ChunkRef): Promise<{ lines: string[]; h: ChunkHashes }> => {
    const r = await hashed(c);
    const p = chunkProblem(m, c, r?.data ?? null, r?.sha256 ?? '');
    if (r === null || p !== null) throw refused((await firstProblem()) ?? (p as Problem));
    // Chunks are mostly ASCII, which decodes to a string as a plain copy.
    const text = r.data.toString(isAscii(r.data) ? 'latin1' : 'utf8');
    return { lines: text.length === 0 ? [] : text.slice(0, -1).split('\n'), h: r };
  };

  try {
    let state: RestoreState;
    let checksum: string;
    if (whole) {
      const lines = new ChunkLines();
      const xor = new Uint8Array(32);
      for (const c of byKind(target)) {
        if (c.kind === 'log')
          throw refused({
            kind: 'chain_invalid',
            snapshot: target.id,
            message: `full snapshot ${target.id} holds log chunks`,
          });
        const { lines: ls, h } = await verified(target, c);
        lines.lines[c.kind].push(ls);
        const x = h.xor as Uint8Array;
        for (let k = 0; k < 32; k++) xor[k] = (xor[k] as number) ^ (x[k] as number);
      }
      const n = lines.count();
      if (n.vertices !== target.vertices || n.edges !== target.edges) {
        throw refused({
          kind: 'chain_invalid',
          snapshot: target.id,
          message:
            `snapshot ${target.id} holds ${n.vertices} vertices and ${n.edges} edges, ` +
            `its manifest says ${target.vertices} and ${target.edges}`,
        });
      }
      state = lines;
      checksum = Buffer.from(xor).toString('hex');
    } else {
      const g = new Graph();
      for (const m of chain) {
        if (m.position > position && m.type === 'incremental' && m.method.incremental === 'mtime') break;
        // Snapshots from before element_json: their lines are JSON of the element in any key
        // order, so each is parsed and canonicalised (the hash is over the canonical text).
        const canonical = m.method.element_json === 'canonical';
        for (const c of byKind(m)) {
          const { lines: ls, h } = await verified(m, c);
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
      state = g;
      checksum = g.checksum();
    }
    // Chunks past a point in time were not needed, but the whole chain is verified all the same.
    const problem = await firstProblem();
    if (problem) throw refused(problem);
    return { state, checksum };
  } finally {
    await hasher.close();
  }
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

/** Bulk-load batches of the plan's state (vertices first), `size` elements each, as canonical JSON. */
export function* loadBatches(state: RestoreState, size: number): Generator<Command> {
  for (const kind of ['vertices', 'edges'] as const) {
    let batch: string[] = [];
    for (const json of state.json(kind)) {
      batch.push(json);
      if (batch.length >= size) {
        yield kind === 'vertices'
          ? { op: 'load-json', vertices: batch, edges: [] }
          : { op: 'load-json', vertices: [], edges: batch };
        batch = [];
      }
    }
    if (batch.length > 0) {
      yield kind === 'vertices'
        ? { op: 'load-json', vertices: batch, edges: [] }
        : { op: 'load-json', vertices: [], edges: batch };
    }
  }
}
