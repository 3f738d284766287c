// graph-agent as a WriteClient (the workload's view) and a FinalReadSource (the final
// read's view), over undici connections kept alive (src/client/http-pool.ts): no fetch, so
// that the timeout covers the whole exchange precisely and we know how far a failed request
// got, at a third of node:http's CPU per request (the workload's hot path).
//
// Classification of an op (Jepsen: fail only when it certainly did not happen; when in
// doubt, info; a timeout is never fail):
//
//   2xx (201 for writes)                          ok
//   4xx: 400, 404, 409 duplicate_id, 413, 422     fail   the node refused it; nothing written
//   503 no_leader                                 fail   answered by the node with no leader
//                                                        to forward to: nothing written
//   503 not_leader, other 5xx                     info   a follower may have forwarded it, or
//                                                        the leader appended it before losing
//                                                        leadership: it may still commit
//   no URL for the node (container gone)          fail   nothing was sent
//   error or timeout before the request was       fail   ECONNREFUSED, DNS failure, connect
//     completely handed to the OS                        timeout, reset of a stale keep-alive
//                                                        socket: the node cannot have a complete
//                                                        request (it needs the whole body)
//   error or timeout after the request was sent   info   timeout, socket hang up, ECONNRESET:
//     and before the answer                              the node may have applied it
//
// No retries, ever: a retried write makes its outcome ambiguous (a 409 on the retry of
// our own write would be a lie either way). Reads: 200 -> ok found, 404 -> ok not found,
// connection-level as above, anything else info.
//
// Node names are graph-agent node ids (n1, n2, ...): /status reports the leader by id.

import type { FinalReadSource, ScanResult } from '../../client/final-read.js';
import type { HttpAnswer, HttpExchangeError } from '../../client/http-exchange.js';
import { HttpPool } from '../../client/http-pool.js';
import type { OpRequest, OpResult, WriteClient } from '../../client/write-client.js';

/** The current client URL of a node (e.g. http://127.0.0.1:32771), undefined if it has none now. */
export type NodeUrl = (node: string) => string | undefined;

function errorCode(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as { error?: unknown };
    return typeof j.error === 'string' ? j.error : undefined;
  } catch {
    return undefined;
  }
}

export class GraphAgentClient implements WriteClient {
  private readonly pool = new HttpPool();

  /**
   * @param nodeNames the nodes (graph-agent node ids)
   * @param urlOf the current client URL of a node, looked up on every op because a
   *   restarted container may get a new published port
   */
  constructor(
    private readonly nodeNames: string[],
    private readonly urlOf: NodeUrl,
  ) {}

  nodes(): string[] {
    return this.nodeNames;
  }

