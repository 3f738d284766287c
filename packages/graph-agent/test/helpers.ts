// In-process graph-agent clusters on 127.0.0.1 with free ports and temp data dirs.

import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentConfig } from '../src/config.js';
import { formatLine } from '../src/log.js';
import { startAgent, type Agent } from '../src/node.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Reply {
  status: number;
  body: any;
}

export async function call(port: number, method: string, path: string, body?: unknown | string): Promise<Reply> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const res = await fetch(`http://127.0.0.1:${port}${path}`, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: res.status, body: parsed };
}

export interface NodeSpec {
  id: string;
  clientPort: number;
  raftPort: number;
  dataDir: string;
}

export class Cluster {
  readonly agents = new Map<string, Agent>();
  readonly logs: string[] = [];
  /** Pairs "a|b" that cannot talk (both directions). */
  readonly cut = new Set<string>();

  constructor(
    readonly specs: NodeSpec[],
    readonly overrides: Partial<AgentConfig>,
    readonly root: string,
  ) {}

  static async start(n: number, overrides: Partial<AgentConfig> = {}): Promise<Cluster> {
    // freePort() releases the port before the node binds it, so another test running in
    // parallel can take it in between: retry the whole start on EADDRINUSE.
    for (let attempt = 1; ; attempt++) {
      const root = await mkdtemp(join(tmpdir(), 'graph-agent-'));
      const specs: NodeSpec[] = [];
      for (let i = 1; i <= n; i++) {
        specs.push({
          id: `n${i}`,
          clientPort: await freePort(),
          raftPort: await freePort(),
          dataDir: join(root, `n${i}`),
        });
      }
      const c = new Cluster(specs, overrides, root);
      try {
        for (const s of specs) await c.startNode(s.id);
        return c;
      } catch (err) {
        await c.close();
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw err;
      }
    }
  }

  config(id: string): AgentConfig {
    const s = this.spec(id);
    return {
      nodeId: s.id,
      peers: this.specs.filter((p) => p.id !== id).map((p) => ({ id: p.id, host: '127.0.0.1', port: p.raftPort })),
      clientPort: s.clientPort,
      raftPort: s.raftPort,
      dataDir: s.dataDir,
      // An election timeout well above a loaded test worker's event-loop stalls (a few hundred ms on a busy
      // 2-core CI machine deposed healthy leaders at 300 ms); tests of timing set their own.
      heartbeatMs: 100,
      electionTimeoutMs: 800,
      maxBodyBytes: 1024 * 1024,
      replication: 'sync',
      replicationLagMs: 500,
      fsync: true,
      flushLagMs: 1000,
      failover: 'raft',
      host: '127.0.0.1',
      ...this.overrides,
    };
  }

  spec(id: string): NodeSpec {
    const s = this.specs.find((x) => x.id === id);
    if (!s) throw new Error(`no node ${id}`);
    return s;
  }

  async startNode(id: string): Promise<Agent> {
    const agent = await startAgent(this.config(id), {
      logger: (event, fields) => this.logs.push(formatLine(id, event, fields)),
      dropPeer: (peer) => this.cut.has(`${id}|${peer}`),
    });
    this.agents.set(id, agent);
    return agent;
  }

  async stopNode(id: string): Promise<void> {
    const a = this.agents.get(id);
    this.agents.delete(id);
    await a?.close();
  }

  /** Cut every link between the two groups. */
  partition(a: string[], b: string[]): void {
    for (const x of a) {
      for (const y of b) {
        this.cut.add(`${x}|${y}`);
        this.cut.add(`${y}|${x}`);
      }
    }
  }

  heal(): void {
    this.cut.clear();
  }

  port(id: string): number {
    return this.spec(id).clientPort;
  }

  running(): string[] {
    return [...this.agents.keys()];
  }

  leaders(): string[] {
    return [...this.agents.entries()].filter(([, a]) => a.raft.role === 'leader').map(([id]) => id);
  }

  /** A leader among `ids` that all of `ids` follow (other nodes ignored). */
  async waitLeaderAmong(ids: string[], timeoutMs = 15_000): Promise<string> {
    return waitFor(
      `a leader among ${ids.join(',')}`,
      () => {
        const ls = ids.filter((id) => this.agents.get(id)?.raft.role === 'leader');
        if (ls.length !== 1) return undefined;
        const l = ls[0] as string;
        const term = this.agents.get(l)?.raft.currentTerm;
        return ids.every(
          (id) => this.agents.get(id)?.raft.leaderId === l && this.agents.get(id)?.raft.currentTerm === term,
        )
          ? l
          : undefined;
      },
      timeoutMs,
    );
  }

  async waitLeader(timeoutMs = 15_000): Promise<string> {
    return waitFor(
      'a single leader known to every running node',
      () => {
        const ls = this.leaders();
        if (ls.length !== 1) return undefined;
        const l = ls[0] as string;
        const agreed = [...this.agents.values()].every(
          (a) => a.raft.leaderId === l && a.raft.currentTerm === this.agents.get(l)?.raft.currentTerm,
        );
        return agreed ? l : undefined;
      },
      timeoutMs,
    );
  }

  /** Wait until every running node has applied the same index as the leader's commit index. */
  async waitConverged(timeoutMs = 15_000): Promise<void> {
    await waitFor(
      'all running nodes to converge',
      async () => {
        const sums = await Promise.all(this.running().map((id) => call(this.port(id), 'GET', '/checksum?local=1')));
        const first = sums[0]?.body;
        return sums.every(
          (s) => s.status === 200 && s.body.checksum === first.checksum && s.body.index === first.index,
        );
      },
      timeoutMs,
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
    this.agents.clear();
    await rm(this.root, { recursive: true, force: true });
  }
}
