// The containers of a custom target: any image, N nodes on a per-run bridge network.
//
// Layout per run (the same labels and naming as graph-agent's, so `drill cleanup` and the
// fault selectors treat them alike): network `drill-<runId>`; per node a container
// `drill-<runId>-<name>` (hostname and network alias = node name), one volume per entry
// of `volumes` (`drill-<runId>-<name>-v<i>`), every port of `ports` published on
// 127.0.0.1 on a random host port (re-read after every start: Docker picks a new one);
// one shared backup volume `drill-<runId>-backup` when `backupPath` is set, which
// destroy() leaves alone. One-off containers (offline restore) get the same labels with
// role helper and are removed as soon as they exit.

import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { InfraError } from '../../core/errors.js';
import { docker, dockerStatus, errorLine, isNotFound } from '../../docker/engine.js';
import { drillLabels } from '../../docker/labels.js';
import { demuxText } from '../../docker/log-text.js';
import { dockerTimeToSince } from '../../docker/build.js';
import { execInContainer, type ExecAnswer } from '../../docker/exec.js';
import { deviceVolumeOpts } from '../../faults/bounded-disk.js';
import type { NodeState } from '../target.js';
import type { CustomNodes } from './nodes.js';
import { runOneOffContainer } from '../../docker/one-off.js';

/** What one node's container is made of (a node of the layout, its image built or found). */
export interface NodeContainer {
  /** drill.kind label of the node: its group. */
  kind: string;
  image: string;
  ports: readonly number[];
  /** Container paths with a per-node volume. */
  volumes: readonly string[];
  binds: readonly { source: string; target: string }[];
  aliases: readonly string[];
  user?: string | undefined;
  tmpfs: readonly string[];
  ulimits: Readonly<Record<string, { soft: number; hard: number }>>;
  /** Whether the shared backup volume is mounted (the group that carries the data). */
  backup: boolean;
}

export interface CustomClusterOptions {
  runId: string;
  /** drill.kind label of the network and the shared volumes (the data group's name). */
  kind: string;
  names: readonly string[];
  nodes: Readonly<Record<string, NodeContainer>>;
  /** Container path of the shared backup volume, if any. */
  backupPath?: string | undefined;
  logDir?: string | undefined;
  /**
   * A block device for volume `index` of `node` (size-bounded ext4, disk-full faults);
   * undefined: a plain named volume. Called again when a destroyed node is recreated.
   */
  volumeDevice?: ((node: string, index: number) => Promise<string | undefined>) | undefined;
  /** Extra mounts of every node container (e.g. the libfaketime library and offset files). */
  extraMounts?: Docker.MountSettings[] | undefined;
}

export interface NodeSpec {
  command?: string[] | undefined;
  entrypoint?: string[] | undefined;
  env: Record<string, string>;
}

interface NodeRec {
  name: string;
  containerName: string;
  containerId: string | undefined;
  volumes: string[];
  /** container port -> host port, as published now. */
  hostPorts: Map<number, number>;
  ip: string;
}

export class CustomCluster implements CustomNodes {
  readonly network: string;
  readonly backupVolume: string | undefined;
  private readonly nodes = new Map<string, NodeRec>();
  private readonly helpers = new Set<string>();
  private readonly logFiles = new Map<string, WriteStream>();
  private readonly logStreams = new Map<string, NodeJS.ReadableStream>();
  private networkCreated = false;
  private tornDown = false;

  constructor(private readonly o: CustomClusterOptions) {
    this.network = `drill-${o.runId}`;
    this.backupVolume = o.backupPath !== undefined ? `drill-${o.runId}-backup` : undefined;
    for (const name of o.names) this.nodes.set(name, this.freshRec(name));
  }

  private def(name: string): NodeContainer {
    const d = this.o.nodes[name];
    if (!d) throw new InfraError(`no node named ${name} (have ${this.o.names.join(', ')})`);
    return d;
  }

  private freshRec(name: string): NodeRec {
    return {
      name,
      containerName: `drill-${this.o.runId}-${name}`,
      containerId: undefined,
      volumes: this.def(name).volumes.map((_, i) => `drill-${this.o.runId}-${name}-v${i + 1}`),
      hostPorts: new Map(),
      ip: '',
    };
  }

  private rec(name: string): NodeRec {
    const r = this.nodes.get(name);
    if (!r) throw new InfraError(`no node named ${name} (have ${[...this.nodes.keys()].join(', ')})`);
    return r;
  }

