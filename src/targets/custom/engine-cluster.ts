// The nodes of a custom target placed through an engine (src/engines/): on a Docker Swarm,
// a service per node with one task pinned to a host (round robin over the swarm's hosts,
// or cluster.placement), on the run's attachable overlay network where every node answers
// to its name and its aliases; per-node volumes on the node's host; every port of `ports`
// published in host mode on that host, where the harness reaches it (re-read after every
// start: a node that starts again is a new task, with a new address and port). Signals,
// pause and inspect go to the fault agent of the node's host; command probes run in the
// task's container through the engine of its host. The backup volume is the engine's
// repository (the directory every swarm host shares). Same names and labels as on one
// host, so `drill cleanup --run <id> --engine swarm` finds them.
//
// An offline restore runs in a one-off container on the node's host, beside its volumes,
// before the node starts (Engine.runOnce). Size-bounded volumes (disk-full) are loop devices
// of the node's host, made by its fault agent when the node is created; libfaketime and the
// offset files (clock-skew) come in the run's offset volume on that host (faults.ts). Bind
// mounts of this machine's paths stay with the one-host driver (cluster.ts), and
// src/engines/limits.ts refuses what a swarm cannot do before anything starts.

import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { InfraError } from '../../core/errors.js';
import { errorLine } from '../../docker/engine.js';
import { ExecError, type ExecAnswer } from '../../docker/exec.js';
import { drillLabels } from '../../docker/labels.js';
import type { Netns } from '../../docker/netns.js';
import type { Engine, EngineNode, MountSpec, RunNetwork } from '../../engines/engine.js';
import type { NodeState } from '../target.js';
import type { NodeContainer, NodeSpec } from './cluster.js';
import type { CustomNodes } from './nodes.js';

export interface EngineClusterOptions {
  runId: string;
  kind: string;
  names: readonly string[];
  nodes: Readonly<Record<string, NodeContainer>>;
  engine: Engine;
  /** Container path of the shared backup volume, if any. */
  backupPath?: string | undefined;
  logDir?: string | undefined;
  /** The host of a node, when the scenario says (cluster.placement); default: round robin. */
  placement?: Readonly<Record<string, string>> | undefined;
  /** A block device of the node's host for its volume `index` (size-bounded ext4, disk-full); default: none. */
  volumeDevice?: ((node: string, index: number) => Promise<string | undefined>) | undefined;
  /** More mounts in every node (libfaketime's offset volume). */
  extraMounts?: readonly MountSpec[] | undefined;
}

interface Placed {
  spec: NodeSpec | undefined;
  /** Each volume's block device on the node's host (bounded disks), fixed from createNode to destroy. */
  devices: (string | undefined)[];
  node: EngineNode | undefined;
  /** Container port -> where the harness reaches it, as published now. */
  ports: Map<number, { host: string; port: number }>;
  ip: string;
}

const DOWN: NodeState = { running: false, paused: false, pid: null, exitCode: null };

export class EngineCustomCluster implements CustomNodes {
  readonly network: string;
  readonly backupVolume: string | undefined;
  private net: RunNetwork | undefined;
  private backupMount: MountSpec | undefined;
  private hosts: string[] = [];
  private readonly placed = new Map<string, Placed>();
  private readonly logFiles = new Map<string, WriteStream>();
  private readonly logStops = new Map<string, () => void>();
  private tornDown = false;

  constructor(private readonly o: EngineClusterOptions) {
    this.network = `drill-${o.runId}`;
    this.backupVolume = o.backupPath !== undefined ? `drill-${o.runId}-backup` : undefined;
    for (const n of o.names)
      this.placed.set(n, { spec: undefined, devices: [], node: undefined, ports: new Map(), ip: '' });
  }

  private def(name: string): NodeContainer {
    const d = this.o.nodes[name];
    if (!d) throw new InfraError(`no node named ${name} (have ${this.o.names.join(', ')})`);
    return d;
  }

  private rec(name: string): Placed {
    const r = this.placed.get(name);
    if (!r) throw new InfraError(`no node named ${name} (have ${this.o.names.join(', ')})`);
    return r;
  }

  private node(name: string): EngineNode {
    const n = this.rec(name).node;
    if (!n) throw new InfraError(`node ${name} has no container (destroyed?)`);
    return n;
  }

  private labels(node?: string): Record<string, string> {
    const kind = node !== undefined ? this.def(node).kind : this.o.kind;
    return drillLabels({ runId: this.o.runId, role: 'sut', kind, ...(node !== undefined ? { node } : {}) });
  }

