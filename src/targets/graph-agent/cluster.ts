// Boot N graph-agent nodes in Docker on a per-run bridge network, drive their lifecycle
// (kill/stop/start/restart/pause), and tear everything down again.
//
// Layout per run: network `drill-<runId>`; per node a container `drill-<runId>-<name>`
// (hostname and network alias = node name), a volume `drill-<runId>-<name>-data` at /data,
// client port 8080 published on 127.0.0.1 only, on a random host port. Docker assigns a
// NEW random host port when a container starts again (checked on engine 20.10), so every
// start/restart re-reads the port and updates `clientUrl`. All resources carry drill labels.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { sleep } from '../../core/clock.js';
import { InfraError, UsageError } from '../../core/errors.js';
import { assertDockerAvailable, docker, dockerStatus, errorLine, isNotFound } from '../../docker/engine.js';
import { drillLabels, isValidRunId } from '../../docker/labels.js';
import { addressIn, candidateSubnets, hostRoutes, overlapsRoute } from '../../docker/subnet.js';
import { AgentClient, type AgentStatus } from './agent-http.js';
import { ensureGraphAgentImage } from './image.js';
import { dockerTimeToSince } from '../../docker/build.js';
import type { NodeState } from '../target.js';

export const CLIENT_PORT = 8080;
export const RAFT_PORT = 7000;
const KIND = 'graph-agent';

export interface StartClusterOptions {
  runId: string;
  nodes: number;
  /** Agent settings (REPLICATION, FAILOVER, FSYNC, HEARTBEAT_MS, ELECTION_TIMEOUT_MS...). */
  env?: Record<string, string>;
  /** Image tag; default: ensureGraphAgentImage() for the current build. */
  image?: string;
  /** Append each node's stdout/stderr to `<logDir>/<name>.log`. */
  logDir?: string;
  /** Default `drill-<runId>`. */
  networkName?: string;
  /** Container/volume name prefix; default `drill-<runId>`. */
  namePrefix?: string;
  /**
   * Fault plumbing (docs/faults.md). `peers`: each node's PEERS value, given the run
   * network's gateway (the link proxy listens there); default: direct `<peer>:7000`.
   */
  peers?: (ctx: { gatewayIp: string; names: string[] }) => Promise<Record<string, string>>;
  /**
   * Backup repository: a named volume mounted at /backup in every node (BACKUP_DIR). Created
   * (labelled) when missing and never removed by this cluster's teardown: a restored cluster,
   * possibly on another network, mounts the same repository. docs/backup-restore.md.
   */
  backupVolume?: string;
  /** Extra env per node (e.g. its libfaketime offset file). */
  nodeEnv?: (node: string) => Record<string, string>;
  /** Extra mounts in every node (e.g. the libfaketime offset directory). */
  mounts?: Docker.MountSettings[];
  /** A block device per node for its data volume (size-bounded ext4); default: a plain named volume. */
  volumeDevice?: (node: string) => Promise<string | undefined>;
}

export interface ClusterNode {
  /** n1, n2, ... */
  name: string;
  containerId: string;
  containerName: string;
  /** http://127.0.0.1:<published port>; updated after every start/restart. */
  clientUrl: string;
  /** Named volume mounted at /data. */
  volume: string;
  /** IP on the run network ('' when not running); updated after every start/restart. */
  ip: string;
}

export interface TeardownReport {
  containers: number;
  networks: number;
  volumes: number;
  /** Failures other than "already gone"; teardown never throws. */
  errors: string[];
}

type NodeRef = string | ClusterNode;

/** Parse Docker's RFC 3339 nanosecond timestamps into the "<sec>.<nanos>" form `since` accepts. */

export class Cluster {
  readonly nodes: ClusterNode[];
  private readonly logFiles = new Map<string, WriteStream>();
  private readonly logStreams = new Map<string, NodeJS.ReadableStream>();
  private tornDown = false;

  constructor(
    readonly runId: string,
    readonly network: string,
    nodes: ClusterNode[],
    readonly image: string,
    readonly env: Readonly<Record<string, string>>,
    readonly logDir?: string,
  ) {
    this.nodes = nodes;
  }

  get nodeNames(): string[] {
    return this.nodes.map((n) => n.name);
  }

  node(ref: NodeRef): ClusterNode {
    const name = typeof ref === 'string' ? ref : ref.name;
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new InfraError(`cluster ${this.runId}: no node named ${name} (have ${this.nodeNames.join(', ')})`);
    return n;
  }

  client(ref: NodeRef, timeoutMs?: number): AgentClient {
    return new AgentClient(this.node(ref).clientUrl, timeoutMs === undefined ? {} : { timeoutMs });
  }

