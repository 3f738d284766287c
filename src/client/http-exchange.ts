// One HTTP exchange (a workload op, a probe), over node:http with a keep-alive agent and a total
// timeout, telling how far a failed exchange got: `sent` false means the node cannot have
// the complete request (connection refused, reset of a stale socket before the body was
// out), so a write certainly did not happen; `sent` true means it may have.

import http from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
}

export class HttpExchangeError extends Error {
  constructor(
    readonly code: string,
    readonly sent: boolean,
  ) {
    super(code);
    this.name = 'HttpExchangeError';
  }
}

const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

export function newAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: 'lifo' });
}

export interface HttpRequest {
  url: string;
  method: string;
  body?: string | undefined;
  headers?: Record<string, string> | undefined;
}

export function httpExchange(agent: http.Agent, r: HttpRequest, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let sent = false;
    let settled = false;
    // Armed once the request exists; settle() can run before that (a bad URL), so not a const.
    let timer: NodeJS.Timeout | undefined = undefined;
    const settle = (err: HttpExchangeError | null, a?: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(a!);
    };
    let req: http.ClientRequest;
    try {
      const headers: http.OutgoingHttpHeaders = { ...(r.headers ?? {}) };
      if (r.body !== undefined) {
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
          headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(r.body);
      }
      req = http.request(r.url, { method: r.method, agent, headers });
    } catch (e) {
      settle(new HttpExchangeError(`bad request: ${(e as Error).message}`, false));
      return;
    }
    timer = setTimeout(() => {
      settle(new HttpExchangeError(sent ? 'timeout' : 'timeout (not sent)', sent));
      req.destroy();
    }, timeoutMs);
    req.on('finish', () => {
      sent = true;
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const code = e.code === 'ECONNRESET' && e.message === 'socket hang up' ? 'socket hang up' : (e.code ?? e.message);
      settle(new HttpExchangeError(code, sent));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_ANSWER_BYTES) chunks.push(c);
      });
      res.on('end', () => settle(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => settle(new HttpExchangeError('answer cut off', true)));
      res.on('aborted', () => settle(new HttpExchangeError('answer cut off', true)));
    });
    req.end(r.body);
  });
}