  async createShared(): Promise<void> {
    const e = this.o.engine;
    this.hosts = await e.hosts();
    this.net = await e.createNetwork({ name: this.network, labels: this.labels(), nodes: this.o.names });
    if (this.backupVolume !== undefined) {
      this.backupMount = await e.repository(this.backupVolume, this.o.backupPath!, this.labels());
      if (this.backupMount === undefined)
        throw new InfraError(
          `backup_volume on engine ${e.kind} needs a directory every host shares`,
          'set DRILL_SWARM_SHARED_DIR (docs/swarm.md)',
        );
    }
  }

  /** The volumes' bounded disks are made now, on the node's host: an offline restore writes them before the start. */
  async createNode(name: string, spec: NodeSpec): Promise<void> {
    const r = this.rec(name);
    const dev = this.o.volumeDevice;
    r.devices = dev ? await Promise.all(this.def(name).volumes.map((_, i) => dev(name, i))) : [];
    r.spec = spec;
  }

  private mounts(name: string): MountSpec[] {
    const d = this.def(name);
    const backup = d.backup ? this.backupMount : undefined;
    const m: MountSpec[] = d.volumes
      .map((target, i): MountSpec => {
        const device = this.rec(name).devices[i];
        return { kind: 'volume', name: this.volumesOf(name)[i]!, target, ...(device ? { device } : {}) };
      })
      .filter((x) => x.target !== backup?.target);
    if (backup !== undefined) m.push(backup);
    m.push(...(this.o.extraMounts ?? []));
    return m;
  }

  /** The host a node is placed on: the scenario's placement, else round robin; the same after a destroy. */
  hostFor(name: string): string | undefined {
    return this.o.placement?.[name] ?? this.hosts[this.o.names.indexOf(name) % this.hosts.length];
  }

  async startNode(name: string): Promise<void> {
    const r = this.rec(name);
    if (r.node !== undefined) return this.start(name);
    if (r.spec === undefined || this.net === undefined) throw new InfraError(`node ${name} has no container`);
    const d = this.def(name);
    r.node = await this.o.engine.startNode(
      {
        name,
        resourceName: `drill-${this.o.runId}-${name}`,
        image: d.image,
        command: r.spec.command,
        entrypoint: r.spec.entrypoint,
        env: r.spec.env,
        aliases: [...d.aliases],
        ports: [...d.ports],
        mounts: this.mounts(name),
        labels: this.labels(name),
        user: d.user,
        tmpfs: d.tmpfs,
        ulimits: d.ulimits,
        host: this.hostFor(name),
      },
      this.net,
    );
    await this.refresh(name, true);
  }

  async refresh(name: string, reattachLogs = false): Promise<void> {
    const r = this.rec(name);
    if (r.node === undefined) return;
    const a = await r.node.refresh();
    r.ports = a.ports;
    r.ip = a.ip;
    if (reattachLogs) void this.followLogs(name, r.node);
  }

  baseUrl(name: string, port: number): string | undefined {
    const a = this.address(name, port);
    return a === undefined ? undefined : `http://${a.host}:${a.port}`;
  }

  address(name: string, port: number): { host: string; port: number } | undefined {
    return this.placed.get(name)?.ports.get(port);
  }

  publishedPorts(name: string): Record<number, number> {
    return Object.fromEntries([...(this.placed.get(name)?.ports ?? [])].map(([p, a]) => [p, a.port]));
  }

  volumesOf(name: string): string[] {
    return this.def(name).volumes.map((_, i) => `drill-${this.o.runId}-${name}-v${i + 1}`);
  }

  containerId(name: string): string | undefined {
    return this.placed.get(name)?.node?.containerId() || undefined;
  }

  hostOf(name: string): string | undefined {
    return this.placed.get(name)?.node?.host;
  }

  kill(name: string, signal: string): Promise<void> {
    return this.node(name).kill(signal);
  }
  stop(name: string, timeoutS: number): Promise<void> {
    return this.node(name).stop(timeoutS);
  }
  async start(name: string): Promise<void> {
    await this.node(name).start();
    await this.refresh(name, true);
  }
  async restart(name: string, timeoutS: number): Promise<void> {
    await this.node(name).restart(timeoutS);
    await this.refresh(name, true);
  }
  pause(name: string): Promise<void> {
    return this.node(name).pause();
  }
  unpause(name: string): Promise<void> {
    return this.node(name).unpause();
  }

  async inspect(name: string): Promise<NodeState> {
    const n = this.rec(name).node;
    return n === undefined ? DOWN : n.inspect();
  }

  async ip(name: string): Promise<string> {
    await this.refresh(name);
    const ip = this.rec(name).ip;
    if (ip === '') throw new InfraError(`node ${name} has no address on ${this.network} (not running)`);
    return ip;
  }

