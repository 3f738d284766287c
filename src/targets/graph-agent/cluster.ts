// Boot N graph-agent nodes through an engine (src/engines/: one Docker host, or a swarm),
// drive their lifecycle (kill/stop/start/restart/pause), and tear everything down again.
//
// Layout per run: network `drill-<runId>`; per node a container (one host) or a service
// (swarm) `drill-<runId>-<name>` (hostname and network alias = node name), a volume
// `drill-<runId>-<name>-data` at /data, client port 8080 published where the harness
// reaches it (127.0.0.1 on one host). The published port and the node's address change
// when a node starts again, so every start/restart re-reads them and updates `clientUrl`.
// All resources carry drill labels.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { monotonicClock, sleep } from '../../core/clock.js';
import { InfraError, UsageError } from '../../core/errors.js';
import { errorLine } from '../../docker/engine.js';
import { drillLabels, isValidRunId } from '../../docker/labels.js';
import { DockerEngine } from '../../engines/docker/docker-engine.js';
import type { Engine, EngineNode, MountSpec, RunNetwork } from '../../engines/engine.js';
import type { Netns } from '../../docker/netns.js';
import { AgentClient, type AgentStatus } from './agent-http.js';
import { ensureGraphAgentImage } from './image.js';
import type { NodeState } from '../target.js';

export const CLIENT_PORT = 8080;
export const RAFT_PORT = 7000;
const KIND = 'graph-agent';

export interface StartClusterOptions {
  runId: string;
  nodes: number;
  /** Where the nodes run; default: this machine's Docker host. */
  engine?: Engine;
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
   * Backup repository, mounted at /backup in every node (BACKUP_DIR): a shared mount the
   * engine made (a named volume on one host). Never removed by this cluster's teardown: a
   * restored cluster, possibly on another network, mounts the same repository.
   */
  backup?: MountSpec;
  /** Extra env per node (e.g. its libfaketime offset file). */
  nodeEnv?: (node: string) => Record<string, string>;
  /** Extra mounts in every node (e.g. the libfaketime offset directory). */
  mounts?: MountSpec[];
  /** A block device of the node's host for its data volume (size-bounded ext4); default: a plain named volume. */
  volumeDevice?: (node: string, host: string) => Promise<string | undefined>;
  /** The host of each node (a swarm's node hostnames); default: round robin over the engine's hosts. */
  placement?: (node: string) => string | undefined;
}

export interface ClusterNode {
  /** n1, n2, ... */
  name: string;
  /** The container id on its host ('' while it has none). */
  containerId: string;
  containerName: string;
  /** http://<host>:<published port>; updated after every start/restart. */
  clientUrl: string;
  /** Named volume mounted at /data. */
  volume: string;
  /** IP on the run network ('' when not running); updated after every start/restart. */
  ip: string;
  /** The host it runs on ('local' on one Docker host). */
  host: string;
}

export interface TeardownReport {
  containers: number;
  networks: number;
  volumes: number;
  /** Failures other than "already gone"; teardown never throws. */
  errors: string[];
}

type NodeRef = string | ClusterNode;

export class Cluster {
  readonly nodes: ClusterNode[];
  private readonly placed = new Map<string, EngineNode>();
  private readonly logFiles = new Map<string, WriteStream>();
  private readonly logStops = new Map<string, () => void>();
  private tornDown = false;