  private container(ref: NodeRef): Docker.Container {
    return docker().getContainer(this.node(ref).containerId);
  }

  private async op(what: string, ref: NodeRef, fn: (c: Docker.Container) => Promise<unknown>, ok: number[] = []) {
    const n = this.node(ref);
    try {
      await fn(this.container(n));
    } catch (e) {
      const s = dockerStatus(e);
      if (s !== undefined && ok.includes(s)) return;
      throw new InfraError(`${what} ${n.containerName}: ${errorLine(e)}`);
    }
  }

  /** Send a signal (default SIGKILL) to the node's main process. */
  async kill(ref: NodeRef, signal = 'SIGKILL'): Promise<void> {
    await this.op('kill', ref, (c) => c.kill({ signal }));
  }

  /** Graceful stop: SIGTERM, SIGKILL after `timeoutS`. Already stopped is fine. */
  async stop(ref: NodeRef, timeoutS = 10): Promise<void> {
    await this.op('stop', ref, (c) => c.stop({ t: timeoutS }), [304]);
  }

  /** Start a stopped/killed node (from its volume). Already running is fine. */
  async start(ref: NodeRef): Promise<void> {
    await this.op('start', ref, (c) => c.start(), [304]);
    await this.refresh(ref, true);
  }

  async restart(ref: NodeRef, timeoutS = 10): Promise<void> {
    await this.op('restart', ref, (c) => c.restart({ t: timeoutS }));
    await this.refresh(ref, true);
  }

  async pause(ref: NodeRef): Promise<void> {
    await this.op('pause', ref, (c) => c.pause());
  }

  async unpause(ref: NodeRef): Promise<void> {
    await this.op('unpause', ref, (c) => c.unpause());
  }

