// Verify a repository: walk each snapshot's chain to its full, recompute every chunk's
// SHA-256, and name the first problem (missing or corrupt chunk, broken link, corrupt manifest).

import { BackupError, storageError } from './errors.js';
import { chunkKey, sha256, type Manifest } from './manifest.js';
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
          message:
            `chain link broken: snapshot ${cur.id} continues from position ${cur.parent_position} ` +
            `but its parent ${parentId} is at ${parent.position}`,
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
            message:
              `chunk ${c.sha256} of snapshot ${m.id} is corrupt: its content hashes to ${actual} ` +
              `(${data.length} of ${c.bytes} bytes)`,
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
