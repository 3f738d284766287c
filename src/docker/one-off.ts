// A one-off container of a node's image on a Docker host (this machine's, or a swarm host's
// own engine), with the node's volumes and no network: an offline restore writes the node's
// data before the node starts. Labelled as a helper of the run; removed when it exits (or
// times out).

import type Docker from 'dockerode';
import { InfraError } from '../core/errors.js';
import { docker, errorLine } from './engine.js';
import { demuxText } from './log-text.js';

export interface OneOff {
  /** Container name: drill-<runId>-<node>-oneoff-<stamp>. */
  name: string;
  image: string;
  /** The node's name: its hostname, as in the node's own container. */
  hostname: string;
  labels: Record<string, string>;
}

/** Run `argv` to its end; its exit code and output. */
export async function runOneOffContainer(
  o: OneOff,
  mounts: Docker.MountSettings[],
  argv: string[],
  env: Record<string, string>,
  timeoutMs: number,
  d: Docker = docker(),
): Promise<{ exitCode: number; output: string }> {
  const node = o.hostname;
  try {
    const c = await d.createContainer({
      name: o.name,
      Image: o.image,
      Cmd: argv,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      Hostname: node,
      Labels: o.labels,
      HostConfig: { NetworkMode: 'none', Mounts: mounts },
    });
    await c.start();
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      c.wait() as Promise<{ StatusCode: number }>,
      new Promise<null>((res) => {
        timer = setTimeout(() => res(null), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    const logs = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const output = demuxText(logs).trim();
    if (waited === null)
      throw new InfraError(`${node}: ${argv[0]} did not finish within ${timeoutMs} ms${output ? `: ${output}` : ''}`);
    return { exitCode: waited.StatusCode, output };
  } catch (e) {
    if (e instanceof InfraError) throw e;
    throw new InfraError(`one-off container for ${node}: ${errorLine(e)}`);
  } finally {
    await d
      .getContainer(o.name)
      .remove({ force: true })
      .catch(() => undefined);
  }
}
