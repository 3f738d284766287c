// The swarm engine (docs/swarm.md): each node a service with one task pinned to a host
// (`node.hostname==<host>`), on an attachable overlay network made for the run. Kernels
// without IPVS (these machines') give a service no working virtual IP, so every service uses
// endpoint_mode dnsrr and peers address each other by name (the task's address, which
// changes when a task is replaced). Ports are published in host mode on the task's own
// host, and the harness reaches them at that host's swarm address. Volumes are created on
// the task's host by the swarm, with the run's labels. Images go to every host with docker
// save | docker load (images.ts); a fault agent runs on every host (agents.ts).
//
// Names nobody on the run network has are not looked up anywhere: every task resolves with
// 127.0.0.1 as its only outside name server, so no query leaves the machine and a dead
// peer's name fails at once instead of stalling in a forwarded lookup.
import type { CorruptedChunk } from '../../faults/backup-storage.js';
import type Docker from 'dockerode';
import type { Clock } from '../../core/clock.js';
import { InfraError } from '../../core/errors.js';
import { errorLine, isNotFound } from '../../docker/engine.js';
import { ensureAgentImage } from '../../agent/image.js';
import { runOneOffContainer } from '../../docker/one-off.js';
import { runNames } from '../../agent/protocol.js';
import type { HostOps } from '../../faults/host-ops.js';
import type { Engine, MountSpec, NetworkRequest, NodeSpec, RunNetwork } from '../engine.js';
import { AgentFleet } from './agents.js';
import type { SwarmConfig } from './config.js';
import { resolveSwarm, type Swarm, type SwarmHost } from './hosts.js';
import { distributeImage } from './images.js';
import { SwarmNode } from './swarm-node.js';

/** How long a service's old task gets to stop (its removal waits for it). */
const STOP_GRACE_NS = 2_000_000_000;

