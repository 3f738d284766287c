// HTTP exchanges on the workload's hot path, over undici: its HTTP/1.1 client costs about a
// third of node:http's CPU per request (measured on this project's 2-core machines: ~33 vs
// ~95 us per exchange), which is what lets one harness core record 20,000 ops/s.
//
// The same contract as http-exchange.ts (node:http), which the other callers keep: a total
// timeout, and a failed exchange says how far it got. `sent` false means the node cannot
// have the complete request: undici has not written all of it to the socket, or part of it
// still sits in the socket's own buffer, not yet handed to the OS (a 32 MB body to a node
// that stopped reading). So a timeout or a reset then is a certain fail; after that, info.
//
// Each connection is its own undici Client carrying one request at a time (no pipelining:
// a worker never has two ops in flight, and undici re-sends a broken pipeline's unanswered
// tail on a new connection, which for a write would be a retry). The pool keeps idle
// connections per origin, most recently used first, and knows each one's socket, which is
// how `sent` can look at what is still buffered.

import type net from 'node:net';
import { buildConnector, Client, type Dispatcher } from 'undici';
import { HttpExchangeError, type HttpAnswer } from './http-exchange.js';

const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** Idle connections are closed by undici after this long (or the server's keep-alive hint). */
const KEEP_ALIVE_MS = 4_000;

export interface PoolRequest {
  /** Path and query, e.g. /vertices or /scan?kind=vertices. */
  path: string;
  method: string;
  body?: string | undefined;
  headers?: Record<string, string> | undefined;
}

/**
 * undici 7's callback handler. Its typings omit onRequestSent, which undici calls once the
 * whole request is written to the socket (lib/core/request.js); the newer controller API
 * has no such hook, so this is the handler to use.
 */
interface SendingHandler extends Dispatcher.DispatchHandler {
  onRequestSent(): void;
}

interface Conn {
  origin: string;
  client: Client;
  /** The socket of the current connection (replaced when undici reconnects). */
  socket: net.Socket | null;
}

const JSON_BODY = { 'content-type': 'application/json' };

/** The request's headers, with a JSON content type when it has a body and names none. */
function withType(r: PoolRequest): Record<string, string> {
  const h = { ...r.headers };
  if (r.body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
    h['content-type'] = 'application/json';
  }
  return h;
}

// The connector undici would use (TCP, Nagle off), without its own connect timeout: the
// exchange's timeout covers connecting too.
const connector = buildConnector({ timeout: 0 });

export class HttpPool {
  private readonly idle = new Map<string, Conn[]>();
  private readonly conns = new Set<Conn>();
  private closed = false;

  /** One exchange with `origin` (e.g. http://127.0.0.1:32771); HttpExchangeError when there is no answer. */
  exchange(origin: string, r: PoolRequest, timeoutMs: number): Promise<HttpAnswer> {
    if (this.closed) return Promise.reject(new HttpExchangeError('client closed', false));
    const conn = this.idle.get(origin)?.pop() ?? this.open(origin);
    return new Promise<HttpAnswer>((resolve, reject) => {
      let written = false;
      let answering = false;
      let settled = false;
      let abort: ((e?: Error) => void) | null = null;
      let status = 0;
      let size = 0;
      const chunks: Buffer[] = [];
      const sent = () => written && (conn.socket === null || conn.socket.writableLength === 0);
      const settle = (err: HttpExchangeError | null, a?: HttpAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(a!);
      };
      // undici is done with the request: the connection can carry the next one.
      const release = () => {
        if (this.closed || conn.client.destroyed) return;
        let list = this.idle.get(origin);
        if (!list) this.idle.set(origin, (list = []));
        list.push(conn);
      };
      const timer = setTimeout(() => {
        const s = sent();
        settle(new HttpExchangeError(s ? 'timeout' : 'timeout (not sent)', s));
        if (abort) abort(new Error('timeout'));
        else this.drop(conn); // still queued or connecting: it must never be written now
      }, timeoutMs);
      const headers = r.headers === undefined ? (r.body === undefined ? null : JSON_BODY) : withType(r);
      const handler: SendingHandler = {
        onConnect(a: (e?: Error) => void) {
          abort = a;
          if (settled) a(new Error('timeout')); // timed out before it was written: never write it
        },
        onRequestSent() {
          written = true;
        },
        onHeaders(s: number) {
          status = s;
          answering = true;
          return true;
        },
        onData(c: Buffer) {
          size += c.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(c);
          return true;
        },
        onComplete() {
          release();
          settle(null, { status, body: Buffer.concat(chunks).toString('utf8') });
        },
        onError(e: Error) {
          release();
          if (answering) return settle(new HttpExchangeError('answer cut off', true));
          // undici's "other side closed" is node:http's "socket hang up".
          const c = (e as { code?: string }).code;
          const code = c === 'UND_ERR_SOCKET' ? 'socket hang up' : (c ?? e.message);
          settle(new HttpExchangeError(code, sent()));
        },
      };
      conn.client.dispatch({ path: r.path, method: r.method, body: r.body ?? null, headers }, handler);
    });
  }

  private open(origin: string): Conn {
    const conn: Conn = { origin, client: undefined as unknown as Client, socket: null };
    conn.client = new Client(origin, {
      pipelining: 1,
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: KEEP_ALIVE_MS,
      connect: (opts, cb) =>
        connector(opts, (err, socket) => {
          conn.socket = (socket as net.Socket | null) ?? null;
          if (err) cb(err, null);
          else cb(null, socket!);
        }),
    });
    this.conns.add(conn);
    return conn;
  }

  private drop(conn: Conn): void {
    this.conns.delete(conn);
    const list = this.idle.get(conn.origin);
    if (list)
      this.idle.set(
        conn.origin,
        list.filter((c) => c !== conn),
      );
    void conn.client.destroy().catch(() => undefined);
  }

  /** Close every connection; exchanges in flight fail. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.conns];
    this.conns.clear();
    this.idle.clear();
    await Promise.all(all.map((c) => c.client.destroy().catch(() => undefined)));
  }
}
