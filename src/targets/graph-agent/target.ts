// graph-agent behind the target seam: the cluster driver (cluster.ts) boots the
// containers, the agent's HTTP API answers the health and role probes, and the client
// (client.ts) carries the workload and the final read.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FinalReadSource } from '../../client/final-read.js';
import type { WriteClient } from '../../client/write-client.js';
import { InfraError } from '../../core/errors.js';
import type {
  ImageBuildListener,
  NodeClock,
  NodeDisk,
  NodeNetwork,
  NodeResources,
  NodeState,
  Target,
} from '../target.js';
import { AgentClient } from './agent-http.js';
import { GraphAgentClient, GraphAgentFinalReadSource } from './client.js';
import { RAFT_PORT, startCluster, type Cluster, type StartClusterOptions } from './cluster.js';
import { FaultPlumbing } from './fault-plumbing.js';
import { ensureGraphAgentImage } from './image.js';
import type { BackupControl } from '../backup.js';
import { GraphAgentBackupOps } from './backup-ops.js';
import type { ExecAnswer } from '../../docker/exec.js';
import { drillLabels } from '../../docker/labels.js';
import type { Engine, MountSpec } from '../../engines/engine.js';

export interface GraphAgentSettings {
  nodes: number;
  heartbeatMs?: number | undefined;
  electionTimeoutMs?: number | undefined;
  replication?: 'sync' | 'async' | undefined;
  /** replication async: how old a write is before the leader sends it to the followers, ms. */
  replicationLagMs?: number | undefined;
  fsync?: 'on' | 'off' | undefined;
  /** fsync off: how old a write is before it reaches the WAL file, ms. */
  flushLagMs?: number | undefined;
  failover?: 'raft' | 'naive' | undefined;
  /** Route node-to-node traffic through the harness's link proxy (delay without netem). */
  linkProxy?: boolean | undefined;
  /** Backup settings (docs/backup-restore.md). */
  backup?:
    | {
        chunk_size?: number | undefined;
        full_every?: number | undefined;
        max_rate?: number | undefined;
        snapshot: 'consistent' | 'fuzzy';
        incremental: 'log' | 'mtime';
      }
    | undefined;
  /** Give each node a size-bounded data volume of this many MiB (disk-full faults). */
  diskLimitMb?: number | undefined;
  /** The host of each node, by node name (a swarm's node hostnames); default: spread over the hosts. */
  placement?: Record<string, string> | undefined;
}

/** Probes must not hang on a paused node: they answer within this. */
const PROBE_TIMEOUT_MS = 400;
const BOOT_TIMEOUT_MS = 60_000;

export class GraphAgentTarget implements Target {
  readonly kind = 'graph-agent';
  /** Graph writes (edges checked against their vertices) by default, key/value writes on request. */
  readonly workloads = ['graph', 'kv'] as const;
  readonly nodeNames: readonly string[];
  private cluster: Cluster | undefined;
  private image: string | undefined;
  private plumbing: FaultPlumbing | undefined;
  readonly network: NodeNetwork;
  readonly clocks: NodeClock;
  readonly disk: NodeDisk | undefined;
  readonly resources: NodeResources;
  /** Backups and restores (docs/backup-restore.md): the shared repository volume, destroy, restore. */
  readonly backups: BackupControl;
  private readonly backupVolume: string;
  private backupMount: MountSpec | undefined;
  /** Clusters replaced by a restore (destroyed or not): torn down with the run. */
  private readonly retired: Cluster[] = [];

  constructor(
    private readonly settings_: GraphAgentSettings,
    private readonly runId: string,
    private readonly logDir: string,
    private readonly engine: Engine,
    private readonly onImageBuild?: ImageBuildListener,
  ) {
    this.nodeNames = Array.from({ length: settings_.nodes }, (_, i) => `n${i + 1}`);
    this.backupVolume = `drill-${runId}-backup`;
    this.backups = new GraphAgentBackupOps({
      runId,
      backupVolume: this.backupVolume,
      engine,
      noRepository: () =>
        this.cluster !== undefined && this.backupMount === undefined
          ? `backups on engine ${engine.kind} need a directory every host shares: DRILL_SWARM_SHARED_DIR`
          : undefined,
      current: () => this.c(),
      startCluster: (o) => startCluster({ ...this.clusterOptions(), ...o }),
      switchTo: (c) => {
        if (this.cluster && this.cluster !== c) this.retired.push(this.cluster);
        this.cluster = c;
      },
      track: (c) => {
        if (!this.retired.includes(c)) this.retired.push(c);
      },
    });
    const plumbing = () => this.plumbing;
    this.network = {
      pid: (n) => this.c().netns(n),
      ip: async (n) => (await this.c().refresh(n)).ip,
      peerPort: RAFT_PORT,
      // The link proxy starts at boot, after this object exists: read it when asked.
      get links() {
        return plumbing()?.links;
      },
    };
    this.clocks = {
      setClockOffset: (n, s) => this.p().setClockOffset(n, s),
      readClock: async (n) => {
        const u = this.url(n);
        if (!u) return null;
        try {
          const st = await new AgentClient(u, { timeoutMs: PROBE_TIMEOUT_MS }).status(PROBE_TIMEOUT_MS);
          return typeof st.clock_ms === 'number' ? st.clock_ms : null;
        } catch {
          return null;
        }
      },
      skewBlocker: async () => this.p().skewBlocker(),
    };
    // Resource faults act on the node's container and cgroups through its host's HostOps (an agent on a swarm).
    this.resources = {
      containerId: (n) => this.cluster?.nodes.find((x) => x.name === n)?.containerId || undefined,
      dataVolumes: (n) => [this.c().node(n).volume],
      ops: (n) => engine.hostOps(this.c().node(n).host),
    };
    this.disk =
      settings_.diskLimitMb === undefined
        ? undefined
        : {
            fillDisk: (n) => this.p().fillDisk(n),
            freeDisk: (n) => this.p().freeDisk(n),
            diskFree: (n) => this.p().diskFree(n),
          };
  }

