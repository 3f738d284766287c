// The image of a custom target: one already in the local engine (`image:`, never pulled),
// or built from a build context (`build:`, a directory with a Dockerfile, relative to the
// scenario file) through the engine API with pull disabled, tagged by a hash of the
// context so an unchanged context is built once. The context is sent as docker build sends
// it: empty directories kept, .dockerignore honoured (src/docker/build-context.ts).

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InfraError, UsageError } from '../../core/errors.js';
import { assertDockerAvailable } from '../../docker/engine.js';
import { buildImage, imageExists } from '../../docker/build.js';
import { readBuildContext } from '../../docker/build-context.js';
import type { ImageBuildListener } from '../target.js';

export interface ImageRequest {
  name: string;
  image?: string | undefined;
  build?: string | undefined;
  dockerfile?: string | undefined;
  /** The scenario file: `build` is relative to its directory. */
  scenarioFile?: string | undefined;
}

export function buildContextDir(req: ImageRequest): string {
  const base = req.scenarioFile !== undefined ? path.dirname(path.resolve(req.scenarioFile)) : process.cwd();
  return path.resolve(base, req.build ?? '.');
}

/** The image tag to run, building it first when needed. */
export async function ensureCustomImage(
  req: ImageRequest,
  onLog?: (line: string) => void,
  onBuild?: ImageBuildListener,
): Promise<{ tag: string; built: boolean }> {
  await assertDockerAvailable();
  if (req.image !== undefined) {
    if (!(await imageExists(req.image))) {
      throw new InfraError(
        `image ${req.image} is not in the local Docker engine (drill never pulls)`,
        'build or load it first (docker build / docker load), or give cluster.custom.build a build context',
      );
    }
    return { tag: req.image, built: false };
  }
  const dir = buildContextDir(req);
  const dockerfile = req.dockerfile ?? 'Dockerfile';
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    await stat(path.join(dir, dockerfile));
  } catch {
    throw new UsageError(`cluster.custom.build: no ${dockerfile} in build context ${dir}`);
  }
  // The Dockerfile is always sent, even if .dockerignore names it (as docker build does).
  const ctx = await readBuildContext(dir, (rel) => rel === dockerfile);
  const tag = `drill-custom-${req.name}:${(await ctx.digest(`context v2 ${dockerfile}`)).slice(0, 16)}`;
  if (await imageExists(tag)) return { tag, built: false };

  const t0 = performance.now();
  onBuild?.({ phase: 'start', tag });
  await buildImage({
    dir,
    files: [],
    tar: () => ctx.tar(),
    tag,
    dockerfile,
    kind: req.name,
    what: `build image from ${dir}`,
    hint: 'is the build context complete? (e.g. run its prepare script)',
    ...(onLog ? { onLog } : {}),
  });
  onBuild?.({ phase: 'done', tag, ms: performance.now() - t0 });
  return { tag, built: true };
}
