// backup-storage: a fault on the backup repository itself (docs/backup-restore.md), applied on
// the Docker host to the repository volume's mountpoint (the harness runs as root there):
//
//   read-only    every directory and file of the repository made immutable (chattr +i): the
//                agent (root in its container, but without CAP_LINUX_IMMUTABLE) gets EPERM on any
//                write. Confirmed by a write from the host failing. Heal: chattr -i.
//   unavailable  the repository's content moved aside and the empty directory made immutable:
//                no repository, and none can be created. Heal: put it back.
//   corrupt      one byte flipped in a stored chunk of the newest snapshot (one that no other
//                snapshot shares, when there is one). Not healed: corruption stays, which is
//                the point (a restore must refuse it, naming the chunk).

import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { defineFault, FaultNotInEffectError, faultParams } from './fault.js';
import { missingTool, type HostCaps } from './host-caps.js';

const run = promisify(execFile);

async function chattr(flag: '+i' | '-i', path: string): Promise<void> {
  await run('chattr', ['-R', flag, path]);
}

function writable(path: string): string | null {
  const probe = join(path, `.drill-probe-${process.pid}`);
  try {
    writeFileSync(probe, 'x');
    unlinkSync(probe);
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? 'error';
  }
}

interface ManifestLite {
  id: string;
  position: number;
  created_at_ms: number;
  chunks: { sha256: string }[];
}

/** What backup-storage corrupt flipped: a byte of a chunk of a snapshot, in the repository at `path`. */
export interface CorruptedChunk {
  snapshot: string;
  chunk: string;
  offset: number;
  path: string;
}

/** Flip one byte in a chunk of the newest snapshot; returns what was flipped. */
export function corruptNewestChunk(root: string): CorruptedChunk {
  const dir = join(root, 'manifests');
  const ms: ManifestLite[] = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ManifestLite)
    : [];
  if (ms.length === 0)
    throw new FaultNotInEffectError('backup-storage corrupt: the repository has no snapshot to corrupt');
  ms.sort((a, b) => a.position - b.position || a.created_at_ms - b.created_at_ms);
  const newest = ms[ms.length - 1]!;
  const others = new Set(ms.slice(0, -1).flatMap((m) => m.chunks.map((c) => c.sha256)));
  const own = newest.chunks.filter((c) => !others.has(c.sha256));
  const victim = (own.length > 0 ? own : newest.chunks)[(own.length > 0 ? own : newest.chunks).length - 1];
  if (!victim) throw new FaultNotInEffectError(`backup-storage corrupt: snapshot ${newest.id} has no chunk`);
  const path = join(root, 'chunks', victim.sha256.slice(0, 2), victim.sha256);
  const buf = readFileSync(path);
  const offset = Math.floor(buf.length / 2);
  buf[offset] = (buf[offset] as number) ^ 0x01;
  writeFileSync(path, buf);
  return { snapshot: newest.id, chunk: victim.sha256, offset, path: root };
}

export const BACKUP_STORAGE_MODES = ['unavailable', 'read-only', 'corrupt'] as const;

export interface BackupStorageParams {
  /** What happens to the repository. */
  mode?: (typeof BACKUP_STORAGE_MODES)[number] | undefined;
}

function mechanism(caps: HostCaps) {
  const missing = missingTool(caps, ['chattr']);
  return missing !== null
    ? { mechanism: 'none', available: false, why: `backup-storage: ${missing}` }
    : {
        mechanism:
          'on the repository volume from the host: chattr +i (read-only, unavailable), a flipped byte (corrupt)',
        available: true,
      };
}

export const backupStorage = defineFault({
  name: 'backup-storage',
  summary: 'the backup repository unavailable, read-only or corrupt (mode)',
  disruptive: false,
  lasting: true,
  selects: 'repository',
  needs: ['backups'],
  params: faultParams(
    {
      mode: z
        .enum(BACKUP_STORAGE_MODES)
        .describe(
          'the repository is unavailable, read-only, or one byte of a stored chunk of the newest snapshot is ' +
            'flipped (corrupt, never healed). No target/node: it acts on the repository.',
        ),
    },
    { required: 'mode', toSpec: (p): BackupStorageParams => p },
  ),
  mechanism,
  async apply(spec, _nodes, ctx) {
    const ctl = ctx.backups;
    const mode = spec.mode ?? 'read-only';
    if (mode === 'corrupt') {
      const c = await ctl.corruptRepository();
      return {
        confirmedT: ctx.clock.now(),
        mechanism: `flipped byte ${c.offset} of chunk ${c.chunk} (snapshot ${c.snapshot}) in ${c.path}; not healed`,
        detail: { mode, ...c },
        heal: async () => {},
      };
    }
    const root = await ctl.repositoryHostPath();
    if (mode === 'read-only') {
      await chattr('+i', root);
      const err = writable(root);
      if (err === null) {
        await chattr('-i', root).catch(() => undefined);
        throw new FaultNotInEffectError(`backup-storage read-only: ${root} is still writable after chattr +i`);
      }
      return {
        confirmedT: ctx.clock.now(),
        mechanism: `chattr -R +i ${root} (immutable); a write there fails with ${err}`,
        detail: { mode, path: root, write_error: err },
        heal: () => chattr('-i', root),
      };
    }
    // unavailable
    const stash = join(dirname(root), `drill-stash-${spec.name}`);
    mkdirSync(stash, { recursive: true });
    for (const f of readdirSync(root)) renameSync(join(root, f), join(stash, f));
    await chattr('+i', root);
    const err = writable(root);
    let healed = false;
    const heal = async (): Promise<void> => {
      if (healed) return;
      await chattr('-i', root);
      for (const f of readdirSync(stash)) renameSync(join(stash, f), join(root, f));
      rmdirSync(stash);
      healed = true;
    };
    if (err === null) {
      await heal();
      throw new FaultNotInEffectError(`backup-storage unavailable: ${root} is still writable`);
    }
    return {
      confirmedT: ctx.clock.now(),
      mechanism: `repository content moved to ${stash}, ${root} emptied and made immutable (writes fail with ${err})`,
      detail: { mode, path: root, stash },
      heal,
    };
  },
});
