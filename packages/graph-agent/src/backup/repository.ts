// The backup repository (manifest.ts has the format): initialisation, finished snapshots
// (manifests) and unfinished ones (progress records).

import { BackupError, storageError } from './errors.js';
import { manifestProblem, type Manifest, type Progress } from './manifest.js';
import type { BackupStorage } from './storage.js';

export class Repository {
  constructor(readonly storage: BackupStorage) {}

  /** Create repo.json on first use. A repository that cannot even be initialised is unavailable. */
  async ensure(): Promise<void> {
    let has: boolean;
    try {
      has = await this.storage.exists('repo.json');
    } catch (e) {
      throw storageError(e, this.storage, 'opening the repository');
    }
    if (has) return;
    try {
      await this.storage.putAtomic('repo.json', JSON.stringify({ format: 1, created_at: new Date().toISOString() }));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      throw new BackupError(
        503,
        'repository_unavailable',
        `no backup repository at ${this.storage.location} and it cannot be initialised: ` +
          `${code} (${(e as Error).message})`,
      );
    }
  }

  /** Every manifest, parsed; broken ones are returned separately (verify names them). */
  async manifests(): Promise<{ ok: Manifest[]; broken: { id: string; problem: string }[] }> {
    let keys: string[];
    try {
      keys = await this.storage.list('manifests/');
    } catch (e) {
      throw storageError(e, this.storage, 'listing snapshots');
    }
    const ok: Manifest[] = [];
    const broken: { id: string; problem: string }[] = [];
    for (const key of keys.filter((k) => k.endsWith('.json'))) {
      const id = key.slice('manifests/'.length, -'.json'.length);
      let raw: unknown;
      try {
        raw = JSON.parse((await this.storage.get(key)).toString('utf8'));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== undefined && (e as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw storageError(e, this.storage, `reading manifest ${id}`);
        }
        broken.push({ id, problem: `manifest unreadable: ${(e as Error).message}` });
        continue;
      }
      const p = manifestProblem(raw, id);
      if (p) broken.push({ id, problem: p });
      else ok.push(raw as Manifest);
    }
    ok.sort((a, b) => a.position - b.position || a.created_at_ms - b.created_at_ms || (a.id < b.id ? -1 : 1));
    return { ok, broken };
  }

  async progresses(): Promise<Progress[]> {
    let keys: string[];
    try {
      keys = await this.storage.list('progress/');
    } catch (e) {
      throw storageError(e, this.storage, 'listing unfinished snapshots');
    }
    const out: Progress[] = [];
    for (const key of keys.filter((k) => k.endsWith('.json'))) {
      try {
        out.push(JSON.parse((await this.storage.get(key)).toString('utf8')) as Progress);
      } catch {
        // a torn progress file: that snapshot starts over
      }
    }
    return out.sort((a, b) => (a.updated_at < b.updated_at ? 1 : -1));
  }
}
