// The restore plan: choose the snapshot chain for (id | position | latest), verify all of it,
// and build the state in memory before anything is loaded into the cluster, so a corrupt or
// incomplete backup is refused, never half-restored.

import type { Command } from '../graph.js';
import { BackupError } from './errors.js';
import type { Manifest } from './manifest.js';
import { rebuild, refused, type RestoreState } from './rebuild.js';
import type { Repository } from './repository.js';
import { walkChain } from './verify.js';

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

/** Bulk-load batches of the plan's state (vertices first), `size` elements each, as canonical JSON. */
export function* loadBatches(state: RestoreState, size: number): Generator<Command> {
  for (const kind of ['vertices', 'edges'] as const) {
    for (const batch of state.jsonBatches ? state.jsonBatches(kind, size) : batchesOf(state.json(kind), size)) {
      yield kind === 'vertices'
        ? { op: 'load-json', vertices: batch, edges: [] }
        : { op: 'load-json', vertices: [], edges: batch };
    }
  }
}

function* batchesOf(items: Iterable<string>, size: number): Generator<string[]> {
  let batch: string[] = [];
  for (const x of items) {
    batch.push(x);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
