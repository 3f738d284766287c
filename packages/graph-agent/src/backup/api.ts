// The backup/restore endpoints of the client API (docs/graph-agent.md, docs/backup-restore.md):
//   POST /backup           {"type":"full"|"incremental","resume"?:bool,"max_bytes_per_s"?:n}  on THIS node
//   GET  /backups          finished snapshots (with their chains) and unfinished ones
//   POST /backups/verify   {"id"?}  recompute every chunk hash, walk the chain(s)
//   POST /restore          {"id"?, "position"?}  on the leader of a fresh, empty cluster
// A backup runs on the node it is sent to (never forwarded); a restore must go to the leader.

import type { Raft } from '../raft.js';
import type { BackupEngine, BackupRequest } from './engine.js';
import { BackupError } from './errors.js';
import type { RestoreState } from './rebuild.js';
import { loadBatches, planRestore } from './restore-plan.js';
import { verifyRepository } from './verify.js';
import { summary } from './manifest.js';

export interface Answer {
  status: number;
  body: unknown;
}

const LOAD_BATCH = 2000;
const LOAD_WINDOW = 8;

function fields(obj: Record<string, unknown>, allowed: string[]): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new BackupError(400, 'bad_request', `unknown field ${JSON.stringify(k)}`);
  }
}

export class BackupApi {
  private restoring = false;

  constructor(
    readonly engine: BackupEngine,
    private readonly raft: Raft,
  ) {}

  async handle(method: string, path: string, body: Record<string, unknown>): Promise<Answer> {
    try {
      if (path === '/backup' && method === 'POST') return await this.backup(body);
      if (path === '/backups' && method === 'GET') return await this.list();
      if (path === '/backups/verify' && method === 'POST') return await this.verify(body);
      if (path === '/restore' && method === 'POST') return await this.restore(body);
      return { status: 405, body: { error: 'method_not_allowed', message: `${method} ${path}` } };
    } catch (e) {
      if (e instanceof BackupError) return { status: e.status, body: { error: e.code, message: e.message } };
      throw e;
    }
  }

  private async backup(body: Record<string, unknown>): Promise<Answer> {
    fields(body, ['type', 'resume', 'max_bytes_per_s', 'parent']);
    const type = body['type'] ?? 'full';
    if (type !== 'full' && type !== 'incremental')
      throw new BackupError(400, 'bad_request', 'type must be full or incremental');
    const req: BackupRequest = { type };
    if (body['resume'] !== undefined) {
      if (typeof body['resume'] !== 'boolean') throw new BackupError(400, 'bad_request', 'resume must be a boolean');
      req.resume = body['resume'];
    }
    const rate = body['max_bytes_per_s'];
    if (rate !== undefined) {
      if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 0)
        throw new BackupError(400, 'bad_request', 'max_bytes_per_s must be an integer >= 0');
      req.maxBytesPerS = rate;
    }
    if (body['parent'] !== undefined) {
      if (typeof body['parent'] !== 'string') throw new BackupError(400, 'bad_request', 'parent must be a string');
      req.parent = body['parent'];
    }
    const o = await this.engine.backup(req);
    return {
      status: 200,
      body: summary(o.manifest, {
        chunks_written: o.chunks_written,
        chunks_skipped: o.chunks_skipped,
        chunks_resumed: o.chunks_resumed,
        bytes_written: o.bytes_written,
        resumed: o.resumed,
        duration_ms: o.duration_ms,
        ...(o.promoted_to_full ? { promoted_to_full: o.promoted_to_full } : {}),
      }),
    };
  }

  private async list(): Promise<Answer> {
    const { ok, broken } = await this.engine.repo.manifests();
    const unfinished = await this.engine.repo.progresses();
    return {
      status: 200,
      body: {
        backups: ok.map((m) => summary(m)),
        broken,
        unfinished: unfinished.map((p) => ({
          id: p.id,
          type: p.manifest.type,
          position: p.manifest.position,
          chunks_stored: p.chunks.length,
          node: p.node,
          updated_at: p.updated_at,
        })),
        latest: ok[ok.length - 1]?.id ?? null,
      },
    };
  }

  private async verify(body: Record<string, unknown>): Promise<Answer> {
    fields(body, ['id']);
    const id = body['id'];
    if (id !== undefined && typeof id !== 'string') throw new BackupError(400, 'bad_request', 'id must be a string');
    const r = await verifyRepository(this.engine.repo, id === undefined ? {} : { id });
    return { status: 200, body: r };
  }

  private async restore(body: Record<string, unknown>): Promise<Answer> {
    fields(body, ['id', 'position']);
    const id = body['id'];
    const position = body['position'];
    if (id !== undefined && typeof id !== 'string') throw new BackupError(400, 'bad_request', 'id must be a string');
    if (position !== undefined && (typeof position !== 'number' || !Number.isInteger(position) || position < 0)) {
      throw new BackupError(400, 'bad_request', 'position must be an integer >= 0');
    }
    const raft = this.raft;
    if (!raft.isLeader())
      throw new BackupError(503, 'not_leader', `restore must be sent to the leader (${raft.leaderId ?? 'unknown'})`);
    if (this.restoring) throw new BackupError(409, 'restore_in_progress', 'a restore is already running');
    const c = raft.graph.count();
    if (c.vertices > 0 || c.edges > 0) {
      throw new BackupError(
        409,
        'not_empty',
        `restore needs a fresh, empty cluster; this one holds ${c.vertices} vertices and ${c.edges} edges`,
      );
    }
    this.restoring = true;
    try {
      const t0 = performance.now();
      // Verify everything and build the state in memory first: a bad chunk or link refuses the
      // restore before a single element is loaded.
      const plan = await planRestore(this.engine.repo, {
        ...(id !== undefined ? { id } : {}),
        ...(position !== undefined ? { position: position as number } : {}),
      });
      const tPlanned = performance.now();
      const count = plan.state.count();
      await this.load(plan.state);
      const live = raft.graph.checksum();
      if (live !== plan.checksum) {
        throw new BackupError(
          500,
          'restore_mismatch',
          `after loading, the cluster's checksum is ${live}, expected ${plan.checksum}`,
        );
      }
      return {
        status: 200,
        body: {
          restored: count.vertices + count.edges,
          vertices: count.vertices,
          edges: count.edges,
          position: plan.position,
          snapshot: plan.target.id,
          chain: plan.chain.map((m) => m.id),
          checksum: plan.checksum,
          manifest_checksum: plan.expected_checksum,
          verify_ms: Math.round(tPlanned - t0),
          load_ms: Math.round(performance.now() - tPlanned),
          bytes: plan.chain.reduce((s, m) => s + m.bytes, 0),
        },
      };
    } finally {
      this.restoring = false;
    }
  }

  /** Load through Raft in bulk-load entries, a few in flight: every node gets the data by replication. */
  private async load(state: RestoreState): Promise<void> {
    const inflight = new Set<Promise<void>>();
    let failure: Error | undefined;
    for (const cmd of loadBatches(state, LOAD_BATCH)) {
      if (failure) break;
      const p: Promise<void> = this.raft.propose(cmd).then((r) => {
        if (!r.ok) failure ??= new BackupError(503, r.error, `bulk load failed: ${r.message}`);
      });
      const tracked = p.finally(() => inflight.delete(tracked));
      inflight.add(tracked);
      if (inflight.size >= LOAD_WINDOW) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    if (failure) throw failure;
  }
}
