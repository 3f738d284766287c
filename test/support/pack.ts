// drill packed as a release is: `npm pack` in a clean copy of the sources (no dist, no
// tests), so the package's own prepack has to build it. Packing in the checkout itself
// would rebuild dist/ under the feet of other tests running from it.
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { execa } from 'execa';

export const root = resolve(import.meta.dirname, '../..');

const SKIP = new Set(['node_modules', 'dist', '.git', 'reports', 'test', 'fixtures', '.tmp']);

/** The environment without npm's own variables: an `npm test` parent must not steer the child npm. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^npm_/i.test(k)) env[k] = v;
  }
  return { ...env, FORCE_COLOR: '0', ...extra };
}

export interface Packed {
  tarball: string;
  files: string[];
  /** Wall-clock ms of the pack, build included. */
  ms: number;
}

/** Pack a clean copy of the checkout into `dest`; the copy borrows the checkout's node_modules (dev tools). */
export async function packDrill(dest: string): Promise<Packed> {
  const t0 = performance.now();
  const src = mkdtempSync(join(tmpdir(), 'drill-pack-src-'));
  cpSync(root, src, {
    recursive: true,
    filter: (p) => {
      const rel = relative(root, p);
      return !rel.split('/').some((part) => SKIP.has(part)) && !rel.endsWith('.tgz');
    },
  });
  symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'));
  const r = await execa('npm', ['pack', '--json', '--pack-destination', dest], {
    cwd: src,
    env: cleanEnv(),
    extendEnv: false,
  }).finally(() => rmSync(src, { recursive: true, force: true }));
  const info = JSON.parse(r.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return {
    tarball: join(dest, info[0]!.filename),
    files: info[0]!.files.map((f) => f.path).sort(),
    ms: performance.now() - t0,
  };
}
