// The restore plan: choose the snapshot chain for (id | position | latest), verify all of it,
// and build the state in memory before anything is loaded into the cluster, so a corrupt or
// incomplete backup is refused, never half-restored.

import { Graph, type Command, type Edge, type Vertex } from '../graph.js';
import { BackupError } from './errors.js';
import type { ChunkKind, Manifest } from './manifest.js';
import type { Repository } from './repository.js';
import { verifyRepository } from './verify.js';

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
      `the state rebuilt from snapshot ${target.id} has checksum ${checksum}, its manifest says ${expected}; ` +
        'nothing restored',
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
