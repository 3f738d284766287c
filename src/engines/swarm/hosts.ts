// The swarm as drill sees it: a manager to drive services through, and every ready host
// with its own Docker API (matched to its swarm node by the node id its engine reports)
// and the address the harness reaches its published ports at (the node's swarm address).
import type Docker from 'dockerode';
import { InfraError } from '../../core/errors.js';
import { errorLine } from '../../docker/engine.js';
import { dockerAt, type SwarmConfig } from './config.js';

export interface SwarmHost {
  hostname: string;
  nodeId: string;
  /** Where the harness reaches ports published on this host. */
  address: string;
  url: string;
  docker: Docker;
}

export interface Swarm {
  manager: Docker;
  managerUrl: string;
  /** Ready, active hosts, by hostname. */
  hosts: SwarmHost[];
}

const HINT = 'docs/swarm.md: DRILL_SWARM_MANAGER, DRILL_SWARM_HOSTS (the Docker API of every host)';

async function info(d: Docker, url: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return (await Promise.race([
      d.info(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ])) as Record<string, unknown>;
  } catch (e) {
    throw new InfraError(`swarm: the Docker API at ${url} does not answer (${errorLine(e)})`, HINT);
  } finally {
    clearTimeout(timer);
  }
}

interface NodeInfo {
  ID: string;
  Description?: { Hostname?: string };
  Spec?: { Availability?: string };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Addr?: string };
}

export async function resolveSwarm(config: SwarmConfig): Promise<Swarm> {
  const manager = dockerAt(config.manager);
  const mi = (await info(manager, config.manager))['Swarm'] as
    { LocalNodeState?: string; ControlAvailable?: boolean } | undefined;
  if (mi?.LocalNodeState !== 'active' || mi.ControlAvailable !== true)
    throw new InfraError(`swarm: the engine at ${config.manager} is not a swarm manager`, HINT);
  const nodes = (await manager.listNodes()) as NodeInfo[];
  const ready = nodes.filter((n) => n.Status?.State === 'ready' && n.Spec?.Availability === 'active');
  const byId = new Map<string, SwarmHost>();
  await Promise.all(
    config.hosts.map(async (url) => {
      const d = dockerAt(url);
      const s = (await info(d, url))['Swarm'] as { NodeID?: string } | undefined;
      const node = ready.find((n) => n.ID === s?.NodeID);
      if (!node) throw new InfraError(`swarm: the engine at ${url} is not a ready node of this swarm`, HINT);
      // A manager may report 0.0.0.0 as its node address: its manager address has the real one.
      let address = node.Status?.Addr ?? '';
      if (address === '' || address === '0.0.0.0') address = (node.ManagerStatus?.Addr ?? '').replace(/:\d+$/, '');
      byId.set(node.ID, { hostname: node.Description?.Hostname ?? node.ID, nodeId: node.ID, address, url, docker: d });
    }),
  );
  const missing = ready.filter((n) => !byId.has(n.ID)).map((n) => n.Description?.Hostname ?? n.ID);
  if (missing.length > 0)
    throw new InfraError(
      `swarm: no Docker API given for host(s) ${missing.join(', ')}: drill loads its images into every host`,
      HINT,
    );
  const hosts = [...byId.values()].sort((a, b) => a.hostname.localeCompare(b.hostname));
  return { manager, managerUrl: config.manager, hosts };
}
