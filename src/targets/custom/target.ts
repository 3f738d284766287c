// A custom target: a system under test defined in the scenario, behind the same seam as
// graph-agent and split the same way. Its layout (layout.ts) says which nodes it has and how
// they form groups: one group of identical nodes (cluster.custom), named groups
// (cluster.groups) or the services of the user's Compose file (cluster.compose). The cluster
// driver (cluster.ts) runs any image; boot.ts starts the groups in dependency order; the
// data group's probes (probes/) answer role here, carry the workload and the final read
// (client.ts, write-path.ts) and take and restore backups (backups.ts); what clock and disk
// faults need is set up in faults.ts. Custom targets take key/value workloads only.

import type { FinalReadSource } from '../../client/final-read.js';
import type { WriteClient } from '../../client/write-client.js';
import { InfraError } from '../../core/errors.js';
import type { ExecAnswer } from '../../docker/exec.js';
import { localResourceOps } from '../../faults/local-resource-ops.js';
import type { ClientModule } from '../../drivers/module-api.js';
import type { Engine } from '../../engines/engine.js';
import type { BackupControl } from '../backup.js';
import type {
  ImageBuildListener,
  NodeClock,
  NodeDisk,
  NodeNetwork,
  NodeResources,
  NodeState,
  Target,
} from '../target.js';
import { CustomBackups } from './backups.js';
import { nodeHealth, resolveImages, startNodes } from './boot.js';
import { CustomCluster, type NodeContainer } from './cluster.js';
import { EngineCustomCluster } from './engine-cluster.js';
import { CustomFaultPlumbing } from './faults.js';
import type { DataSpec, Layout, NodeDef } from './layout.js';
import { loadClientModule } from './module-client.js';
import type { CustomNodes } from './nodes.js';
import { capture, parseClockValue } from './probes/parse.js';
import { describeOutcome, ProbeRunner, transportOf, type AnyProbe, type ProbeOutcome } from './probes/run.js';
import { nodeVars, render, type ClusterLayout, type GroupLayout, type TemplateVars } from './templates.js';
import { WritePath } from './write-path.js';

export interface CustomTargetOptions {
  layout: Layout;
  runId: string;
  logDir: string;
  /** The scenario file (named in error hints). */
  scenarioFile?: string | undefined;
  /** Preload libfaketime into every node (the scenario has a clock-skew fault). */
  faketime?: boolean | undefined;
  /** Size-bound every per-node volume to this many MiB (the scenario has a disk-full fault). */
  diskLimitMb?: number | undefined;
  /** Told when the boot builds the image (the drill's `build image` phase). */
  onImageBuild?: ImageBuildListener | undefined;
  /**
   * Where the nodes run when not on this machine's Docker host (a swarm: engine-cluster.ts);
   * default: containers on this machine's engine (cluster.ts).
   */
  engine?: Engine | undefined;
  /** The host of each node on an engine with several (cluster.placement). */
  placement?: Record<string, string> | undefined;
}

/**
 * Health and role probes must not hang on a paused node, but fit their transport: a command
 * in the container costs a process start and an engine round trip, seconds on a loaded host.
 */
const STATUS_PROBE_TIMEOUT_MS = 1000;
const EXEC_STATUS_PROBE_TIMEOUT_MS = 3000;
const statusTimeout = (p: AnyProbe): number => (p.exec ? EXEC_STATUS_PROBE_TIMEOUT_MS : STATUS_PROBE_TIMEOUT_MS);

export class CustomTarget implements Target {
  readonly kind: string;
  /** Writes of unique keys: a system we did not write has no edges to check. */
  readonly workloads = ['kv'] as const;
  readonly nodeNames: readonly string[];
  /** The nodes of the group that carries the data (the ones role, backup and restore act on). */
  readonly dataNodes: readonly string[];
  readonly network: NodeNetwork;
  readonly backups: BackupControl;
  readonly clocks: NodeClock;
  readonly disk: NodeDisk | undefined;
  readonly resources: NodeResources;
  readonly spec: DataSpec;
  readonly layout: Layout;
  private readonly faults: CustomFaultPlumbing;
  private cl: CustomNodes | undefined;
  private readonly runner: ProbeRunner;
  private state: 'new' | 'existing' = 'new';
  private vars = new Map<string, TemplateVars>();
  private images = new Map<string, string>();
  private module: ClientModule | undefined;
  private path: WritePath | undefined;
  private readonly defs: Map<string, NodeDef>;