  private p(): FaultPlumbing {
    if (!this.plumbing) throw new InfraError('graph-agent cluster is not started');
    return this.plumbing;
  }

  private env(): Record<string, string> {
    const s = this.settings_;
    const env: Record<string, string> = {};
    if (s.heartbeatMs !== undefined) env.HEARTBEAT_MS = String(s.heartbeatMs);
    if (s.electionTimeoutMs !== undefined) env.ELECTION_TIMEOUT_MS = String(s.electionTimeoutMs);
    if (s.replication !== undefined) env.REPLICATION = s.replication;
    if (s.replicationLagMs !== undefined) env.REPLICATION_LAG_MS = String(Math.round(s.replicationLagMs));
    if (s.fsync !== undefined) env.FSYNC = s.fsync;
    if (s.flushLagMs !== undefined) env.FLUSH_LAG_MS = String(Math.round(s.flushLagMs));
    if (s.failover !== undefined) env.FAILOVER = s.failover;
    if (s.backup !== undefined) {
      if (s.backup.chunk_size !== undefined) env.BACKUP_CHUNK_BYTES = String(s.backup.chunk_size);
      if (s.backup.full_every !== undefined) env.BACKUP_FULL_EVERY = String(s.backup.full_every);
      if (s.backup.max_rate !== undefined) env.BACKUP_MAX_BYTES_PER_S = String(s.backup.max_rate);
      env.SNAPSHOT = s.backup.snapshot;
      env.INCREMENTAL = s.backup.incremental;
    }
    return { ...env, ...(this.plumbing?.env() ?? {}) };
  }

  /** How every cluster of this run starts (the first, and the fresh one a restore loads into). */
  private clusterOptions(): StartClusterOptions {
    const placement = this.settings_.placement;
    return {
      runId: this.runId,
      nodes: this.settings_.nodes,
      engine: this.engine,
      env: this.env(),
      ...(this.image !== undefined ? { image: this.image } : {}),
      logDir: this.logDir,
      ...(this.backupMount !== undefined ? { backup: this.backupMount } : {}),
      ...(this.plumbing ? { mounts: this.plumbing.mounts() } : {}),
      nodeEnv: (n: string) => this.plumbing?.nodeEnv(n) ?? {},
      ...(this.settings_.diskLimitMb !== undefined
        ? { volumeDevice: (n: string, host: string) => this.p().volumeDevice(n, host) }
        : {}),
      ...(placement !== undefined ? { placement: (n: string) => placement[n] } : {}),
    };
  }

  async boot(signal?: AbortSignal): Promise<void> {
    await this.engine.check();
    const img = await ensureGraphAgentImage(this.onImageBuild ? { onBuild: this.onImageBuild } : {});
    this.image = img.tag;
    await this.engine.distributeImage(img.tag);
    signal?.throwIfAborted();
    this.plumbing = new FaultPlumbing(this.runId, this.nodeNames, this.engine, {
      faketime: img.faketime,
      linkProxy: this.settings_.linkProxy ?? false,
      diskLimitMb: this.settings_.diskLimitMb,
      upstream: (n) => {
        const ip = this.cluster?.nodes.find((x) => x.name === n)?.ip ?? '';
        return ip === '' ? null : { host: ip, port: RAFT_PORT };
      },
      where: async (n) => {
        const node = this.c().node(n);
        const st = await this.c()
          .inspect(n)
          .catch(() => null);
        return { host: node.host, pid: st?.pid ?? null, volume: node.volume };
      },
    });
    await this.plumbing.prepare();
    this.backupMount = await this.engine.repository(
      this.backupVolume,
      '/backup',
      drillLabels({ runId: this.runId, role: 'helper', kind: 'graph-agent' }),
    );
    this.cluster = await startCluster({
      ...this.clusterOptions(),
      ...(this.plumbing.wantsPeers()
        ? { peers: (ctx: { gatewayIp: string }) => this.p().peers(ctx.gatewayIp, RAFT_PORT) }
        : {}),
    });
    signal?.throwIfAborted();
    // Fail fast when a node dies during boot (a bad setting, a crash), with its last words,
    // instead of waiting out the whole boot timeout.
    const cluster = this.cluster;
    let watching = true;
    const died = (async (): Promise<string> => {
      while (watching) {
        await new Promise((r) => setTimeout(r, 300));
        for (const n of this.nodeNames) {
          const st = await cluster.inspect(n).catch(() => null);
          if (watching && st && !st.running)
            return `${n} exited with code ${st.exitCode ?? '?'} during boot${this.lastLogLine(n)}`;
        }
      }
      return '';
    })();
    try {
      const why = await Promise.race([cluster.waitForLeader(BOOT_TIMEOUT_MS).then(() => ''), died]);
      if (why !== '') throw new Error(why);
    } catch (e) {
      throw new InfraError(
        `graph-agent cluster did not come up: ${e instanceof Error ? e.message : String(e)}`,
        `see the node logs in ${this.logDir}`,
      );
    } finally {
      watching = false;
    }
  }

