// Node-to-node RPC: HTTP/JSON on RAFT_PORT.
//   POST /raft/append   AppendEntries
//   POST /raft/vote     RequestVote
//   POST /raft/timeout-now  leadership transfer: start an election now
//   POST /raft/forward  a client request forwarded by a follower to the leader
// Keep-alive connections, short timeouts: a dead or paused peer must not stall anyone.

import http from 'node:http';
import type { PeerSpec } from './config.js';

export interface ForwardRequest {
  method: string;
  url: string;
  body: string | null;
}

export interface ForwardResponse {
  status: number;
  body: string;
}

export interface PeerHandlers {
  append(body: unknown): Promise<unknown>;
  vote(body: unknown): Promise<unknown>;
  timeoutNow(body: unknown): Promise<unknown>;
  forward(req: ForwardRequest): Promise<ForwardResponse>;
}

export class RpcError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const MAX_RPC_BODY = 512 * 1024 * 1024;

export class PeerClient {
  private readonly raftAgent = new http.Agent({ keepAlive: true, maxSockets: 4, keepAliveMsecs: 1000 });
  private readonly forwardAgent = new http.Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 1000 });
  private readonly peers = new Map<string, PeerSpec>();
  private closed = false;
  private readonly pending = new Set<http.ClientRequest>();

  /** drop: a test hook simulating a network partition (requests to such peers fail at once). */
  constructor(
    peers: PeerSpec[],
    private readonly drop?: (peerId: string) => boolean,
  ) {
    for (const p of peers) this.peers.set(p.id, p);
  }

  post(
    peerId: string,
    path: string,
    body: string,
    timeoutMs: number,
    forward = false,
  ): Promise<{ status: number; text: string }> {
    const peer = this.peers.get(peerId);
    if (!peer) return Promise.reject(new RpcError(`unknown peer ${peerId}`, 'EUNKNOWN'));
    if (this.closed) return Promise.reject(new RpcError('transport closed', 'ECLOSED'));
    if (this.drop?.(peerId)) return Promise.reject(new RpcError(`${peerId} unreachable (partitioned)`, 'EHOSTUNREACH'));
    return new Promise((resolve, reject) => {
      const payload = Buffer.from(body, 'utf8');
      const req = http.request({
        host: peer.host,
        port: peer.port,
        method: 'POST',
        path,
        agent: forward ? this.forwardAgent : this.raftAgent,
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
      });
      this.pending.add(req);
      let done = false;
      const finish = (err: Error | null, value?: { status: number; text: string }): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending.delete(req);
        if (err) reject(err);
        else resolve(value as { status: number; text: string });
      };
      const timer = setTimeout(() => {
        req.destroy(new RpcError(`${path} to ${peerId} timed out after ${timeoutMs} ms`, 'ETIMEDOUT'));
      }, timeoutMs);
      req.on('error', (err) =>
        finish(err instanceof RpcError ? err : new RpcError(err.message, (err as NodeJS.ErrnoException).code ?? 'EIO')),
      );
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => finish(new RpcError(err.message, 'EIO')));
        res.on('end', () =>
          finish(null, { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      });
      req.end(payload);
    });
  }

  async rpc<T>(peerId: string, path: string, body: string, timeoutMs: number): Promise<T> {
    const { status, text } = await this.post(peerId, path, body, timeoutMs);
    if (status !== 200) throw new RpcError(`${path} to ${peerId}: HTTP ${status}: ${text.slice(0, 200)}`, 'EHTTP');
    return JSON.parse(text) as T;
  }

  async forward(peerId: string, req: ForwardRequest, timeoutMs: number): Promise<ForwardResponse> {
    const { status, text } = await this.post(peerId, '/raft/forward', JSON.stringify(req), timeoutMs, true);
    if (status !== 200) throw new RpcError(`/raft/forward to ${peerId}: HTTP ${status}`, 'EHTTP');
    return JSON.parse(text) as ForwardResponse;
  }

  close(): void {
    this.closed = true;
    for (const r of this.pending) r.destroy(new RpcError('transport closed', 'ECLOSED'));
    this.raftAgent.destroy();
    this.forwardAgent.destroy();
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_RPC_BODY) {
        req.destroy();
        reject(new Error('rpc body too large'));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createPeerServer(handlers: PeerHandlers): http.Server {
  const server = http.createServer((req, res) => {
    const reply = (status: number, text: string): void => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    void (async () => {
      try {
        if (req.method !== 'POST') return reply(405, '{"error":"method_not_allowed"}');
        const text = await readBody(req);
        const body = JSON.parse(text) as unknown;
        switch (req.url) {
          case '/raft/append':
            return reply(200, JSON.stringify(await handlers.append(body)));
          case '/raft/vote':
            return reply(200, JSON.stringify(await handlers.vote(body)));
          case '/raft/timeout-now':
            return reply(200, JSON.stringify(await handlers.timeoutNow(body)));
          case '/raft/forward': {
            const f = body as ForwardRequest;
            if (
              typeof f?.method !== 'string' ||
              typeof f.url !== 'string' ||
              !(f.body === null || typeof f.body === 'string')
            ) {
              return reply(400, '{"error":"bad_request"}');
            }
            return reply(200, JSON.stringify(await handlers.forward(f)));
          }
          default:
            return reply(404, '{"error":"not_found"}');
        }
      } catch (err) {
        reply(500, JSON.stringify({ error: 'internal', message: (err as Error).message }));
      }
    })();
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.requestTimeout = 0;
  return server;
}