  constructor(private readonly o: CustomTargetOptions) {
    this.layout = o.layout;
    this.spec = o.layout.spec;
    this.kind = o.layout.grouped ? o.layout.data.name : o.layout.spec.name;
    this.nodeNames = o.layout.nodes.map((n) => n.name);
    this.dataNodes = [...o.layout.data.nodes];
    this.defs = new Map(o.layout.nodes.map((n) => [n.name, n]));
    this.runner = new ProbeRunner(
      {
        baseUrl: (n, p) => this.cl?.baseUrl(n, p),
        address: (n, p) => this.cl?.address(n, p),
        containerId: (n) => this.cl?.containerId(n),
        ...(o.engine !== undefined ? { exec: (n, argv, t) => this.cluster().exec(n, argv, t) } : {}),
      },
      this.spec.ports[0] ?? 0,
      this.spec.client,
    );
    this.network = {
      pid: (n) => this.cluster().netns(n),
      ip: (n) => this.cluster().ip(n),
      peerPort: this.spec.peer_port,
    };
    this.backups = new CustomBackups(this);
    this.faults = new CustomFaultPlumbing({
      runId: o.runId,
      nodes: this.nodeNames,
      faketime: o.faketime ?? false,
      diskLimitMb: o.diskLimitMb,
    });
    this.clocks = {
      setClockOffset: async (n, s) => this.faults.setClockOffset(n, s),
      readClock: (n) => this.readClock(n),
      skewBlocker: async () => this.faults.skewBlocker(),
    };
    // Resource faults act on the node's container and cgroups through its host's operations (an agent on a swarm).
    const engine = o.engine;
    this.resources = {
      containerId: (n) => this.cl?.containerId(n),
      dataVolumes: (n) => this.cluster().volumesOf(n),
      ops:
        engine === undefined
          ? () => localResourceOps
          : (n) => {
              const host = this.cl?.hostOf(n);
              if (host === undefined) throw new InfraError(`${n} is not placed on a host yet`);
              return engine.hostOps(host);
            },
    };
    this.disk = this.faults.nodeDisk((n) => this.cluster().volumesOf(n), this.kind);
  }

  private def(node: string): NodeDef {
    const d = this.defs.get(node);
    if (!d) throw new InfraError(`no node named ${node} (have ${this.nodeNames.join(', ')})`);
    return d;
  }

  /** The groups and their nodes (fault selectors `group:`). */
  nodeGroups(): Record<string, string[]> {
    return Object.fromEntries(this.layout.groups.map((g) => [g.name, [...g.nodes]]));
  }

  // -- templates -------------------------------------------------------------------------

  varsOf(node: string): TemplateVars {
    let v = this.vars.get(node);
    if (!v) {
      const def = this.def(node);
      const group = this.layout.groups.find((g) => g.name === def.group)!;
      const groups: Record<string, GroupLayout> = {};
      for (const g of this.layout.groups) {
        groups[g.name] = { names: g.nodes, peerPort: g.spec.peer_port, peerUrl: g.spec.peer_url };
      }
      const layout: ClusterLayout = {
        runId: this.o.runId,
        names: group.nodes,
        peerPort: group.spec.peer_port,
        peerUrl: group.spec.peer_url,
        state: this.state,
        ...(this.layout.grouped ? { group: group.name, groups } : {}),
      };
      v = nodeVars(layout, node);
      this.vars.set(node, v);
    }
    return v;
  }

