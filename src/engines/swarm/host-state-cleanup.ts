// The host-side state a crashed swarm run left on one host: loop devices behind its bounded
// disks (disk-full), its disk images and libfaketime offset files, and its backup
// repositories in the shared directory. Docker cannot remove these; the fault agent's
// `cleanup` mode can (src/agent/main.ts). So `drill cleanup --engine swarm` runs that mode
// once per host, in a container started through the host's own engine from the agent image
// already loaded there, after the run's containers are gone (a loop device in use by a
// mounted volume cannot be detached) and before its volumes go (the helper reads the disks
// volume; mounting a volume that is gone would create it again).
import type Docker from 'dockerode';
import { errorLine } from '../../docker/engine.js';
import { drillLabels, isDrillManaged } from '../../docker/labels.js';
import { demuxText } from '../../agent/loop-helper.js';
import { runNames } from '../../agent/protocol.js';

export interface HostStateCleaned {
  loops: number;
  dirs: number;
  repositories: number;
  errors: string[];
}

/** The agent image to run on a host: the run's own (from its service), else the newest fault-agent image there. */
export async function agentImageOn(d: Docker, runImage: string | undefined): Promise<string | undefined> {
  const images = (await d.listImages({ filters: { label: ['drill.kind=fault-agent'] } })).filter((i) =>
    isDrillManaged(i.Labels),
  );
  const bare = runImage?.replace(/@sha256:[0-9a-f]+$/, '');
  const own = images.find((i) => bare !== undefined && (i.RepoTags ?? []).includes(bare));
  if (own) return bare;
  const newest = images.sort((a, b) => b.Created - a.Created)[0];
  return newest?.RepoTags?.find((t) => t !== '<none>:<none>') ?? newest?.Id;
}

async function volumeExists(d: Docker, name: string): Promise<boolean> {
  return d
    .getVolume(name)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

export async function cleanHostState(
  d: Docker,
  host: string,
  runId: string,
  image: string,
  sharedDir: string | undefined,
): Promise<HostStateCleaned> {
  const names = runNames(runId);
  const mounts: Docker.MountSettings[] = [
    { Type: 'bind', Source: '/var/run/docker.sock', Target: '/var/run/docker.sock' },
  ];
  for (const [volume, target] of [
    [names.faketimeVolume, '/faketime'],
    [names.disksVolume, '/disks'],
  ] as const) {
    if (await volumeExists(d, volume)) mounts.push({ Type: 'volume', Source: volume, Target: target });
  }
  if (sharedDir !== undefined) mounts.push({ Type: 'bind', Source: sharedDir, Target: '/shared' });
  const c = await d.createContainer({
    Image: image,
    Cmd: ['cleanup'],
    Env: [
      `DRILL_RUN=${runId}`,
      `DRILL_AGENT_HOST=${host}`,
      `DRILL_AGENT_IMAGE=${image}`,
      ...(sharedDir !== undefined ? ['DRILL_AGENT_SHARED=/shared'] : []),
    ],
    Labels: drillLabels({ runId, role: 'helper', kind: 'fault-agent-cleanup' }),
    HostConfig: { NetworkMode: 'none', Mounts: mounts },
  });
  try {
    await c.start();
    const { StatusCode } = (await c.wait()) as { StatusCode: number };
    const out = demuxText((await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer).trim();
    if (StatusCode !== 0) return { loops: 0, dirs: 0, repositories: 0, errors: [`${host}: agent cleanup: ${out}`] };
    const last = JSON.parse(out.split('\n').at(-1) ?? '{}') as Partial<HostStateCleaned>;
    return {
      loops: last.loops ?? 0,
      dirs: last.dirs ?? 0,
      repositories: last.repositories ?? 0,
      errors: last.errors ?? [], // each already names its host
    };
  } catch (e) {
    return { loops: 0, dirs: 0, repositories: 0, errors: [`${host}: agent cleanup: ${errorLine(e)}`] };
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}
