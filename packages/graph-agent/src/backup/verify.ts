// Verify a repository: walk each snapshot's chain to its full, recompute every chunk's
// SHA-256, and name the first problem (missing or corrupt chunk, broken link, corrupt manifest).

import { BackupError, storageError } from './errors.js';
import { chunkKey, sha256, type ChunkRef, type Manifest } from './manifest.js';
import type { Repository } from './repository.js';

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

const manifestCorrupt = (id: string, problem: string): Problem => ({
  kind: 'manifest_corrupt',
  snapshot: id,
  message: `manifest of snapshot ${id} is corrupt: ${problem}`,
});

/** The chain of `t` from `t` back to its full, or the problem with one of its links. */
export function walkChain(
  t: Manifest,
  byId: ReadonlyMap<string, Manifest>,
  brokenIds: ReadonlySet<string>,
): { chain: Manifest[] } | { problem: Problem } {
  const chain: Manifest[] = [];
  let cur: Manifest | undefined = t;
  while (cur) {
    chain.push(cur);
    if (cur.type === 'full') break;
    if (cur.parent === null)
      return {
        problem: { kind: 'chain_invalid', snapshot: cur.id, message: `incremental snapshot ${cur.id} has no parent` },
      };
    const parentId: string = cur.parent;
    const parent = byId.get(parentId);
    if (!parent) {
      const why = brokenIds.has(parentId) ? 'is corrupt' : 'is missing';
      return {
        problem: {
          kind: 'link_broken',
          snapshot: cur.id,
          message: `chain link broken: parent ${parentId} of snapshot ${cur.id} ${why}`,
        },
      };
    }
    if (parent.position !== cur.parent_position || parent.position > cur.position) {
      return {
        problem: {
          kind: 'link_broken',
          snapshot: cur.id,
          message:
            `chain link broken: snapshot ${cur.id} continues from position ${cur.parent_position} ` +
            `but its parent ${parentId} is at ${parent.position}`,
        },
      };
    }
    if (chain.length > 10_000)
      return { problem: { kind: 'chain_invalid', snapshot: t.id, message: `chain of ${t.id} loops` } };
    cur = parent;
  }
  return { chain };
}

/** A chunk's bytes, or null when the repository does not have it. */
export async function readChunk(repo: Repository, c: ChunkRef): Promise<Buffer | null> {
  try {
    return await repo.storage.get(chunkKey(c.sha256));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw storageError(e, repo.storage, `reading chunk ${c.sha256}`);
  }
}

/** What is wrong with chunk `c` of snapshot `m`, read as `data` (null: missing) hashing to `actual`. */
export function chunkProblem(m: Manifest, c: ChunkRef, data: Buffer | null, actual: string): Problem | null {
  if (data === null) {
    return {
      kind: 'chunk_missing',
      snapshot: m.id,
      chunk: c.sha256,
      message: `chunk ${c.sha256} of snapshot ${m.id} is missing`,
    };
  }
  if (actual === c.sha256 && data.length === c.bytes) return null;
  return {
    kind: 'chunk_corrupt',
    snapshot: m.id,
    chunk: c.sha256,
    message:
      `chunk ${c.sha256} of snapshot ${m.id} is corrupt: its content hashes to ${actual} ` +
      `(${data.length} of ${c.bytes} bytes)`,
  };
}

/** Walk `ids` (default all) and their chains; recompute every chunk's hash. Stops at the first problem. */
export async function verifyRepository(repo: Repository, opts: { id?: string } = {}): Promise<VerifyReport> {
  const { ok, broken } = await repo.manifests();
  const unfinished = (await repo.progresses()).map((p) => p.id);
  const byId = new Map(ok.map((m) => [m.id, m]));
  const report: VerifyReport = { ok: true, snapshots: 0, chunks_checked: 0, bytes_checked: 0, unfinished };
  const fail = (p: Problem): VerifyReport => ({ ...report, ok: false, problem: p });

  let targets: Manifest[];
  if (opts.id !== undefined) {
    const b = broken.find((x) => x.id === opts.id);
    if (b) return fail(manifestCorrupt(b.id, b.problem));
    const m = byId.get(opts.id);
    if (!m) throw new BackupError(404, 'no_such_backup', `no snapshot ${opts.id} in the repository`);
    targets = [m];
  } else {
    const b = broken[0];
    if (b) return fail(manifestCorrupt(b.id, b.problem));
    targets = ok;
  }
  const brokenIds = new Set(broken.map((b) => b.id));
  const checked = new Set<string>();
  const seen = new Set<string>();
  for (const t of targets) {
    const walked = walkChain(t, byId, brokenIds);
    if ('problem' in walked) return fail(walked.problem);
    for (const m of walked.chain) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      report.snapshots++;
      for (const c of m.chunks) {
        if (checked.has(c.sha256)) continue;
        const data = await readChunk(repo, c);
        const problem = chunkProblem(m, c, data, data === null ? '' : sha256(data));
        if (problem) return fail(problem);
        checked.add(c.sha256);
        report.chunks_checked++;
        report.bytes_checked += (data as Buffer).length;
      }
    }
  }
  return report;
}