  async netns(name: string): Promise<Netns> {
    const n = this.node(name);
    const st = await n.inspect();
    if (st.pid === null) throw new InfraError(`node ${name} is not running: no pid`);
    return this.o.engine.hostOps(n.host).netns(st.pid);
  }

  exec(name: string, argv: string[], timeoutMs: number): Promise<ExecAnswer> {
    const n = this.rec(name).node;
    // No task (destroyed, or its container gone with the task): the command certainly did not run.
    if (n === undefined || n.containerId() === '') return Promise.reject(new ExecError('node has no container', false));
    return n.exec(argv, timeoutMs);
  }

  /** The last lines of the node's captured log (the engine's log of a task may be on another host). */
  async tail(name: string, lines = 5): Promise<string> {
    if (this.o.logDir === undefined) return '';
    try {
      const text = readFileSync(path.join(this.o.logDir, `${name}.log`), 'utf8').trim();
      return text.split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** An offline restore: a one-off container on the node's host with its volumes, before the node starts. */
  runOneOff(
    node: string,
    argv: string[],
    env: Record<string, string>,
    timeoutMs: number,
  ): Promise<{ exitCode: number; output: string }> {
    const e = this.o.engine;
    if (e.runOnce === undefined)
      return Promise.reject(new InfraError(`${node}: engine ${e.kind} cannot run a one-off container`));
    const labels = drillLabels({ runId: this.o.runId, role: 'helper', kind: this.def(node).kind, node });
    return e.runOnce(
      {
        name: node,
        resourceName: `drill-${this.o.runId}-${node}-oneoff-${Date.now().toString(36)}`,
        image: this.def(node).image,
        command: argv,
        env,
        ports: [],
        mounts: this.mounts(node),
        labels,
        host: this.hostFor(node),
      },
      timeoutMs,
    );
  }

  /** In parallel: on a swarm, removing a service waits for its task's container to go. */
  async destroyNodes(names: readonly string[]): Promise<void> {
    await Promise.all(names.map((name) => this.destroyNode(name)));
  }

  private async destroyNode(name: string): Promise<void> {
    const r = this.rec(name);
    this.logStops.get(name)?.();
    this.logStops.delete(name);
    try {
      await r.node?.remove();
      for (const v of this.volumesOf(name)) await this.o.engine.removeVolume(v);
    } catch (e) {
      throw new InfraError(`remove node ${name}: ${errorLine(e)}`);
    }
    this.placed.set(name, { spec: undefined, devices: [], node: undefined, ports: new Map(), ip: '' });
  }

  backupHostPath(): Promise<string> {
    if (this.backupVolume === undefined) return Promise.reject(new InfraError('this target has no backup_volume'));
    return this.o.engine.repositoryPath(this.backupVolume);
  }

  private async followLogs(name: string, n: EngineNode): Promise<void> {
    if (this.o.logDir === undefined || this.tornDown) return;
    let file = this.logFiles.get(name);
    if (!file) {
      mkdirSync(this.o.logDir, { recursive: true });
      file = createWriteStream(path.join(this.o.logDir, `${name}.log`), { flags: 'a' });
      file.on('error', () => {});
      this.logFiles.set(name, file);
    }
    try {
      const stop = await n.followLogs(file, await n.logsSince());
      if (stop === null) return;
      this.logStops.set(name, stop);
      if (this.tornDown) stop();
    } catch (e) {
      file.write(`[drill] could not follow logs: ${errorLine(e)}\n`);
    }
  }

  /** Remove every node, volume, the network and the backup repository. Never throws. */
  async teardown(): Promise<string[]> {
    this.tornDown = true;
    const errors: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (e) {
        errors.push(`${what}: ${errorLine(e)}`);
      }
    };
    const e = this.o.engine;
    await Promise.all(
      [...this.placed.entries()].map(([name, r]) =>
        r.node ? attempt(`remove node ${name}`, () => r.node!.remove()) : Promise.resolve(),
      ),
    );
    for (const stop of this.logStops.values()) stop();
    this.logStops.clear();
    await Promise.all([...this.logFiles.values()].map((f) => new Promise<void>((res) => f.end(() => res()))));
    this.logFiles.clear();
    if (this.net !== undefined) await attempt(`remove network ${this.network}`, () => e.removeNetwork(this.network));
    const vols = this.o.names.flatMap((n) => this.volumesOf(n));
    await Promise.all(vols.map((v) => attempt(`remove volume ${v}`, () => e.removeVolume(v))));
    if (this.backupMount !== undefined)
      await attempt(`remove ${this.backupVolume}`, () => e.removeRepository(this.backupVolume!));
    return errors;
  }
}
