// graph-agent behind the target seam: the cluster driver (cluster.ts) boots the
// containers, the agent's HTTP API answers the health and role probes, and the client
// (client.ts) carries the workload and the final read.

import type { FinalReadSource } from '../../client/final-read.js';
import type { WriteClient } from '../../client/write-client.js';
import { InfraError } from '../../core/errors.js';
import type { NodeState, Target } from '../target.js';
import { AgentClient } from './agent-http.js';
import { GraphAgentClient, GraphAgentFinalReadSource } from './client.js';
import { startCluster, type Cluster } from './cluster.js';
import { ensureGraphAgentImage } from './image.js';

export interface GraphAgentSettings {
  nodes: number;
  heartbeatMs?: number | undefined;
  electionTimeoutMs?: number | undefined;
  replication?: 'sync' | 'async' | undefined;
  fsync?: 'on' | 'off' | undefined;
  failover?: 'raft' | 'naive' | undefined;
}

/** Probes must not hang on a paused node: they answer within this. */
const PROBE_TIMEOUT_MS = 400;
const BOOT_TIMEOUT_MS = 60_000;

export class GraphAgentTarget implements Target {
  readonly kind = 'graph-agent';
  readonly nodeNames: readonly string[];
  private cluster: Cluster | undefined;
  private image: string | undefined;

  constructor(
    private readonly settings_: GraphAgentSettings,
    private readonly runId: string,
    private readonly logDir: string,
  ) {
    this.nodeNames = Array.from({ length: settings_.nodes }, (_, i) => `n${i + 1}`);
  }

  private env(): Record<string, string> {
    const s = this.settings_;
    const env: Record<string, string> = {};
    if (s.heartbeatMs !== undefined) env.HEARTBEAT_MS = String(s.heartbeatMs);
    if (s.electionTimeoutMs !== undefined) env.ELECTION_TIMEOUT_MS = String(s.electionTimeoutMs);
    if (s.replication !== undefined) env.REPLICATION = s.replication;
    if (s.fsync !== undefined) env.FSYNC = s.fsync;
    if (s.failover !== undefined) env.FAILOVER = s.failover;
    return env;
  }

  async boot(signal?: AbortSignal): Promise<void> {
    const img = await ensureGraphAgentImage();
    this.image = img.tag;
    signal?.throwIfAborted();
    this.cluster = await startCluster({
      runId: this.runId,
      nodes: this.settings_.nodes,
      env: this.env(),
      image: img.tag,
      logDir: this.logDir,
    });
    signal?.throwIfAborted();
    try {
      await this.cluster.waitForLeader(BOOT_TIMEOUT_MS);
    } catch (e) {
      throw new InfraError(
        `graph-agent cluster did not elect a leader within ${BOOT_TIMEOUT_MS / 1000} s: ${e instanceof Error ? e.message : String(e)}`,
        `see the node logs in ${this.logDir}`,
      );
    }
  }

  private c(): Cluster {
    if (!this.cluster) throw new InfraError('graph-agent cluster is not started');
    return this.cluster;
  }

  private url(node: string): string | undefined {
    return this.cluster?.nodes.find((n) => n.name === node)?.clientUrl;
  }

  async teardown(): Promise<void> {
    await this.cluster?.teardown().catch(() => undefined);
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
    return { running: s.running, paused: s.paused, pid: s.pid || null, exitCode: s.exitCode ?? null };
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
    let best: { node: string; term: number } | null = null;
    for (const s of statuses) {
      if (s && s.role === 'leader' && (!best || s.term > best.term)) best = { node: s.node, term: s.term };
    }
    return best?.node ?? null;
  }

  writeClient(): WriteClient {
    return new GraphAgentClient([...this.nodeNames], (n) => this.url(n));
  }

  finalReadSource(): FinalReadSource {
    return new GraphAgentFinalReadSource([...this.nodeNames], (n) => this.url(n));
  }

  settings(): Record<string, unknown> {
    return { image: this.image, ...this.settings_ };
  }
}