  private labels(node?: string, role: 'sut' | 'helper' = 'sut'): Record<string, string> {
    const kind = node !== undefined ? this.def(node).kind : this.o.kind;
    return drillLabels({ runId: this.o.runId, role, kind, ...(node !== undefined ? { node } : {}) });
  }

  /** The run network and the backup volume. */
  async createShared(): Promise<void> {
    const d = docker();
    try {
      await d.createNetwork({ Name: this.network, Driver: 'bridge', CheckDuplicate: true, Labels: this.labels() });
      this.networkCreated = true;
    } catch (e) {
      throw new InfraError(
        `create network ${this.network}: ${errorLine(e)}`,
        dockerStatus(e) === 409 ? 'run id in use; remove leftovers with `drill cleanup`' : undefined,
      );
    }
    if (this.backupVolume !== undefined) {
      await d.createVolume({ Name: this.backupVolume, Labels: this.labels() }).catch((e: unknown) => {
        throw new InfraError(`create volume ${this.backupVolume}: ${errorLine(e)}`);
      });
    }
  }

  private mounts(r: NodeRec): Docker.MountSettings[] {
    const d = this.def(r.name);
    const backup = d.backup && this.backupVolume !== undefined ? this.o.backupPath : undefined;
    // The shared backup volume takes the place of a node volume at the same path.
    const m: Docker.MountSettings[] = d.volumes
      .map((target, i): Docker.MountSettings => ({ Type: 'volume', Source: r.volumes[i]!, Target: target }))
      .filter((x) => x.Target !== backup);
    for (const b of d.binds) m.push({ Type: 'bind', Source: b.source, Target: b.target, ReadOnly: true });
    if (backup !== undefined) m.push({ Type: 'volume', Source: this.backupVolume!, Target: backup });
    return m;
  }