  /** ": <last line>" of a node's captured log, or "" (for boot failure messages). */
  private lastLogLine(node: string): string {
    try {
      const lines = readFileSync(join(this.logDir, `${node}.log`), 'utf8')
        .trim()
        .split('\n');
      const last = lines.at(-1)?.trim();
      return last ? `: ${last}` : '';
    } catch {
      return '';
    }
  }

  private c(): Cluster {
    if (!this.cluster) throw new InfraError('graph-agent cluster is not started');
    return this.cluster;
  }

  private url(node: string): string | undefined {
    // '' after a destroy: the node has no address (and its old port may be reused by others)
    return this.cluster?.nodes.find((n) => n.name === node)?.clientUrl || undefined;
  }

  async teardown(): Promise<void> {
    await this.cluster?.teardown().catch(() => undefined);
    for (const c of this.retired) await c.teardown().catch(() => undefined);
    await this.engine.removeRepository(this.backupVolume).catch(() => undefined);
    await this.plumbing?.close().catch(() => undefined);
    await this.engine.close();
  }

  kill(node: string, signal: string): Promise<void> {
    return this.c().kill(node, signal);
  }
  stop(node: string): Promise<void> {
    return this.c().stop(node, 5);
  }
  start(node: string): Promise<void> {
    return this.c().start(node);
  }
  restart(node: string): Promise<void> {
    return this.c().restart(node);
  }
  pause(node: string): Promise<void> {
    return this.c().pause(node);
  }
  unpause(node: string): Promise<void> {
    return this.c().unpause(node);
  }
  async inspect(node: string): Promise<NodeState> {
    const s = await this.c().inspect(node);
    // observedT: seen by another host's agent (a swarm); the faults then know the pid and container are not this
    // machine's, and confirm at that agent's instant (exit-confirm.ts), as for a custom target.
    return {
      running: s.running,
      paused: s.paused,
      pid: s.pid || null,
      exitCode: s.exitCode ?? null,
      ...(s.observedT !== undefined ? { observedT: s.observedT } : {}),
    };
  }

  exec(node: string, argv: string[], timeoutMs: number): Promise<ExecAnswer> {
    return this.c().placedNode(node).exec(argv, timeoutMs);
  }

  async health(node: string): Promise<boolean> {
    const u = this.url(node);
    if (!u) return false;
    return new AgentClient(u, { timeoutMs: PROBE_TIMEOUT_MS }).healthy(PROBE_TIMEOUT_MS);
  }

  /**
   * The leader: a node that reports itself leader; with several (split brain under a
   * flaw switch), the one with the highest term. Null when no node claims leadership.
   */
  async leader(): Promise<string | null> {
    return (await this.leaders())[0] ?? null;
  }

  /** Every node reporting role leader, highest term first (several at once: split brain). */
  async leaders(): Promise<string[]> {
    const statuses = await Promise.all(
      this.nodeNames.map(async (n) => {
        const u = this.url(n);
        if (!u) return null;
        try {
          return await new AgentClient(u, { timeoutMs: PROBE_TIMEOUT_MS }).status(PROBE_TIMEOUT_MS);
        } catch {
          return null;
        }
      }),
    );
    return statuses
      .filter((s): s is NonNullable<typeof s> => s !== null && s.role === 'leader')
      .sort((a, b) => b.term - a.term)
      .map((s) => s.node);
  }

  writeClient(): WriteClient {
    return new GraphAgentClient([...this.nodeNames], (n) => this.url(n));
  }

  finalReadSource(): FinalReadSource {
    return new GraphAgentFinalReadSource([...this.nodeNames], (n) => this.url(n));
  }

  hostClock(host: string): { clock_offset_ms: number; clock_error_ms: number } | null {
    return this.engine.hostClock(host);
  }

  /** The host each node runs on ('local' on one Docker host). */
  hostOf(node: string): string | undefined {
    return this.cluster?.nodes.find((n) => n.name === node)?.host || undefined;
  }

  settings(): Record<string, unknown> {
    const hosts = Object.fromEntries(this.nodeNames.map((n) => [n, this.hostOf(n) ?? null]));
    return {
      image: this.image,
      ...this.settings_,
      ...(this.plumbing?.settings() ?? {}),
      ...this.engine.settings(),
      hosts,
    };
  }
}
