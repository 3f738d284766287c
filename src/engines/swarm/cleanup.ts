// `drill cleanup --run <id> --engine swarm`: what a crashed swarm run left, on every host.
// The run's services (its nodes and its fault agents) and secrets go through the manager;
// once their tasks' containers are gone from each host, that host's labelled containers,
// networks and volumes go too (volumes live on the host a task ran on). Selection is by the
// run's label and every candidate is re-checked for drill.managed, as on one host. Between
// the containers and the volumes, the fault agent's cleanup mode runs once on each host
// (host-state-cleanup.ts): loop devices, disk images, offset files, backup repositories.
import type Docker from 'dockerode';
import { errorLine, isNotFound } from '../../docker/engine.js';
import { drillFilters, isDrillManaged, LABEL } from '../../docker/labels.js';
import { runNames } from '../../agent/protocol.js';
import type { SwarmConfig } from './config.js';
import { agentImageOn, cleanHostState } from './host-state-cleanup.js';
import { resolveSwarm } from './hosts.js';
import { waitNoContainers } from './tasks.js';

export interface SwarmRemoved {
  services: number;
  secrets: number;
  containers: number;
  networks: number;
  volumes: number;
  /** Host-side state the agent's cleanup mode undid, summed over the hosts. */
  loops: number;
  dirs: number;
  repositories: number;
  errors: string[];
}

type Labelled = { Labels?: Record<string, string> | null };

export async function removeSwarmRun(config: SwarmConfig, runId: string): Promise<SwarmRemoved> {
  const swarm = await resolveSwarm(config);
  const m = swarm.manager;
  const filters = drillFilters(runId);
  const ours = (l: Labelled['Labels']) => isDrillManaged(l) && l?.[LABEL.run] === runId;
  const out: SwarmRemoved = {
    ...{ services: 0, secrets: 0, containers: 0, networks: 0, volumes: 0 },
    ...{ loops: 0, dirs: 0, repositories: 0, errors: [] },
  };
  type Counted = 'services' | 'secrets' | 'containers' | 'networks' | 'volumes';
  const attempt = async (what: string, fn: () => Promise<unknown>, key: Counted) => {
    try {
      await fn();
      out[key]++;
    } catch (e) {
      if (!isNotFound(e)) out.errors.push(`remove ${what}: ${errorLine(e)}`);
    }
  };
  const services = (await m.listServices({ filters })).filter((s) => ours(s.Spec?.Labels));
  const agentImage = services.find((s) => s.Spec?.Name === runNames(runId).agentService)?.Spec?.TaskTemplate as
    { ContainerSpec?: { Image?: string } } | undefined;
  await Promise.all(
    services.map((s) => attempt(`service ${s.Spec?.Name}`, () => m.getService(s.ID).remove(), 'services')),
  );
  const secrets = (await m.listSecrets({ filters })).filter((s) => ours(s.Spec?.Labels));
  await Promise.all(secrets.map((s) => attempt(`secret ${s.Spec?.Name}`, () => m.getSecret(s.ID).remove(), 'secrets')));
  const runLabels = [`${LABEL.run}=${runId}`];
  await Promise.all(
    swarm.hosts.map(async (h) => {
      const d: Docker = h.docker;
      // The removed services' tasks stop on their own; what is left after that is forced.
      await waitNoContainers(d, runLabels, 20_000).catch(() => undefined);
      for (const c of (await d.listContainers({ all: true, filters })).filter((x) => ours(x.Labels)))
        await attempt(
          `${h.hostname}: container ${c.Names[0]}`,
          () => d.getContainer(c.Id).remove({ force: true }),
          'containers',
        );
      const image = await agentImageOn(d, agentImage?.ContainerSpec?.Image).catch(() => undefined);
      if (image === undefined) out.errors.push(`${h.hostname}: no fault agent image to undo host-side state with`);
      else {
        const st = await cleanHostState(d, h.hostname, runId, image, config.sharedDir);
        out.loops += st.loops;
        out.dirs += st.dirs;
        out.repositories += st.repositories;
        out.errors.push(...st.errors);
      }
      for (const v of ((await d.listVolumes({ filters })).Volumes ?? []).filter((x) => ours(x.Labels)))
        await attempt(`${h.hostname}: volume ${v.Name}`, () => d.getVolume(v.Name).remove(), 'volumes');
    }),
  );
  // The run's overlay network is the swarm's: removed once, through the manager.
  for (const n of (await m.listNetworks({ filters })).filter((x) => ours(x.Labels)))
    await attempt(`network ${n.Name}`, () => m.getNetwork(n.Id).remove(), 'networks');
  return out;
}