async function retryBusy(what: string, fn: () => Promise<unknown>, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      await fn();
      return;
    } catch (e) {
      if (isNotFound(e)) return;
      // A network or volume is "in use" until the engine has released a removed task's endpoint.
      if (
        performance.now() > deadline ||
        !/in use|active endpoints|409/i.test(errorLine(e) + String((e as { statusCode?: number }).statusCode))
      )
        throw new InfraError(`${what}: ${errorLine(e)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export class SwarmEngine implements Engine {
  readonly kind = 'swarm' as const;
  private swarm: Swarm | undefined;
  private agents: AgentFleet | undefined;
  private ready: Promise<void> | undefined;
  private readonly distributed = new Map<string, string[]>();

  constructor(
    private readonly config: SwarmConfig,
    private readonly runId: string,
    private readonly clock: Clock,
    private readonly logDir?: string | undefined,
  ) {}

  /** Reach the manager and every host, load the agent image, deploy the agents (once). */
  check(): Promise<void> {
    this.ready ??= (async () => {
      this.swarm = await resolveSwarm(this.config);
      const image = await ensureAgentImage();
      await this.distributeImage(image);
      this.agents = new AgentFleet(this.swarm, this.runId, this.clock, this.config.sharedDir, this.logDir);
      await this.agents.deploy(image);
    })();
    return this.ready;
  }

  private s(): Swarm {
    if (!this.swarm) throw new InfraError('swarm engine: not connected (check() first)');
    return this.swarm;
  }

  async distributeImage(tag: string): Promise<void> {
    if (this.distributed.has(tag)) return;
    this.distributed.set(tag, await distributeImage(tag, this.s().hosts));
  }

  async hosts(): Promise<string[]> {
    return this.s().hosts.map((h) => h.hostname);
  }

  hostOps(host: string): HostOps {
    if (!this.agents || this.agents.clients.size === 0)
      throw new InfraError('swarm engine: the fault agents are not deployed');
    return this.agents.client(host);
  }

  async createNetwork(req: NetworkRequest): Promise<RunNetwork> {
    try {
      await this.s().manager.createNetwork({
        Name: req.name,
        Driver: 'overlay',
        Attachable: true,
        CheckDuplicate: true,
        Labels: req.labels,
      });
    } catch (e) {
      throw new InfraError(
        `create network ${req.name}: ${errorLine(e)}`,
        (e as { statusCode?: number }).statusCode === 409
          ? 'run id in use: drill cleanup --run <id> --engine swarm'
          : undefined,
      );
    }
    return { name: req.name, peerAddress: (node) => node };
  }

  private mounts(spec: NodeSpec): Docker.MountSettings[] {
    const tmpfs = (spec.tmpfs ?? []).map((t) => ({ Type: 'tmpfs', Target: t }));
    const rest = spec.mounts.map((m: MountSpec) => {
      if (m.kind === 'bind') return { Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly ?? false };
      const driver = m.device ? { DriverConfig: { Name: 'local', Options: { type: 'ext4', device: m.device } } } : {};
      return {
        Type: 'volume',
        Source: m.name,
        Target: m.target,
        ReadOnly: m.readOnly ?? false,
        VolumeOptions: { Labels: spec.labels, ...driver },
      };
    });
    return [...rest, ...tmpfs] as unknown as Docker.MountSettings[];
  }

  private host(spec: NodeSpec): SwarmHost {
    const sw = this.s();
    const where = sw.hosts.find((h) => h.hostname === (spec.host ?? sw.hosts[0]?.hostname));
    if (!where)
      throw new InfraError(
        `node ${spec.name}: no host ${spec.host} in the swarm (hosts: ${sw.hosts.map((h) => h.hostname).join(', ')})`,
      );
    return where;
  }

  async startNode(spec: NodeSpec, net: RunNetwork): Promise<SwarmNode> {
    const sw = this.s();
    const where = this.host(spec);
    const service = {
      Name: spec.resourceName,
      Labels: spec.labels,
      TaskTemplate: {
        ContainerSpec: {
          Image: spec.image,
          ...(spec.entrypoint !== undefined ? { Command: spec.entrypoint } : {}),
          ...(spec.command !== undefined ? { Args: spec.command } : {}),
          ...(spec.user !== undefined ? { User: spec.user } : {}),
          ...(spec.ulimits !== undefined && Object.keys(spec.ulimits).length > 0
            ? { Ulimits: Object.entries(spec.ulimits).map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard })) }
            : {}),
          Hostname: spec.name,
          Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
          Labels: spec.labels,
          Mounts: this.mounts(spec),
          DNSConfig: { Nameservers: ['127.0.0.1'] },
          StopGracePeriod: STOP_GRACE_NS,
        },
        Placement: { Constraints: [`node.hostname==${where.hostname}`] },
        RestartPolicy: { Condition: 'none' },
        Networks: [{ Target: net.name, Aliases: [spec.name, ...(spec.aliases ?? [])] }],
      },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: {
        Mode: 'dnsrr',
        Ports: spec.ports.map((p) => ({ Protocol: 'tcp', TargetPort: p, PublishMode: 'host' })),
      },
    };
    let id: string;
    try {
      id = ((await sw.manager.createService(service as unknown as Docker.CreateServiceOptions)) as { id: string }).id;
    } catch (e) {
      throw new InfraError(`create service ${spec.resourceName}: ${errorLine(e)}`);
    }
    const node = new SwarmNode(
      spec.name,
      spec.resourceName,
      id,
      where,
      net.name,
      sw.manager,
      this.hostOps(where.hostname),
    );
    try {
      await node.awaitTask();
    } catch (e) {
      await node.remove().catch(() => undefined);
      throw e;
    }
    return node;
  }

  /** A plain container on the host's own engine: a swarm service would restart or linger. */
  async runOnce(spec: NodeSpec, timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const h = this.host(spec);
    for (const m of spec.mounts) {
      if (m.kind !== 'volume') continue;
      await h.docker.createVolume({ Name: m.name, Labels: spec.labels }).catch((e: unknown) => {
        throw new InfraError(`create volume ${m.name} on ${h.hostname}: ${errorLine(e)}`);
      });
    }
    const mounts = spec.mounts.map((m) =>
      m.kind === 'bind'
        ? { Type: 'bind' as const, Source: m.source, Target: m.target, ReadOnly: m.readOnly ?? false }
        : { Type: 'volume' as const, Source: m.name, Target: m.target, ReadOnly: m.readOnly ?? false },
    );
    return runOneOffContainer(
      { name: spec.resourceName, image: spec.image, hostname: spec.name, labels: spec.labels },
      mounts,
      spec.command ?? [],
      spec.env,
      timeoutMs,
      h.docker,
    );
  }

  async removeNetwork(name: string): Promise<void> {
    await retryBusy(`remove network ${name}`, () => this.s().manager.getNetwork(name).remove());
  }

  async removeVolume(name: string): Promise<void> {
    await Promise.all(
      this.s().hosts.map((h) =>
        retryBusy(`remove volume ${name} on ${h.hostname}`, () => h.docker.getVolume(name).remove()),
      ),
    );
  }

  faketimeMount(runId: string, target: string): MountSpec {
    return { kind: 'volume', name: runNames(runId).faketimeVolume, target, readOnly: true };
  }

  /** A directory of the shared directory, made by an agent; none without DRILL_SWARM_SHARED_DIR. */
  async repository(name: string, target: string): Promise<MountSpec | undefined> {
    if (this.config.sharedDir === undefined) return undefined;
    const first = this.s().hosts[0]!.hostname;
    await this.agents!.client(first).makeRepository(name);
    return { kind: 'bind', source: `${this.config.sharedDir}/${name}`, target };
  }

  async removeRepository(name: string): Promise<void> {
    if (this.config.sharedDir === undefined || !this.agents) return;
    await this.agents.client(this.s().hosts[0]!.hostname).removeRepository(name);
  }

  /** Through the first host's agent, on its view of the storage every host shares. */
  async corruptRepository(name: string): Promise<CorruptedChunk> {
    if (this.config.sharedDir === undefined || !this.agents)
      throw new InfraError('backup-storage corrupt: the swarm has no shared storage (DRILL_SWARM_SHARED_DIR)');
    const c = await this.agents.client(this.s().hosts[0]!.hostname).corruptRepository(name);
    return { ...c, path: `${this.config.sharedDir}/${name} (on the swarm's shared storage)` };
  }

  async repositoryPath(): Promise<string> {
    throw new InfraError("the backup repository is on the swarm's shared storage, not on this machine (engine swarm)");
  }

  settings(): Record<string, unknown> {
    return {
      engine: 'swarm',
      swarm: {
        manager: this.config.manager,
        hosts: Object.fromEntries((this.swarm?.hosts ?? []).map((h) => [h.hostname, h.address])),
        agents: this.agents?.describe() ?? {},
        images_loaded: Object.fromEntries(this.distributed),
        ...(this.config.sharedDir !== undefined ? { shared_dir: this.config.sharedDir } : {}),
      },
    };
  }

  hostClock(host: string): { clock_offset_ms: number; clock_error_ms: number } | null {
    return this.agents?.clockOf(host) ?? null;
  }

  async close(): Promise<string[]> {
    return (await this.agents?.remove().catch((e: unknown) => [errorLine(e)])) ?? [];
  }
}