  constructor(
    readonly runId: string,
    readonly network: string,
    nodes: ClusterNode[],
    readonly image: string,
    readonly env: Readonly<Record<string, string>>,
    readonly logDir: string | undefined,
    readonly engine: Engine,
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

  /** The engine's handle of a node (InfraError before it was placed). */
  placedNode(ref: NodeRef): EngineNode {
    const n = this.node(ref);
    const p = this.placed.get(n.name);
    if (!p) throw new InfraError(`node ${n.name} (${n.containerName}) was not started`);
    return p;
  }

  /** @internal startCluster registers each node it placed. */
  place(name: string, node: EngineNode): void {
    this.placed.set(name, node);
    const n = this.node(name);
    n.host = node.host;
    n.containerId = node.containerId();
  }

  client(ref: NodeRef, timeoutMs?: number): AgentClient {
    return new AgentClient(this.node(ref).clientUrl, timeoutMs === undefined ? {} : { timeoutMs });
  }

  /** Send a signal (default SIGKILL) to the node's main process. */
  async kill(ref: NodeRef, signal = 'SIGKILL'): Promise<void> {
    await this.placedNode(ref).kill(signal);
  }

  /** Graceful stop: SIGTERM, SIGKILL after `timeoutS`. Already stopped is fine. */
  async stop(ref: NodeRef, timeoutS = 10): Promise<void> {
    await this.placedNode(ref).stop(timeoutS);
  }

  /** Start a stopped/killed node (from its volume). Already running is fine. */
  async start(ref: NodeRef): Promise<void> {
    await this.placedNode(ref).start();
    await this.refresh(ref, true);
  }

  async restart(ref: NodeRef, timeoutS = 10): Promise<void> {
    await this.placedNode(ref).restart(timeoutS);
    await this.refresh(ref, true);
  }

  async pause(ref: NodeRef): Promise<void> {
    await this.placedNode(ref).pause();
  }

  async unpause(ref: NodeRef): Promise<void> {
    await this.placedNode(ref).unpause();
  }

  async inspect(ref: NodeRef): Promise<NodeState> {
    return this.placedNode(ref).inspect();
  }

  /** Host pid of the node's process; InfraError when not running. */
  async pid(ref: NodeRef): Promise<number> {
    const st = await this.inspect(ref);
    if (st.pid === null) throw new InfraError(`node ${this.node(ref).name} is not running: no pid`);
    return st.pid;
  }

  /** The node's network namespace, on whichever host it runs (faults run iptables / tc in it). */
  async netns(ref: NodeRef): Promise<Netns> {
    const p = this.placedNode(ref);
    return this.engine.hostOps(p.host).netns(await this.pid(ref));
  }

  /**
   * Re-read the published port and IP (both change when a node starts again), and
   * re-attach the log follower (a log stream ends when its container stops).
   */
  async refresh(ref: NodeRef, reattachLogs = false): Promise<ClusterNode> {
    const n = this.node(ref);
    const p = this.placedNode(n);
    const addr = await p.refresh();
    const pub = addr.ports.get(CLIENT_PORT);
    if (pub) n.clientUrl = `http://${pub.host}:${pub.port}`;
    n.ip = addr.ip;
    n.containerId = p.containerId();
    // Not awaited: the follow request must never hold up a fault or a boot.
    if (reattachLogs) void this.followLogs(n, p);
    return n;
  }

  /** Follow a node's output into `<logDir>/<name>.log`, from where its previous run ended. */
  private async followLogs(n: ClusterNode, p: EngineNode): Promise<void> {
    if (this.logDir === undefined || this.tornDown) return;
    let file = this.logFiles.get(n.name);
    if (!file) {
      mkdirSync(this.logDir, { recursive: true });
      file = createWriteStream(path.join(this.logDir, `${n.name}.log`), { flags: 'a' });
      file.on('error', () => {});
      this.logFiles.set(n.name, file);
    }
    try {
      const stop = await p.followLogs(file, await p.logsSince());
      if (stop === null) return;
      // An older stream of this node has ended with its container (or will shortly): it
      // covers output up to where this one starts.
      this.logStops.set(n.name, stop);
      if (this.tornDown) stop();
    } catch (e) {
      file.write(`[drill] could not follow logs: ${errorLine(e)}\n`);
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

  /** Remove this cluster's nodes, network and data volumes. Idempotent; never throws. */
  async teardown(): Promise<TeardownReport> {
    this.tornDown = true;
    const rep: TeardownReport = { containers: 0, networks: 0, volumes: 0, errors: [] };
    const attempt = async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
      try {
        await fn();
        return true;
      } catch (e) {
        rep.errors.push(`${what}: ${errorLine(e)}`);
        return false;
      }
    };
    const placed = [...this.placed.values()];
    this.placed.clear();
    const rmRes = await Promise.all(placed.map((p) => attempt(`remove node ${p.name}`, () => p.remove())));
    rep.containers = rmRes.filter(Boolean).length;
    for (const stop of this.logStops.values()) stop();
    this.logStops.clear();
    await Promise.all([...this.logFiles.values()].map((f) => new Promise<void>((r) => f.end(() => r()))));
    this.logFiles.clear();
    if (await attempt(`remove network ${this.network}`, () => this.engine.removeNetwork(this.network)))
      rep.networks = 1;
    const volRes = await Promise.all(
      this.nodes.map((n) => attempt(`remove volume ${n.volume}`, () => this.engine.removeVolume(n.volume))),
    );
    rep.volumes = volRes.filter(Boolean).length;
    return rep;
  }
}

/** Boot an N-node graph-agent cluster; nodes are placed and started in parallel. */
export async function startCluster(opts: StartClusterOptions): Promise<Cluster> {
  if (!isValidRunId(opts.runId)) {
    throw new UsageError(`invalid run id ${JSON.stringify(opts.runId)}: use letters, digits, '_', '.', '-' (max 63)`);
  }
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > 15) {
    throw new UsageError(`cluster size must be 1..15, got ${opts.nodes}`);
  }
  const engine = opts.engine ?? new DockerEngine(monotonicClock());
  await engine.check();
  const image = opts.image ?? (await ensureGraphAgentImage()).tag;
  const runId = opts.runId;
  const prefix = opts.namePrefix ?? `drill-${runId}`;
  const networkName = opts.networkName ?? `drill-${runId}`;
  const names = Array.from({ length: opts.nodes }, (_, i) => `n${i + 1}`);
  const env = { ...(opts.env ?? {}) };

  // The Cluster object exists from the start so a failed boot can be torn down.
  const nodes: ClusterNode[] = names.map((name) => ({
    name,
    containerId: '',
    containerName: `${prefix}-${name}`,
    clientUrl: '',
    volume: `${prefix}-${name}-data`,
    ip: '',
    host: '',
  }));
  const cluster = new Cluster(runId, networkName, nodes, image, env, opts.logDir, engine);
  // Nothing of ours exists yet when this fails: no teardown.
  const net: RunNetwork = await engine.createNetwork({
    name: networkName,
    labels: drillLabels({ runId, role: 'sut', kind: KIND }),
    nodes: names,
  });
  try {
    const hosts = await engine.hosts();
    const hostOf = (name: string) => opts.placement?.(name) ?? hosts[names.indexOf(name) % hosts.length]!;
    let peersOf: Record<string, string> | undefined;
    if (opts.peers) {
      if (net.gateway === undefined)
        throw new InfraError(
          `start cluster ${runId}: the link proxy needs a run network the harness is on (not on ${engine.kind})`,
        );
      peersOf = await opts.peers({ gatewayIp: net.gateway, names });
    }
    await Promise.all(
      nodes.map(async (n) => {
        const host = hostOf(n.name);
        const device = await opts.volumeDevice?.(n.name, host);
        const peers = names.filter((p) => p !== n.name).map((p) => `${p}=${net.peerAddress(p)}:${RAFT_PORT}`);
        const placedNode = await engine.startNode(
          {
            name: n.name,
            resourceName: n.containerName,
            image,
            env: {
              ...env,
              ...(opts.nodeEnv?.(n.name) ?? {}),
              NODE_ID: n.name,
              PEERS: peersOf?.[n.name] ?? peers.join(','),
              DATA_DIR: '/data',
              ...(opts.backup !== undefined ? { BACKUP_DIR: '/backup' } : {}),
              CLIENT_PORT: String(CLIENT_PORT),
              RAFT_PORT: String(RAFT_PORT),
            },
            ports: [CLIENT_PORT],
            mounts: [
              { kind: 'volume', name: n.volume, target: '/data', device },
              ...(opts.backup !== undefined ? [opts.backup] : []),
              ...(opts.mounts ?? []),
            ],
            labels: drillLabels({ runId, role: 'sut', node: n.name, kind: KIND }),
            host,
          },
          net,
        );
        cluster.place(n.name, placedNode);
      }),
    );
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
