// A build context sent as `docker build` sends it: every file, directory (empty ones too:
// an image's /tmp or /data must exist) and symlink under the context directory, with their
// modes, minus what .dockerignore excludes (Docker's own rules, @balena/dockerignore, the
// implementation dockerode uses). dockerode's own packing lists files only, which dropped
// empty directories, so the stream is built here with tar-fs and handed to the engine.

import { createHash } from 'node:crypto';
import { readFile, readdir, lstat, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import type dockerignoreType from '@balena/dockerignore';
import tar from 'tar-fs';

export interface ContextEntry {
  /** Path relative to the context, '/'-separated. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
}

export interface BuildContext {
  dir: string;
  entries: ContextEntry[];
  /** sha256 over every entry's path, type, mode and content (files) or target (symlinks). */
  digest(extra?: string): Promise<string>;
  /** The context as a tar stream for the engine. */
  tar(): Readable;
}

// The package is CommonJS (module.exports = factory) with an ES-style default in its types.
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as typeof dockerignoreType.default;

async function ignoreFilter(dir: string): Promise<(rel: string) => boolean> {
  let text: string;
  try {
    text = await readFile(path.join(dir, '.dockerignore'), 'utf8');
  } catch {
    return () => false;
  }
  const ig = dockerignore({ ignorecase: false }).add(text);
  return (rel) => ig.ignores(rel);
}

export async function readBuildContext(
  dir: string,
  keep: (rel: string) => boolean = () => false,
): Promise<BuildContext> {
  const ignored = await ignoreFilter(dir);
  const isIgnored = (rel: string) => !keep(rel) && ignored(rel);
  const entries: ContextEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(path.join(dir, rel))).sort();
    for (const name of names) {
      const r = rel === '' ? name : `${rel}/${name}`;
      if (isIgnored(r)) continue;
      const st = await lstat(path.join(dir, r));
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        entries.push({ path: r, type: 'dir', mode });
        await walk(r);
      } else if (st.isSymbolicLink()) entries.push({ path: r, type: 'symlink', mode });
      else if (st.isFile()) entries.push({ path: r, type: 'file', mode });
    }
  };
  await walk('');
  return {
    dir,
    entries,
    async digest(extra = '') {
      const h = createHash('sha256');
      // v2: modes no longer masked by the umask; images built from a v1 context are built again.
      h.update(`context v2\n${extra}\n`);
      for (const e of entries) {
        h.update(`\0${e.type} ${e.mode.toString(8)} ${e.path}\0`);
        if (e.type === 'file') h.update(await readFile(path.join(dir, e.path)));
        else if (e.type === 'symlink') h.update(await readlink(path.join(dir, e.path)));
      }
      return h.digest('hex');
    },
    tar() {
      // Modes as they are on disk, like `docker build`: tar-fs would mask them with this process's umask and turn
      // a world-writable /tmp (1777) into 1755. (tar-fs reads `umask` when packing; its types list it for extract.)
      const opts: tar.PackOptions & { umask: number } = {
        umask: 0,
        ignore: (abs: string) => isIgnored(path.relative(dir, abs).split(path.sep).join('/')),
      };
      return tar.pack(dir, opts) as unknown as Readable;
    },
  };
}