  async perform(node: string, op: OpRequest, timeoutMs: number): Promise<OpResult> {
    const base = this.urlOf(node);
    if (base === undefined) return { outcome: 'fail', error: 'no url for node', nodeTrouble: true };
    let path: string;
    let body: string | undefined;
    switch (op.f) {
      case 'add-vertex':
      case 'put': // workload kind kv: a key is a vertex
        path = '/vertices';
        body = JSON.stringify({ id: op.id, label: 'v', properties: { w: workerOf(op.id) } });
        break;
      case 'add-edge':
        path = '/edges';
        body = JSON.stringify({ id: op.id, from: op.from, to: op.to, type: 'e' });
        break;
      case 'read':
        path = `/vertices/${encodeURIComponent(op.id)}`;
        break;
    }
    let a: HttpAnswer;
    try {
      a = await this.pool.exchange(base, { path, method: body === undefined ? 'GET' : 'POST', body }, timeoutMs);
    } catch (e) {
      const x = e as HttpExchangeError;
      return { outcome: x.sent ? 'info' : 'fail', error: x.code, nodeTrouble: true };
    }
    return classify(op, a);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** Classify a complete HTTP answer (see the table at the top of this file). */
export function classify(op: OpRequest, a: HttpAnswer): OpResult {
  const s = a.status;
  if (op.f === 'read') {
    if (s === 200) return { outcome: 'ok', found: true };
    if (s === 404) return { outcome: 'ok', found: false };
  } else if (s >= 200 && s < 300) {
    const index = writeIndex(a.body);
    return index === undefined ? { outcome: 'ok' } : { outcome: 'ok', index };
  }
  const code = errorCode(a.body);
  const error = code ? `${s} ${code}` : String(s);
  if (s >= 400 && s < 500) return { outcome: 'fail', error, nodeTrouble: false };
  if (s === 503 && code === 'no_leader') return { outcome: 'fail', error, nodeTrouble: true };
  return { outcome: 'info', error, nodeTrouble: true };
}

/** The log position in a 201 answer ({"ok":true,"id","index"}). */
function writeIndex(body: string): number | undefined {
  const m = /"index":(\d+)/.exec(body);
  return m ? Number(m[1]) : undefined;
}

function workerOf(id: string): number {
  // ids are <prefix>v<worker>-<seq>
  const m = /v(\d+)-\d+$/.exec(id);
  return m ? Number(m[1]) : -1;
}

/** The final read against graph-agent: /status, /scan paging, /checksum?local=1. */
export class GraphAgentFinalReadSource implements FinalReadSource {
  private readonly pool = new HttpPool();

  constructor(
    private readonly nodeNames: string[],
    private readonly urlOf: NodeUrl,
    /** Per-request timeout, ms. */
    private readonly requestTimeoutMs = 5000,
    /** Page size for /scan (1..10000). */
    private readonly pageSize = 10000,
  ) {}

  nodes(): string[] {
    return this.nodeNames;
  }

  private async getJson(node: string, pathAndQuery: string): Promise<unknown> {
    const base = this.urlOf(node);
    if (base === undefined) throw new Error(`${node}: no url`);
    let a: HttpAnswer;
    try {
      a = await this.pool.exchange(base, { path: pathAndQuery, method: 'GET' }, this.requestTimeoutMs);
    } catch (e) {
      throw new Error(`${node} GET ${pathAndQuery}: ${(e as Error).message}`, { cause: e });
    }
    if (a.status !== 200) throw new Error(`${node} GET ${pathAndQuery}: ${a.status} ${a.body.slice(0, 200)}`);
    return JSON.parse(a.body) as unknown;
  }

  /**
   * The leader as seen by the nodes that answer /status (always local). A node reporting
   * itself leader wins; with several (a split brain), the highest term wins.
   * Otherwise the leader id most nodes point to.
   */
  async leader(): Promise<string | null> {
    const statuses = await Promise.all(
      this.nodeNames.map((n) =>
        this.getJson(n, '/status').then(
          (s) => ({ node: n, s: s as { role?: string; term?: number; leader?: string | null } }),
          () => null,
        ),
      ),
    );
    let best: { node: string; term: number } | null = null;
    const votes = new Map<string, number>();
    for (const x of statuses) {
      if (!x) continue;
      if (x.s.role === 'leader') {
        const term = x.s.term ?? 0;
        if (!best || term > best.term) best = { node: x.node, term };
      }
      if (typeof x.s.leader === 'string') votes.set(x.s.leader, (votes.get(x.s.leader) ?? 0) + 1);
    }
    if (best) return best.node;
    let top: string | null = null;
    let topVotes = 0;
    for (const [n, v] of votes) {
      if (v > topVotes && this.nodeNames.includes(n)) {
        top = n;
        topVotes = v;
      }
    }
    return top;
  }

  async scanAll(node: string, local: boolean): Promise<ScanResult> {
    const vertices: string[] = [];
    const edges: { id: string; from: string; to: string }[] = [];
    for (const kind of ['vertices', 'edges'] as const) {
      let after: string | null = null;
      for (;;) {
        let q = `/scan?kind=${kind}&limit=${this.pageSize}`;
        if (after !== null) q += `&after=${encodeURIComponent(after)}`;
        if (local) q += '&local=1';
        const page = (await this.getJson(node, q)) as {
          items?: { id: string; from?: string; to?: string }[];
          next?: string | null;
        };
        if (!Array.isArray(page.items)) throw new Error(`${node} GET ${q}: no items in the answer`);
        for (const it of page.items) {
          if (kind === 'vertices') vertices.push(it.id);
          else edges.push({ id: it.id, from: String(it.from), to: String(it.to) });
        }
        if (page.next === null || page.next === undefined || page.items.length === 0) break;
        after = page.next;
      }
    }
    return { vertices, edges };
  }

  async checksum(node: string): Promise<string | null> {
    try {
      const c = (await this.getJson(node, '/checksum?local=1')) as { checksum?: unknown };
      return typeof c.checksum === 'string' ? c.checksum : null;
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
