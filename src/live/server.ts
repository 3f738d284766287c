// `drill run --live`: the drill's timeline in a browser while it runs, on 127.0.0.1 only,
// with Node's own http (no framework, no CDN: the page works offline).
//
//   GET  /          the page (live/page.ts): inline CSS and a few kB of script
//   GET  /events    server-sent events: a snapshot (live/view.ts) every `intervalMs` and at
//                   once after a mark, until the drill is over
//   GET  /snapshot  the current snapshot as JSON (tests, scripts)
//   POST /mark      {"kind": "detected" | "mitigated" | "note", "label"?, "operator"?}:
//                   recorded on the harness clock when the request arrives; answers the mark
//
// Only loopback: a game day's page is for the room, shown from the harness's own machine.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MarkKind, MarkRecord } from '../core/result.js';
import { livePage } from './page.js';
import type { LiveSnapshot } from './view.js';

export interface LiveSource {
  snapshot(): LiveSnapshot;
  mark(kind: MarkKind, label: string, operator: string | undefined): MarkRecord;
  /** Subscribe to new marks (the page refreshes at once); returns the unsubscribe function. */
  onMark(fn: () => void): () => void;
}

export interface LiveServerOptions {
  /** 0 (default): any free port. */
  port?: number;
  /** The operator name the page starts with (--operator, or the OS user). */
  operator: string;
  intervalMs?: number;
}

const KINDS: readonly MarkKind[] = ['detected', 'mitigated', 'note'];
const MAX_BODY = 16 * 1024;

export class LiveServer {
  private server: http.Server | null = null;
  private readonly clients = new Set<http.ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  url = '';

  constructor(
    private readonly source: LiveSource,
    private readonly o: LiveServerOptions,
  ) {}

  async start(): Promise<string> {
    const server = http.createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/`;
    this.timer = setInterval(() => this.broadcast(), this.o.intervalMs ?? 1000);
    this.timer.unref();
    this.unsubscribe = this.source.onMark(() => this.broadcast());
    return this.url;
  }

  /** Send the final snapshot (the verdict) and close every stream and the server. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.broadcast();
    for (const c of this.clients) c.end();
    this.clients.clear();
    const s = this.server;
    this.server = null;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  private broadcast(): void {
    if (this.clients.size === 0) return;
    let data: string;
    try {
      data = `data: ${JSON.stringify(this.source.snapshot())}\n\n`;
    } catch (e) {
      data = `event: problem\ndata: ${JSON.stringify(String(e))}\n\n`;
    }
    for (const c of this.clients) c.write(data);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    // A page that cannot be drawn must never take the drill down (its faults must be healed).
    try {
      this.route(req, res);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`live page error: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(livePage(this.o.operator));
      return;
    }
    if (req.method === 'GET' && path === '/snapshot') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(this.source.snapshot()));
      return;
    }
    if (req.method === 'GET' && path === '/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      this.clients.add(res);
      req.on('close', () => this.clients.delete(res));
      res.write(`data: ${JSON.stringify(this.source.snapshot())}\n\n`);
      return;
    }
    if (req.method === 'POST' && path === '/mark') {
      this.readMark(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  }

  private readMark(req: http.IncomingMessage, res: http.ServerResponse): void {
    // The body is a few bytes: the mark is stamped as soon as it is read, on the harness clock.
    let body = '';
    const bad = (why: string) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: why }));
    };
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) req.destroy();
    });
    req.on('end', () => {
      let j: { kind?: unknown; label?: unknown; operator?: unknown };
      try {
        j = JSON.parse(body || '{}') as typeof j;
      } catch {
        return bad('expected a JSON body');
      }
      if (typeof j.kind !== 'string' || !(KINDS as readonly string[]).includes(j.kind)) {
        return bad(`kind: expected one of ${KINDS.join(', ')}`);
      }
      const kind = j.kind as MarkKind;
      const label = typeof j.label === 'string' && j.label.trim() !== '' ? j.label.trim().slice(0, 500) : kind;
      const operator = typeof j.operator === 'string' && j.operator.trim() !== '' ? j.operator.trim() : this.o.operator;
      const m = this.source.mark(kind, label, operator.slice(0, 100));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(m));
    });
  }
}