  nodeSpec(node: string): { command?: string[]; entrypoint?: string[]; env: Record<string, string> } {
    const d = this.def(node);
    const vars = this.varsOf(node);
    const r = (s: string) => (d.templated ? render(s, vars) : s);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.env)) env[k] = r(v);
    Object.assign(env, this.faults.env(node));
    return {
      ...(d.command ? { command: d.command.map(r) } : {}),
      ...(d.entrypoint ? { entrypoint: d.entrypoint.map(r) } : {}),
      env,
    };
  }

  // -- boot ------------------------------------------------------------------------------

  cluster(): CustomNodes {
    if (!this.cl) throw new InfraError(`${this.kind} cluster is not started`);
    return this.cl;
  }

  private bootHost() {
    return {
      layout: this.layout,
      kind: this.kind,
      scenarioFile: this.o.scenarioFile,
      logDir: this.o.logDir,
      cluster: () => this.cluster(),
      probe: (p: AnyProbe, n: string) => this.probe(p, n),
      nodeSpec: (n: string) => this.nodeSpec(n),
    };
  }

  async boot(signal?: AbortSignal): Promise<void> {
    this.images = await resolveImages(this.layout, this.kind, this.o.onImageBuild);
    if (this.spec.client?.module !== undefined) {
      this.module = await loadClientModule(this.spec.client.module, this.o.scenarioFile);
    }
    signal?.throwIfAborted();
    const engine = this.o.engine;
    if (engine !== undefined) {
      await engine.check();
      for (const tag of new Set(this.images.values())) await engine.distributeImage(tag);
    }
    const first = this.dataNodes[0]!;
    let placed: EngineCustomCluster | undefined;
    if (engine !== undefined)
      this.faults.placeOn({
        engine,
        hostOf: (n) => {
          const host = placed?.hostFor(n);
          if (host === undefined) throw new InfraError(`${n}: not placed on a host yet`);
          return host;
        },
        pidOf: async (n) => (await this.cluster().inspect(n)).pid,
        volumePaths: (n) => this.def(n).volumes,
      });
    await this.faults.prepare(this.images.get(first)!, this.nodeSpec(first).command, this.kind);
    const nodes: Record<string, NodeContainer> = {};
    for (const d of this.layout.nodes) {
      nodes[d.name] = {
        kind: this.layout.grouped ? d.group : this.kind,
        image: this.images.get(d.name)!,
        ports: d.ports,
        volumes: d.volumes,
        binds: d.binds,
        aliases: d.aliases,
        user: d.user,
        tmpfs: d.tmpfs,
        ulimits: d.ulimits,
        backup: this.dataNodes.includes(d.name),
      };
    }
    const common = {
      runId: this.o.runId,
      kind: this.kind,
      names: this.nodeNames,
      nodes,
      backupPath: this.spec.backup_volume,
      logDir: this.o.logDir,
    };
    this.cl =
      engine !== undefined
        ? (placed = new EngineCustomCluster({
            ...common,
            engine,
            placement: this.o.placement,
            volumeDevice: (n, i) => this.faults.volumeDevice(n, i),
            extraMounts: this.faults.engineMounts(),
          }))
        : new CustomCluster({
            ...common,
            volumeDevice: (n, i) => this.faults.volumeDevice(n, i),
            extraMounts: this.faults.mounts(),
          });
    try {
      await this.cl.createShared();
      await this.startFresh(signal);
    } catch (e) {
      await this.teardown();
      throw e;
    }
  }

  /** Create and start nodes (default: all; `only`: after a restore), then wait until ready. */
  async startFresh(
    signal?: AbortSignal,
    beforeStart?: (node: string) => Promise<void>,
    only?: readonly string[],
  ): Promise<void> {
    await startNodes(this.bootHost(), this.spec.boot_timeout, signal, beforeStart, only);
  }

  /** A status probe (health, role, discovery): a timeout that fits its transport. */
  private probe(p: AnyProbe, node: string): Promise<ProbeOutcome> {
    return this.runner.run(p, node, this.varsOf(node), p.timeout ?? statusTimeout(p));
  }

  async teardown(): Promise<void> {
    await this.path?.close().catch(() => undefined);
    if (this.cl) await this.cl.teardown().catch(() => undefined);
    this.runner.close();
    await this.faults.close().catch(() => undefined);
    await this.o.engine?.close();
  }

  // -- lifecycle -------------------------------------------------------------------------

  kill(node: string, signal: string): Promise<void> {
    return this.cluster().kill(node, signal);
  }
  stop(node: string): Promise<void> {
    return this.cluster().stop(node, Math.ceil(this.def(node).stopTimeoutMs / 1000));
  }
  start(node: string): Promise<void> {
    return this.cluster().start(node);
  }
  restart(node: string): Promise<void> {
    return this.cluster().restart(node, Math.ceil(this.def(node).stopTimeoutMs / 1000));
  }
  pause(node: string): Promise<void> {
    return this.cluster().pause(node);
  }
  unpause(node: string): Promise<void> {
    return this.cluster().unpause(node);
  }
  inspect(node: string): Promise<NodeState> {
    return this.cluster().inspect(node);
  }

  // -- probes ----------------------------------------------------------------------------

  exec(node: string, argv: string[], timeoutMs: number): Promise<ExecAnswer> {
    if (this.cl?.containerId(node) === undefined) return Promise.reject(new Error(`${node}: no container`));
    return this.cl.exec(node, argv, timeoutMs);
  }

  /** The host each node runs on, on an engine with hosts of its own (one Docker host: not reported). */
  hostOf(node: string): string | undefined {
    return this.o.engine !== undefined ? this.cl?.hostOf(node) : undefined;
  }

  hostClock(host: string): { clock_offset_ms: number; clock_error_ms: number } | null {
    return this.o.engine?.hostClock(host) ?? null;
  }

  async health(node: string): Promise<boolean> {
    if (!this.cl) return false;
    return (await nodeHealth(this.bootHost(), this.def(node)).catch(() => null))?.kind === 'success';
  }

  /** The data group's node whose role probe succeeds; with several (a split brain), the first by name. */
  async leader(): Promise<string | null> {
    return (await this.leaders())[0] ?? null;
  }

  /**
   * Every data node whose role probe succeeds, by name: two or more at once is a split brain,
   * reported, drawn in the leader lane and counted in result.json as for graph-agent.
   */
  async leaders(): Promise<string[]> {
    if (!this.cl) return [];
    const res = await Promise.all(this.dataNodes.map((n) => this.probe(this.spec.probes.role, n)));
    return this.dataNodes.filter((_, i) => res[i]!.kind === 'success');
  }

  async describeRoles(): Promise<string> {
    if (!this.cl) return 'not started';
    const res = await Promise.all(this.dataNodes.map((n) => this.probe(this.spec.probes.role, n)));
    return `probes.role: ${this.dataNodes.map((n, i) => `${n}: ${describeOutcome(res[i]!)}`).join('; ')}`;
  }

  private writes(): WritePath {
    this.path ??= new WritePath({
      spec: this.spec,
      runner: this.runner,
      nodeNames: this.dataNodes,
      varsOf: (n) => this.varsOf(n),
      leader: () => this.leader(),
      leaders: () => this.leaders(),
      probe: (p, n) => this.probe(p, n),
      ip: (n) => this.cluster().ip(n),
      ports: (n) => this.cl?.publishedPorts(n) ?? {},
      module: this.module,
    });
    return this.path;
  }

  writeClient(): WriteClient {
    return this.writes().writeClient();
  }

  finalReadSource(): FinalReadSource & { readIds(node: string): Promise<string[]> } {
    return this.writes().finalReadSource();
  }

  settings(): Record<string, unknown> {
    const s = this.spec;
    const images = [...new Set(this.images.values())];
    return {
      image: images.length === 1 ? images[0] : images,
      nodes: this.nodeNames.length,
      ...(this.layout.grouped ? { groups: this.nodeGroups(), data_group: this.layout.data.name } : {}),
      ...(s.build !== undefined ? { build: s.build } : {}),
      ports: s.ports,
      probes: Object.fromEntries(
        Object.entries(s.probes)
          .filter(([, p]) => p !== undefined)
          .map(([k, p]) => [k, transportOf(p)]),
      ),
      ...this.faults.settings(),
      ...(this.o.engine !== undefined
        ? {
            ...this.o.engine.settings(),
            hosts: Object.fromEntries(this.nodeNames.map((n) => [n, this.hostOf(n) ?? null])),
          }
        : {}),
    };
  }

  // -- clock faults (faults.ts) --------------------------------------------------------------

  /** The node's clock through probes.clock (ms since the epoch); null without one or on failure. */
  private async readClock(node: string): Promise<number | null> {
    const p = this.spec.probes.clock;
    if (!p || !this.cl) return null;
    const o = await this.probe(p, node);
    if (o.kind !== 'success') return null;
    const text = p.capture !== undefined ? capture(o.output, p.capture) : o.output;
    if (text === undefined) return null;
    const ms = parseClockValue(text);
    // Whole seconds are truncated: the true clock is somewhere in the next second.
    return ms !== null && /^\s*\d{1,10}\s*$/.test(text) ? ms + 500 : ms;
  }

  // -- backup / restore (for CustomBackups) --------------------------------------------------

  readIds(node: string): Promise<string[]> {
    return this.finalReadSource().readIds(node);
  }

  runProbe(p: AnyProbe, node: string, extra: Record<string, string>, timeoutMs: number): Promise<ProbeOutcome> {
    return this.runner.run(p, node, { ...this.varsOf(node), ...extra }, p.timeout ?? timeoutMs);
  }

  /** After a restore the nodes start from data they already have. */
  relayout(state: 'new' | 'existing'): void {
    this.state = state;
    this.vars.clear();
  }
}