  async inspect(ref: NodeRef): Promise<NodeState> {
    const n = this.node(ref);
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.container(n).inspect();
    } catch (e) {
      throw new InfraError(`inspect ${n.containerName}: ${errorLine(e)}`);
    }
    const s = info.State;
    return {
      running: s.Running,
      paused: s.Paused,
      pid: s.Running && s.Pid > 0 ? s.Pid : null,
      exitCode: s.Running ? null : s.ExitCode,
    };
  }

  /** Host pid of the node's process; InfraError when not running. */
  async pid(ref: NodeRef): Promise<number> {
    const st = await this.inspect(ref);
    if (st.pid === null) throw new InfraError(`node ${this.node(ref).name} is not running: no pid`);
    return st.pid;
  }

  /**
   * Re-read the published port and IP (both change when a container starts again), and
   * re-attach the log follower (a log stream ends when its container stops).
   */
  async refresh(ref: NodeRef, reattachLogs = false): Promise<ClusterNode> {
    const n = this.node(ref);
    const info = await this.container(n).inspect();
    const binding = info.NetworkSettings.Ports?.[`${CLIENT_PORT}/tcp`]?.find((b) => b.HostIp === '127.0.0.1');
    if (binding?.HostPort) n.clientUrl = `http://127.0.0.1:${binding.HostPort}`;
    n.ip = info.NetworkSettings.Networks?.[this.network]?.IPAddress ?? '';
    // Not awaited: the follow request must never hold up a fault or a boot.
    // From where the previous run of this container ended; a container that has already
    // exited again (a crash at startup) is read from this run's start, so its last words
    // (a bad-config line, say) are not lost.
    if (reattachLogs) {
      void this.followLogs(n, dockerTimeToSince(info.State.Running ? info.State.FinishedAt : info.State.StartedAt));
    }
    return n;
  }

  /** Follow a node's output into `<logDir>/<name>.log`, from `since` (the previous run's end). */
  private async followLogs(n: ClusterNode, since?: string): Promise<void> {
    if (this.logDir === undefined || this.tornDown) return;
    let file = this.logFiles.get(n.name);
    if (!file) {
      mkdirSync(this.logDir, { recursive: true });
      file = createWriteStream(path.join(this.logDir, `${n.name}.log`), { flags: 'a' });
      file.on('error', () => {});
      this.logFiles.set(n.name, file);
    }
    try {
      const opts = { follow: true as const, stdout: true, stderr: true, ...(since !== undefined ? { since } : {}) };
      // `since` is passed through as a string: the engine accepts "<sec>.<nanos>".
      const stream = (await this.container(n).logs(
        opts as unknown as Docker.ContainerLogsOptions & { follow: true },
      )) as NodeJS.ReadableStream;
      const out = file;
      docker().modem.demuxStream(stream, out, out);
      stream.on('error', () => {});
      // An older stream of this node has ended with its container (or will shortly): it
      // covers output up to FinishedAt, and this one starts there.
      this.logStreams.set(n.name, stream);
      if (this.tornDown) (stream as unknown as { destroy?: () => void }).destroy?.();
    } catch (e) {
      if (!isNotFound(e)) file.write(`[drill] could not follow logs: ${errorLine(e)}\n`);
    }
  }

  /** Statuses of all nodes (null for nodes that do not answer). */
  async statuses(timeoutMs = 500): Promise<Array<AgentStatus | null>> {
    return Promise.all(
      this.nodes.map(async (n) => {
        try {
          return await new AgentClient(n.clientUrl).status(timeoutMs);
        } catch {
          return null;
        }
      }),
    );
  }

  /**
   * The leader, once exactly one node says it is leader and a majority of all nodes
   * (the leader included) name it as leader. Polls /status on every node.
   */
  async currentLeader(timeoutMs = 500): Promise<string | null> {
    const sts = await this.statuses(timeoutMs);
    const leaders = sts.filter((s): s is AgentStatus => s !== null && s.role === 'leader');
    if (leaders.length !== 1) return null;
    const leader = leaders[0]!;
    const agree = sts.filter((s) => s !== null && s.leader === leader.node && s.term === leader.term).length;
    return agree >= Math.floor(this.nodes.length / 2) + 1 ? leader.node : null;
  }

  async waitForLeader(timeoutMs = 15_000, pollMs = 25): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const leader = await this.currentLeader(Math.min(500, Math.max(50, deadline - performance.now())));
      if (leader !== null) return leader;
      if (performance.now() >= deadline) {
        const last = await this.statuses();
        const view = last
          .map((s, i) => `${this.nodes[i]?.name}=${s ? `${s.role}(term ${s.term}, leader ${s.leader})` : 'no answer'}`)
          .join(', ');
        throw new InfraError(`cluster ${this.runId}: no leader agreed by a majority within ${timeoutMs} ms (${view})`);
      }
      await sleep(pollMs);
    }
  }

  /** Remove this cluster's containers, network and volumes. Idempotent; never throws. */
  async teardown(): Promise<TeardownReport> {
    this.tornDown = true;
    const d = docker();
    const rep: TeardownReport = { containers: 0, networks: 0, volumes: 0, errors: [] };
    const attempt = async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
      try {
        await fn();
        return true;
      } catch (e) {
        if (!isNotFound(e)) rep.errors.push(`${what}: ${errorLine(e)}`);
        return false;
      }
    };
    const rmRes = await Promise.all(
      this.nodes.map((n) =>
        attempt(`remove container ${n.containerName}`, () => d.getContainer(n.containerName).remove({ force: true })),
      ),
    );
    rep.containers = rmRes.filter(Boolean).length;
    for (const s of this.logStreams.values()) (s as unknown as { destroy?: () => void }).destroy?.();
    this.logStreams.clear();
    await Promise.all([...this.logFiles.values()].map((f) => new Promise<void>((r) => f.end(() => r()))));
    this.logFiles.clear();
    if (await attempt(`remove network ${this.network}`, () => d.getNetwork(this.network).remove())) rep.networks = 1;
    const volRes = await Promise.all(
      this.nodes.map((n) => attempt(`remove volume ${n.volume}`, () => d.getVolume(n.volume).remove())),
    );
    rep.volumes = volRes.filter(Boolean).length;
    return rep;
  }
}

