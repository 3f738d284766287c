// The docker engine: every node a container on this machine's Docker host (what drill has
// always done). A per-run bridge network in a private /24 that no other network and no host
// route uses, a fixed address per node (src/docker/subnet.ts: peers need no DNS), ports
// published on 127.0.0.1 only, volumes created with the node (an ext4 device for bounded
// ones). The host-side operations are this process's own (LocalHostOps).
import { corruptNewestChunk, type CorruptedChunk } from '../../faults/backup-storage.js';
import type Docker from 'dockerode';
import type { Clock } from '../../core/clock.js';
import { InfraError } from '../../core/errors.js';
import { assertDockerAvailable, docker, dockerStatus, errorLine, isNotFound } from '../../docker/engine.js';
import { addressIn, candidateSubnets, hostRoutes, overlapsRoute } from '../../docker/subnet.js';
import { deviceVolumeOpts } from '../../faults/bounded-disk.js';
import type { HostOps } from '../../faults/host-ops.js';
import { faketimeDir } from '../../faults/host-state.js';
import { LocalHostOps } from '../../faults/local-host-ops.js';
import type { Engine, MountSpec, NetworkRequest, NodeSpec, RunNetwork } from '../engine.js';
import { DockerNode } from './docker-node.js';

export class DockerEngine implements Engine {
  readonly kind = 'docker' as const;
  private readonly ops: LocalHostOps;

  constructor(clock: Clock) {
    this.ops = new LocalHostOps(clock);
  }

  check(): Promise<void> {
    return assertDockerAvailable();
  }

  async distributeImage(): Promise<void> {
    // Built by this engine: already where the nodes run.
  }

  async hosts(): Promise<string[]> {
    return ['local'];
  }

  hostOps(): HostOps {
    return this.ops;
  }

  /** The run network in a free private /24; node i gets .(11 + i). */
  async createNetwork(req: NetworkRequest): Promise<RunNetwork> {
    const d = docker();
    const routes = hostRoutes();
    for (const candidate of candidateSubnets(req.name)) {
      if (overlapsRoute(candidate, routes)) continue;
      try {
        await d.createNetwork({
          Name: req.name,
          Driver: 'bridge',
          CheckDuplicate: true,
          IPAM: { Driver: 'default', Config: [{ Subnet: candidate, Gateway: addressIn(candidate, 1) }] },
          Labels: req.labels,
        });
      } catch (e) {
        if (/overlap/i.test(errorLine(e))) continue;
        // Nothing of ours exists yet; a conflict means another cluster with this name is live.
        throw new InfraError(
          `create network ${req.name}: ${errorLine(e)}`,
          dockerStatus(e) === 409 ? 'run id in use; remove its leftovers with `drill cleanup --run <id>`' : undefined,
        );
      }
      const nodes = [...req.nodes];
      return {
        name: req.name,
        gateway: addressIn(candidate, 1),
        peerAddress: (node) => {
          const i = nodes.indexOf(node);
          if (i < 0) throw new InfraError(`network ${req.name}: no address for ${node}`);
          return addressIn(candidate, 11 + i);
        },
      };
    }
    throw new InfraError(`no free /24 in 10.213.0.0/16 for network ${req.name}`, 'remove old networks: drill cleanup');
  }

  private mounts(spec: NodeSpec): Docker.MountSettings[] {
    return spec.mounts.map((m: MountSpec) =>
      m.kind === 'bind'
        ? { Type: 'bind', Source: m.source, Target: m.target, ...(m.readOnly ? { ReadOnly: true } : {}) }
        : { Type: 'volume', Source: m.name, Target: m.target, ...(m.readOnly ? { ReadOnly: true } : {}) },
    );
  }

  async startNode(spec: NodeSpec, net: RunNetwork): Promise<DockerNode> {
    const d = docker();
    for (const m of spec.mounts) {
      if (m.kind !== 'volume' || m.shared) continue;
      // An existing volume is kept (a shared repository, a node started again on its data).
      await d
        .createVolume({ Name: m.name, Labels: spec.labels, ...(m.device ? deviceVolumeOpts(m.device) : {}) })
        .catch((e: unknown) => {
          throw new InfraError(`create volume ${m.name}: ${errorLine(e)}`);
        });
    }
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of spec.ports) {
      exposed[`${p}/tcp`] = {};
      bindings[`${p}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: '' }];
    }
    let c: Docker.Container;
    try {
      c = await d.createContainer({
        name: spec.resourceName,
        Hostname: spec.name,
        Image: spec.image,
        ...(spec.command !== undefined ? { Cmd: spec.command } : {}),
        ...(spec.entrypoint !== undefined ? { Entrypoint: spec.entrypoint } : {}),
        ...(spec.user !== undefined ? { User: spec.user } : {}),
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: spec.labels,
        ExposedPorts: exposed,
        HostConfig: {
          NetworkMode: net.name,
          PortBindings: bindings,
          Mounts: this.mounts(spec),
          Init: false,
          ...(spec.tmpfs !== undefined && spec.tmpfs.length > 0
            ? { Tmpfs: Object.fromEntries(spec.tmpfs.map((t) => [t, ''])) }
            : {}),
          ...(spec.ulimits !== undefined && Object.keys(spec.ulimits).length > 0
            ? { Ulimits: Object.entries(spec.ulimits).map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard })) }
            : {}),
        },
        NetworkingConfig: {
          EndpointsConfig: {
            [net.name]: {
              Aliases: [spec.name, ...(spec.aliases ?? [])],
              IPAMConfig: { IPv4Address: net.peerAddress(spec.name) },
            },
          },
        },
      });
    } catch (e) {
      throw new InfraError(
        `create container ${spec.resourceName} from image ${spec.image}: ${errorLine(e)}`,
        isNotFound(e) ? 'the image is not in the local engine (nothing is pulled)' : undefined,
      );
    }
    const node = new DockerNode(spec.name, spec.resourceName, c.id, net.name, spec.ports, this.ops);
    try {
      await node.start();
    } catch (e) {
      await node.remove().catch(() => undefined);
      throw e;
    }
    return node;
  }

  async removeNetwork(name: string): Promise<void> {
    try {
      await docker().getNetwork(name).remove();
    } catch (e) {
      if (!isNotFound(e)) throw new InfraError(`remove network ${name}: ${errorLine(e)}`);
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await docker().getVolume(name).remove();
    } catch (e) {
      if (!isNotFound(e)) throw new InfraError(`remove volume ${name}: ${errorLine(e)}`);
    }
  }

  faketimeMount(runId: string, target: string): MountSpec {
    return { kind: 'bind', source: faketimeDir(runId), target, readOnly: true };
  }

  async repository(name: string, target: string, labels: Record<string, string>): Promise<MountSpec> {
    await docker()
      .createVolume({ Name: name, Labels: labels })
      .catch((e: unknown) => {
        throw new InfraError(`create volume ${name}: ${errorLine(e)}`);
      });
    return { kind: 'volume', name, target, shared: true };
  }

  removeRepository(name: string): Promise<void> {
    return this.removeVolume(name);
  }

  async repositoryPath(name: string): Promise<string> {
    const v = await docker().getVolume(name).inspect();
    if (!v.Mountpoint) throw new InfraError(`backup volume ${name} has no host mountpoint`);
    return v.Mountpoint;
  }

  async corruptRepository(name: string): Promise<CorruptedChunk> {
    return corruptNewestChunk(await this.repositoryPath(name));
  }

  hostClock(): null {
    return null;
  }

  settings(): Record<string, unknown> {
    return { engine: 'docker' };
  }

  async close(): Promise<string[]> {
    return [];
  }
}
