// graph-agent's backup capability: the agent's /backup, /backups, /backups/verify and
// /restore endpoints, plus the Docker side: the shared repository volume, destroying
// nodes/volumes/clusters/regions, and booting the fresh cluster a restore loads into.

import type { CorruptedChunk } from '../../faults/backup-storage.js';
import { errorLine } from '../../docker/engine.js';
import { InfraError } from '../../core/errors.js';
import type { Engine } from '../../engines/engine.js';
import type {
  BackupControl,
  BackupRefusal,
  BackupSummary,
  DestroyWhat,
  RestoreInto,
  RestoreResult,
  VerifyResult,
} from '../backup.js';
import { BackupRefusedError } from '../backup.js';
import { AgentClient } from './agent-http.js';
import type { Cluster, StartClusterOptions } from './cluster.js';

const RESTORE_TIMEOUT_MS = 15 * 60_000;
const BOOT_TIMEOUT_MS = 60_000;

export interface BackupOpsHost {
  readonly runId: string;
  readonly backupVolume: string;
  readonly engine: Engine;
  /** Why the run has no backup repository (an engine without shared storage), or undefined. */
  noRepository(): string | undefined;
  current(): Cluster;
  /** Start a cluster like the first one, with these names (the target adds image, env, mounts...). */
  startCluster(o: Pick<StartClusterOptions, 'namePrefix' | 'networkName'>): Promise<Cluster>;
  /** Make `c` the target's cluster (workload and probes follow); keep the old one for teardown. */
  switchTo(c: Cluster): void;
  /** Remember a cluster so the run's teardown removes it whatever happens. */
  track(c: Cluster): void;
}

/** graph-agent's error codes (packages/graph-agent/src/backup/) as refusal reasons. */
const REFUSALS: Record<string, BackupRefusal> = {
  corrupt_backup: 'corrupt',
  no_backup: 'missing',
  no_such_backup: 'missing',
  position_not_covered: 'not-covered',
  repository_unavailable: 'unavailable',
  repository_unwritable: 'unavailable',
  backup_in_progress: 'busy',
  restore_in_progress: 'busy',
};

/** The agent's error answer as a BackupRefusedError with its reason. */
export function refused(r: { status: number; error: string; message: string }): BackupRefusedError {
  const reason = Object.hasOwn(REFUSALS, r.error) ? REFUSALS[r.error] : undefined;
  return new BackupRefusedError(r.status, r.error, r.message, reason ?? 'failed');
}

export class GraphAgentBackupOps implements BackupControl {
  readonly supports = { incremental: true, pointInTime: true, verify: true };
  private gen = 1;

  constructor(private readonly host: BackupOpsHost) {}

  get generation(): number {
    return this.gen;
  }

  private repository(): void {
    const why = this.host.noRepository();
    if (why !== undefined) throw new InfraError(why, 'docs/swarm.md');
  }

  private client(node: string, timeoutMs = 10_000): AgentClient {
    const c = this.host.current();
    return new AgentClient(c.node(node).clientUrl, { timeoutMs });
  }

  async backup(
    node: string,
    req: { type: 'full' | 'incremental'; resume?: boolean; maxBytesPerS?: number },
    timeoutMs: number,
  ): Promise<BackupSummary> {
    this.repository();
    const body: Record<string, unknown> = { type: req.type };
    if (req.resume !== undefined) body['resume'] = req.resume;
    if (req.maxBytesPerS !== undefined) body['max_bytes_per_s'] = req.maxBytesPerS;
    const r = await this.client(node, timeoutMs).request<BackupSummary>('POST', '/backup', body, timeoutMs);
    if (!r.ok) throw refused(r);
    return r.body;
  }

  private async anyNode<T>(fn: (c: AgentClient) => Promise<T>): Promise<T> {
    let last: unknown;
    const c = this.host.current();
    for (const n of c.nodes) {
      try {
        return await fn(new AgentClient(n.clientUrl, { timeoutMs: 120_000 }));
      } catch (e) {
        if (e instanceof BackupRefusedError) throw e;
        last = e;
      }
    }
    throw last instanceof Error ? last : new InfraError('no node of the cluster answers');
  }

  async list(): Promise<BackupSummary[]> {
    return this.anyNode(async (a) => {
      const r = await a.request<{ backups: BackupSummary[] }>('GET', '/backups');
      if (!r.ok) throw refused(r);
      return r.body.backups;
    });
  }

  async verify(id?: string): Promise<VerifyResult> {
    return this.anyNode(async (a) => {
      const r = await a.request<VerifyResult>('POST', '/backups/verify', id === undefined ? {} : { id }, 600_000);
      if (!r.ok) throw refused(r);
      return r.body;
    });
  }

  async destroy(what: DestroyWhat, nodes: string[]): Promise<{ mechanism: string; nodes: string[] }> {
    const c = this.host.current();
    const gone = async (fn: () => Promise<unknown>): Promise<void> => {
      try {
        await fn();
      } catch (e) {
        throw new InfraError(`destroy: ${errorLine(e)}`);
      }
    };
    if (what === 'cluster' || what === 'region') {
      const rep = await c.teardown();
      for (const n of c.nodes) n.clientUrl = '';
      if (rep.errors.length > 0) throw new InfraError(`destroy ${what}: ${rep.errors.join('; ')}`);
      return {
        mechanism:
          `removed ${rep.containers} containers, ${rep.volumes} data volumes and network ` +
          `${c.network}${what === 'region' ? ' (the whole region: everything on that network)' : ''}`,
        nodes: c.nodeNames,
      };
    }
    const targets = what === 'volumes' ? c.nodeNames : nodes;
    await Promise.all(
      targets.map(async (n) => {
        const node = c.node(n);
        await gone(() => c.placedNode(n).remove());
        await gone(() => this.host.engine.removeVolume(node.volume));
        node.clientUrl = '';
      }),
    );
    return { mechanism: `removed containers and data volumes of ${targets.join(', ')}`, nodes: targets };
  }

  async restore(req: { id?: string; position?: number; into: RestoreInto }, now: () => number): Promise<RestoreResult> {
    this.repository();
    const k = this.gen;
    const prefix = `drill-${this.host.runId}-r${k}`;
    const fresh = await this.host.startCluster({ namePrefix: prefix, networkName: prefix });
    this.host.track(fresh);
    let switched = false;
    try {
      const leader = await fresh.waitForLeader(BOOT_TIMEOUT_MS);
      const bootedT = now();
      const body: Record<string, unknown> = {};
      if (req.id !== undefined) body['id'] = req.id;
      if (req.position !== undefined) body['position'] = req.position;
      const r = await fresh
        .client(leader, RESTORE_TIMEOUT_MS)
        .request<Omit<RestoreResult, 'booted_t' | 'loaded_t'>>('POST', '/restore', body, RESTORE_TIMEOUT_MS);
      if (!r.ok) throw refused(r);
      const loadedT = now();
      this.gen++;
      this.host.switchTo(fresh);
      switched = true;
      return { ...r.body, booted_t: bootedT, loaded_t: loadedT };
    } finally {
      if (!switched) {
        this.gen++;
        await fresh.teardown().catch(() => undefined);
      }
    }
  }

  repositoryHostPath(): Promise<string> {
    return this.host.engine.repositoryPath(this.host.backupVolume);
  }

  corruptRepository(): Promise<CorruptedChunk> {
    return this.host.engine.corruptRepository(this.host.backupVolume);
  }
}
