// Images reach every swarm host without a registry (none exists here, and air-gapped sites
// have none): `docker save` from the engine the image was built on, `docker load` into each
// host that lacks it, once per image and run.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { InfraError } from '../../core/errors.js';
import { docker, errorLine, isNotFound } from '../../docker/engine.js';
import type { SwarmHost } from './hosts.js';

async function has(d: Docker, tag: string): Promise<boolean> {
  try {
    await d.getImage(tag).inspect();
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

async function load(d: Docker, file: string): Promise<void> {
  const stream = await d.loadImage(createReadStream(file), { quiet: true });
  await new Promise<void>((resolve, reject) => {
    d.modem.followProgress(stream, (err: Error | null, out: Array<Record<string, unknown>>) => {
      const bad = out?.find((ev) => ev['error'] !== undefined);
      if (err || bad) reject(err ?? new Error(String(bad?.['error'])));
      else resolve();
    });
  });
}

/** Load `tag` (on the harness's engine) into every host that lacks it. Returns the hosts it was loaded into. */
export async function distributeImage(tag: string, hosts: readonly SwarmHost[]): Promise<string[]> {
  const missing: SwarmHost[] = [];
  for (const h of hosts) if (!(await has(h.docker, tag).catch(() => false))) missing.push(h);
  if (missing.length === 0) return [];
  const dir = await mkdtemp(path.join(tmpdir(), 'drill-image-'));
  const file = path.join(dir, 'image.tar');
  try {
    await pipeline((await docker().getImage(tag).get()) as NodeJS.ReadableStream, createWriteStream(file));
    await Promise.all(
      missing.map((h) =>
        load(h.docker, file).catch((e: unknown) => {
          throw new InfraError(`swarm: load image ${tag} into ${h.hostname}: ${errorLine(e)}`);
        }),
      ),
    );
  } catch (e) {
    if (e instanceof InfraError) throw e;
    throw new InfraError(`swarm: save image ${tag}: ${errorLine(e)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return missing.map((h) => h.hostname);
}