/** Boot an N-node graph-agent cluster; containers are created and started in parallel. */
export async function startCluster(opts: StartClusterOptions): Promise<Cluster> {
  if (!isValidRunId(opts.runId)) {
    throw new UsageError(`invalid run id ${JSON.stringify(opts.runId)}: use letters, digits, '_', '.', '-' (max 63)`);
  }
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > 15) {
    throw new UsageError(`cluster size must be 1..15, got ${opts.nodes}`);
  }
  await assertDockerAvailable();
  const image = opts.image ?? (await ensureGraphAgentImage()).tag;
  const d = docker();
  const runId = opts.runId;
  const prefix = opts.namePrefix ?? `drill-${runId}`;
  const networkName = opts.networkName ?? `drill-${runId}`;
  const names = Array.from({ length: opts.nodes }, (_, i) => `n${i + 1}`);
  const env = { ...(opts.env ?? {}) };

  // The Cluster object exists from the start so a failed boot can be torn down.
  const nodes: ClusterNode[] = names.map((name) => ({
    name,
    containerId: `${prefix}-${name}`,
    containerName: `${prefix}-${name}`,
    clientUrl: '',
    volume: `${prefix}-${name}-data`,
    ip: '',
  }));
  const cluster = new Cluster(runId, networkName, nodes, image, env, opts.logDir);
  // A fixed address per node (see src/docker/subnet.ts for why not names): pick a /24
  // that no other Docker network and no host route uses; the engine refuses overlaps.
  let subnet = '';
  const routes = hostRoutes();
  for (const candidate of candidateSubnets(networkName)) {
    if (overlapsRoute(candidate, routes)) continue;
    try {
      await d.createNetwork({
        Name: networkName,
        Driver: 'bridge',
        CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: candidate, Gateway: addressIn(candidate, 1) }] },
        Labels: drillLabels({ runId, role: 'sut', kind: KIND }),
      });
      subnet = candidate;
      break;
    } catch (e) {
      if (/overlap/i.test(errorLine(e))) continue;
      // Nothing of ours exists yet; a conflict means another cluster with this run id is live.
      throw new InfraError(
        `start cluster ${runId}: create network ${networkName}: ${errorLine(e)}`,
        dockerStatus(e) === 409
          ? `run id in use; remove leftovers with removeRunResources('${runId}') or pick another run id`
          : undefined,
      );
    }
  }
  if (subnet === '') {
    throw new InfraError(
      `start cluster ${runId}: no free /24 in 10.213.0.0/16 for network ${networkName}`,
      'remove old networks: drill cleanup',
    );
  }
  const ipOf = (name: string) => addressIn(subnet, 10 + names.indexOf(name) + 1);
  try {
    let peersOf: Record<string, string> | undefined;
    if (opts.peers) {
      const net = await d.getNetwork(networkName).inspect();
      const gatewayIp: string = net.IPAM?.Config?.[0]?.Gateway ?? '';
      if (gatewayIp === '')
        throw new InfraError(`start cluster ${runId}: network ${networkName} has no gateway address`);
      peersOf = await opts.peers({ gatewayIp, names });
    }
    if (opts.backupVolume !== undefined) {
      await d.createVolume({ Name: opts.backupVolume, Labels: drillLabels({ runId, role: 'helper', kind: KIND }) });
    }
    const backupMount: Docker.MountSettings[] =
      opts.backupVolume !== undefined ? [{ Type: 'volume', Source: opts.backupVolume, Target: '/backup' }] : [];
    await Promise.all(
      nodes.map(async (n) => {
        const device = await opts.volumeDevice?.(n.name);
        await d.createVolume({
          Name: n.volume,
          Labels: drillLabels({ runId, role: 'sut', node: n.name, kind: KIND }),
          ...(device !== undefined ? { Driver: 'local', DriverOpts: { type: 'ext4', device } } : {}),
        });
        const peers = names.filter((p) => p !== n.name).map((p) => `${p}=${ipOf(p)}:${RAFT_PORT}`);
        const c = await d.createContainer({
          name: n.containerName,
          Hostname: n.name,
          Image: image,
          Env: Object.entries({
            ...env,
            ...(opts.nodeEnv?.(n.name) ?? {}),
            NODE_ID: n.name,
            PEERS: peersOf?.[n.name] ?? peers.join(','),
            DATA_DIR: '/data',
            ...(opts.backupVolume !== undefined ? { BACKUP_DIR: '/backup' } : {}),
            CLIENT_PORT: String(CLIENT_PORT),
            RAFT_PORT: String(RAFT_PORT),
          }).map(([k, v]) => `${k}=${v}`),
          Labels: drillLabels({ runId, role: 'sut', node: n.name, kind: KIND }),
          ExposedPorts: { [`${CLIENT_PORT}/tcp`]: {} },
          HostConfig: {
            NetworkMode: networkName,
            PortBindings: { [`${CLIENT_PORT}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
            Mounts: [{ Type: 'volume', Source: n.volume, Target: '/data' }, ...backupMount, ...(opts.mounts ?? [])],
            Init: false,
          },
          NetworkingConfig: {
            EndpointsConfig: { [networkName]: { Aliases: [n.name], IPAMConfig: { IPv4Address: ipOf(n.name) } } },
          },
        });
        n.containerId = c.id;
      }),
    );
    await Promise.all(nodes.map((n) => d.getContainer(n.containerId).start()));
    // Logs are followed from the beginning (the engine keeps them), after start: the engine
    // may not answer a follow request for a container that has not started yet.
    await Promise.all(nodes.map((n) => cluster.refresh(n, true)));
    return cluster;
  } catch (e) {
    await cluster.teardown();
    if (e instanceof InfraError || e instanceof UsageError) throw e;
    throw new InfraError(
      `start cluster ${runId}: ${errorLine(e)}`,
      'see `docker ps -a --filter label=drill.managed=true`',
    );
  }
}