  /** Create a node's volumes and container (not started). */
  async createNode(name: string, spec: NodeSpec): Promise<void> {
    const d = docker();
    const r = this.rec(name);
    for (const [i, v] of r.volumes.entries()) {
      const device = await this.o.volumeDevice?.(name, i);
      await d
        .createVolume({ Name: v, Labels: this.labels(name), ...(device !== undefined ? deviceVolumeOpts(device) : {}) })
        .catch((e: unknown) => {
          throw new InfraError(`create volume ${v}: ${errorLine(e)}`);
        });
    }
    const def = this.def(name);
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of def.ports) {
      exposed[`${p}/tcp`] = {};
      bindings[`${p}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: '' }];
    }
    try {
      const c = await d.createContainer({
        name: r.containerName,
        Hostname: name,
        Image: def.image,
        ...(spec.command !== undefined ? { Cmd: spec.command } : {}),
        ...(spec.entrypoint !== undefined ? { Entrypoint: spec.entrypoint } : {}),
        ...(def.user !== undefined ? { User: def.user } : {}),
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: this.labels(name),
        ExposedPorts: exposed,
        HostConfig: {
          NetworkMode: this.network,
          PortBindings: bindings,
          Mounts: [...this.mounts(r), ...(this.o.extraMounts ?? [])],
          Init: false,
          ...(def.tmpfs.length > 0 ? { Tmpfs: Object.fromEntries(def.tmpfs.map((t) => [t, ''])) } : {}),
          ...(Object.keys(def.ulimits).length > 0
            ? { Ulimits: Object.entries(def.ulimits).map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard })) }
            : {}),
        },
        NetworkingConfig: { EndpointsConfig: { [this.network]: { Aliases: [name, ...def.aliases] } } },
      });
      r.containerId = c.id;
    } catch (e) {
      throw new InfraError(
        `create container ${r.containerName} from image ${def.image}: ${errorLine(e)}`,
        isNotFound(e)
          ? 'the image is not in the local engine (nothing is pulled): build it, or use build: with a context'
          : undefined,
      );
    }
  }

  async startNode(name: string): Promise<void> {
    const r = this.rec(name);
    if (r.containerId === undefined) throw new InfraError(`node ${name} has no container`);
    try {
      await docker().getContainer(r.containerId).start();
    } catch (e) {
      if (dockerStatus(e) !== 304) throw new InfraError(`start ${r.containerName}: ${errorLine(e)}`);
    }
    await this.refresh(name, true);
  }

  /** Re-read published ports and IP; re-attach the log follower after a start. */
  async refresh(name: string, reattachLogs = false): Promise<void> {
    const r = this.rec(name);
    if (r.containerId === undefined) return;
    const info = await docker().getContainer(r.containerId).inspect();
    r.hostPorts.clear();
    for (const p of this.def(name).ports) {
      const b = info.NetworkSettings.Ports?.[`${p}/tcp`]?.find((x) => x.HostIp === '127.0.0.1');
      if (b?.HostPort) r.hostPorts.set(p, Number(b.HostPort));
    }
    r.ip = info.NetworkSettings.Networks?.[this.network]?.IPAddress ?? '';
    if (reattachLogs) void this.followLogs(r, dockerTimeToSince(info.State.FinishedAt));
  }

  baseUrl(name: string, port: number): string | undefined {
    const a = this.address(name, port);
    return a === undefined ? undefined : `http://${a.host}:${a.port}`;
  }

  /** Where a container port of a node is published (127.0.0.1 only), undefined when it is not now. */
  address(name: string, port: number): { host: string; port: number } | undefined {
    const hp = this.nodes.get(name)?.hostPorts.get(port);
    return hp === undefined ? undefined : { host: '127.0.0.1', port: hp };
  }

  /** Every published container port of a node and its host port. */
  publishedPorts(name: string): Record<number, number> {
    return Object.fromEntries(this.nodes.get(name)?.hostPorts ?? []);
  }

  /** The Docker volume names of a node's volumes (in the order of cluster.custom.volumes). */
  volumesOf(name: string): string[] {
    return [...this.rec(name).volumes];
  }

  containerId(name: string): string | undefined {
    return this.nodes.get(name)?.containerId;
  }

  hostOf(name: string): string | undefined {
    return this.nodes.get(name)?.containerId !== undefined ? 'local' : undefined;
  }

  async netns(name: string): Promise<number> {
    const st = await this.inspect(name);
    if (st.pid === null) throw new InfraError(`node ${name} is not running: no pid`);
    return st.pid;
  }

  exec(name: string, argv: string[], timeoutMs: number): Promise<ExecAnswer> {
    const id = this.containerId(name);
    if (id === undefined) return Promise.reject(new Error(`${name}: no container`));
    return execInContainer(id, argv, timeoutMs);
  }

  private container(name: string): Docker.Container {
    const r = this.rec(name);
    if (r.containerId === undefined) throw new InfraError(`node ${name} has no container (destroyed?)`);
    return docker().getContainer(r.containerId);
  }

  private async op(
    what: string,
    name: string,
    fn: (c: Docker.Container) => Promise<unknown>,
    ok: number[] = [],
  ): Promise<void> {
    try {
      await fn(this.container(name));
    } catch (e) {
      if (e instanceof InfraError) throw e;
      const s = dockerStatus(e);
      if (s !== undefined && ok.includes(s)) return;
      throw new InfraError(`${what} ${this.rec(name).containerName}: ${errorLine(e)}`);
    }
  }

  kill(name: string, signal: string): Promise<void> {
    return this.op('kill', name, (c) => c.kill({ signal }));
  }
  stop(name: string, timeoutS: number): Promise<void> {
    return this.op('stop', name, (c) => c.stop({ t: timeoutS }), [304]);
  }
  async start(name: string): Promise<void> {
    await this.op('start', name, (c) => c.start(), [304]);
    await this.refresh(name, true);
  }
  async restart(name: string, timeoutS: number): Promise<void> {
    await this.op('restart', name, (c) => c.restart({ t: timeoutS }));
    await this.refresh(name, true);
  }
  pause(name: string): Promise<void> {
    return this.op('pause', name, (c) => c.pause());
  }
  unpause(name: string): Promise<void> {
    return this.op('unpause', name, (c) => c.unpause());
  }

  async inspect(name: string): Promise<NodeState> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.container(name).inspect();
    } catch (e) {
      if (e instanceof InfraError) throw e;
      throw new InfraError(`inspect ${this.rec(name).containerName}: ${errorLine(e)}`);
    }
    const s = info.State;
    return {
      running: s.Running,
      paused: s.Paused,
      pid: s.Running && s.Pid > 0 ? s.Pid : null,
      exitCode: s.Running ? null : s.ExitCode,
    };
  }

  async ip(name: string): Promise<string> {
    await this.refresh(name);
    const ip = this.rec(name).ip;
    if (ip === '') throw new InfraError(`node ${name} has no address on ${this.network} (not running)`);
    return ip;
  }

  /** The last lines a node printed (for error messages). */
  async tail(name: string, lines = 5): Promise<string> {
    const r = this.nodes.get(name);
    if (r?.containerId === undefined) return '';
    try {
      const buf = (await docker()
        .getContainer(r.containerId)
        .logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
      return demuxText(buf).trim();
    } catch {
      return '';
    }
  }

  /**
   * Run `argv` once in a fresh container of the image with `node`'s volumes and the backup
   * volume (the node's own container stopped or gone): an offline restore. Removed after.
   */
  async runOneOff(
    node: string,
    argv: string[],
    env: Record<string, string>,
    timeoutMs: number,
  ): Promise<{ exitCode: number; output: string }> {
    const name = `drill-${this.o.runId}-${node}-oneoff-${Date.now().toString(36)}`;
    this.helpers.add(name);
    try {
      return await runOneOffContainer(
        { name, image: this.def(node).image, hostname: node, labels: this.labels(node, 'helper') },
        this.mounts(this.rec(node)),
        argv,
        env,
        timeoutMs,
      );
    } finally {
      this.helpers.delete(name);
    }
  }

  /** Remove nodes' containers and their volumes (never the backup volume). */
  async destroyNodes(names: readonly string[]): Promise<void> {
    const d = docker();
    for (const name of names) {
      const r = this.rec(name);
      (this.logStreams.get(name) as unknown as { destroy?: () => void } | undefined)?.destroy?.();
      this.logStreams.delete(name);
      await d
        .getContainer(r.containerName)
        .remove({ force: true })
        .catch((e: unknown) => {
          if (!isNotFound(e)) throw new InfraError(`remove ${r.containerName}: ${errorLine(e)}`);
        });
      for (const v of r.volumes) {
        await d
          .getVolume(v)
          .remove()
          .catch((e: unknown) => {
            if (!isNotFound(e)) throw new InfraError(`remove volume ${v}: ${errorLine(e)}`);
          });
      }
      this.nodes.set(name, this.freshRec(name));
    }
  }

  /** Host path of the backup volume (backup-storage faults act there). */
  async backupHostPath(): Promise<string> {
    if (this.backupVolume === undefined) throw new InfraError('this target has no backup_volume');
    const v = await docker().getVolume(this.backupVolume).inspect();
    return v.Mountpoint;
  }

  private async followLogs(r: NodeRec, since?: string): Promise<void> {
    if (this.o.logDir === undefined || this.tornDown || r.containerId === undefined) return;
    let file = this.logFiles.get(r.name);
    if (!file) {
      mkdirSync(this.o.logDir, { recursive: true });
      file = createWriteStream(path.join(this.o.logDir, `${r.name}.log`), { flags: 'a' });
      file.on('error', () => {});
      this.logFiles.set(r.name, file);
    }
    try {
      const opts = { follow: true as const, stdout: true, stderr: true, ...(since !== undefined ? { since } : {}) };
      const stream = (await docker()
        .getContainer(r.containerId)
        .logs(opts as unknown as Docker.ContainerLogsOptions & { follow: true })) as NodeJS.ReadableStream;
      docker().modem.demuxStream(stream, file, file);
      stream.on('error', () => {});
      this.logStreams.set(r.name, stream);
      if (this.tornDown) (stream as unknown as { destroy?: () => void }).destroy?.();
    } catch (e) {
      if (!isNotFound(e)) file.write(`[drill] could not follow logs: ${errorLine(e)}\n`);
    }
  }

  /** Remove every container, volume and the network this cluster created. Never throws. */
  async teardown(): Promise<string[]> {
    this.tornDown = true;
    const d = docker();
    const errors: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (e) {
        if (!isNotFound(e)) errors.push(`${what}: ${errorLine(e)}`);
      }
    };
    const recs = [...this.nodes.values()];
    await Promise.all([
      ...recs.map((r) =>
        attempt(`remove ${r.containerName}`, () => d.getContainer(r.containerName).remove({ force: true })),
      ),
      ...[...this.helpers].map((h) => attempt(`remove ${h}`, () => d.getContainer(h).remove({ force: true }))),
    ]);
    for (const s of this.logStreams.values()) (s as unknown as { destroy?: () => void }).destroy?.();
    this.logStreams.clear();
    await Promise.all([...this.logFiles.values()].map((f) => new Promise<void>((res) => f.end(() => res()))));
    this.logFiles.clear();
    if (this.networkCreated) await attempt(`remove network ${this.network}`, () => d.getNetwork(this.network).remove());
    const vols = recs.flatMap((r) => r.volumes);
    if (this.backupVolume !== undefined) vols.push(this.backupVolume);
    await Promise.all(vols.map((v) => attempt(`remove volume ${v}`, () => d.getVolume(v).remove())));
    return errors;
  }
}
