// Backup repository storage, behind an interface so that an S3-compatible object store can
// be a second backend (keys map 1:1 to object keys; putAtomic maps to a single PUT, which is
// atomic in S3). The filesystem backend writes every object to a temp name, fsyncs it,
// renames it into place and fsyncs the directory: a crash leaves either the whole object or
// nothing (plus a stray temp file that is ignored).

import { randomBytes } from 'node:crypto';
import { open, readdir, rename, mkdir, unlink, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface BackupStorage {
  /** Human-readable location, for messages (e.g. "/backup", "s3://bucket/prefix"). */
  readonly location: string;
  /**
   * Write `data` under `key` atomically and durably (all or nothing). `syncDir: false`: the
   * object's bytes are durable when this resolves, but its name may only be once syncPending
   * has resolved (a crash in between leaves the object or nothing, never a torn one).
   */
  putAtomic(key: string, data: Buffer | string, opts?: { syncDir?: boolean }): Promise<void>;
  /** Make the names of every object put with syncDir false durable (backends without the notion omit it). */
  syncPending?(): Promise<void>;
  /** The object's bytes; throws ENOENT when it does not exist. */
  get(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  /** Keys directly under a prefix ending in '/', e.g. list('manifests/'). Empty when none. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}

/** Errors whose code says the repository cannot be written. */
export const UNWRITABLE_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT']);

export class FsStorage implements BackupStorage {
  readonly location: string;
  private readonly dirsMade = new Set<string>();
  /** Directories holding renames not yet made durable (puts with syncDir false). */
  private readonly dirsPending = new Set<string>();

  constructor(private readonly root: string) {
    this.location = root;
  }

  private path(key: string): string {
    if (key.includes('..') || key.startsWith('/')) throw new Error(`bad storage key ${JSON.stringify(key)}`);
    return join(this.root, key);
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.dirsMade.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.dirsMade.add(dir);
  }

  async putAtomic(key: string, data: Buffer | string, opts: { syncDir?: boolean } = {}): Promise<void> {
    const final = this.path(key);
    const dir = dirname(final);
    await this.ensureDir(dir);
    const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } catch (e) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    await fh.close();
    try {
      await rename(tmp, final);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    if (opts.syncDir === false) this.dirsPending.add(dir);
    else await syncDir(dir);
  }

  async syncPending(): Promise<void> {
    const dirs = [...this.dirsPending];
    this.dirsPending.clear();
    try {
      await Promise.all(dirs.map(syncDir));
    } catch (e) {
      for (const d of dirs) this.dirsPending.add(d);
      throw e;
    }
  }

  /** One read of the whole object into a buffer of its size (readFile reads 512 KiB at a time). */
  async get(key: string): Promise<Buffer> {
    const fh = await open(this.path(key), 'r');
    try {
      const { size } = await fh.stat();
      const buf = Buffer.allocUnsafeSlow(size);
      let off = 0;
      while (off < size) {
        const { bytesRead } = await fh.read(buf, off, size - off, off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      // Objects are never rewritten in place; one that grew meanwhile is read to its old size.
      return off === size ? buf : buf.subarray(0, off);
    } finally {
      await fh.close();
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.path(key));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const names = await readdir(this.path(prefix.replace(/\/$/, '')) || this.root);
      return names.filter((n) => !n.startsWith('.tmp-')).map((n) => prefix + n);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.path(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
