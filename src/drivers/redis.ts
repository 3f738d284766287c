// The Redis driver: a command with templated arguments, sent with ioredis (the most used
// Node client, maintained by Redis; it gives a per-command timeout and can refuse to queue
// commands while disconnected, which is what tells "never sent" from "sent, no answer").
//
// Connections: one per (node, channel). A workload worker is a channel of its own, so each
// worker holds its own connection; probes share one channel per node. A connection that
// failed is dropped and opened again on the next request: no automatic reconnect, no
// command queued or resent behind our back (a resent write makes its outcome ambiguous).
//
// Classification (docs/custom-targets.md, "Native clients"):
//   could not connect, or the connection is not ready                     unsent    fail
//   error reply READONLY, MASTERDOWN, NOREPLICAS, LOADING, BUSY, OOM,      refused   fail
//     MISCONF, NOAUTH, WRONGPASS, NOPERM, WRONGTYPE, EXECABORT, TRYAGAIN,
//     CLUSTERDOWN, NOSCRIPT (checked before the command runs: no effect)
//   any other error reply (ERR ...)                                      mismatch  info
//   command timed out, connection closed after sending                    unknown   info
//   a reply that does not match `match`                                  mismatch  info

import { Redis, ReplyError } from 'ioredis';
import type { DriverOutcome, NodeAddress } from './outcome.js';

export const REDIS_REFUSALS = [
  'READONLY',
  'MASTERDOWN',
  'NOREPLICAS',
  'LOADING',
  'BUSY',
  'OOM',
  'MISCONF',
  'NOAUTH',
  'WRONGPASS',
  'NOPERM',
  'WRONGTYPE',
  'EXECABORT',
  'TRYAGAIN',
  'CLUSTERDOWN',
  'NOSCRIPT',
] as const;

export interface RedisRequest {
  /** The command and its arguments, templates already rendered. */
  command: string[];
  /** A regular expression the reply (as text; arrays one element per line) must match. */
  match?: string | undefined;
}

export interface RedisSettings {
  username?: string | undefined;
  password?: string | undefined;
  db?: number | undefined;
}

/** A reply as text: strings as they are, numbers in decimal, arrays one element per line. */
export function replyText(reply: unknown): string {
  if (reply === null || reply === undefined) return '';
  if (Array.isArray(reply)) return reply.map(replyText).join('\n');
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  return String(reply);
}

/** The elements of a reply, flattened: read-back probes list ids this way. */
export function replyList(reply: unknown): string[] {
  if (reply === null || reply === undefined) return [];
  if (Array.isArray(reply)) return reply.flatMap(replyList);
  return [replyText(reply)];
}

/** The outcome of a request that threw: a reply error, or a transport failure. */
export function classifyRedisError(e: unknown): DriverOutcome {
  // ioredis types ReplyError as any; its instances are Errors carrying the server's reply text.
  if (e instanceof (ReplyError as typeof Error)) {
    const message = (e as Error).message;
    const code = /^([A-Z]+)\b/.exec(message)?.[1] ?? '';
    if ((REDIS_REFUSALS as readonly string[]).includes(code)) {
      return { kind: 'refused', output: message, detail: `-${code}` };
    }
    return { kind: 'mismatch', output: message, detail: `error reply -${code || message.slice(0, 20)}` };
  }
  const msg = e instanceof Error ? e.message : String(e);
  // With the offline queue off, a command on a connection that is not ready is refused
  // by the client itself: nothing was sent.
  if (/isn't writeable/.test(msg)) return { kind: 'unsent', error: msg };
  return { kind: 'unknown', error: /timed out/i.test(msg) ? 'timeout' : msg };
}

export class RedisDriver {
  private readonly conns = new Map<string, Redis>();

  constructor(
    private readonly address: (node: string) => NodeAddress | undefined,
    private readonly settings: RedisSettings = {},
  ) {}

  private async connection(node: string, channel: string, timeoutMs: number): Promise<Redis | string> {
    const key = `${node}\u0000${channel}`;
    const have = this.conns.get(key);
    if (have && have.status === 'ready') return have;
    if (have) {
      have.disconnect();
      this.conns.delete(key);
    }
    const addr = this.address(node);
    if (!addr) return 'node has no published port (not running)';
    const c = new Redis({
      host: addr.host,
      port: addr.port,
      ...(this.settings.username !== undefined ? { username: this.settings.username } : {}),
      ...(this.settings.password !== undefined ? { password: this.settings.password } : {}),
      db: this.settings.db ?? 0,
      lazyConnect: true,
      enableOfflineQueue: false,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: () => null,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
    });
    c.on('error', () => {}); // surfaced per request; an unhandled 'error' event would crash the harness
    try {
      await c.connect();
    } catch (e) {
      c.disconnect();
      return e instanceof Error ? e.message : String(e);
    }
    this.conns.set(key, c);
    return c;
  }

  async run(
    req: RedisRequest,
    node: string,
    channel: string,
    timeoutMs: number,
  ): Promise<DriverOutcome & { reply?: unknown }> {
    const [cmd, ...args] = req.command;
    if (cmd === undefined) return { kind: 'unsent', error: 'empty command' };
    const c = await this.connection(node, channel, timeoutMs);
    if (typeof c === 'string') return { kind: 'unsent', error: c };
    let reply: unknown;
    try {
      reply = await c.call(cmd, ...args);
    } catch (e) {
      const out = classifyRedisError(e);
      if (out.kind === 'unknown' || out.kind === 'unsent') {
        c.disconnect();
        this.conns.delete(`${node}\u0000${channel}`);
      }
      return out;
    }
    const text = replyText(reply);
    if (req.match !== undefined && !new RegExp(req.match).test(text)) {
      return { kind: 'mismatch', output: text, detail: `reply does not match /${req.match}/`, reply };
    }
    return { kind: 'success', output: text, rows: replyList(reply), reply };
  }

  /** Drop every connection of a node (it was killed, restarted or restored). */
  forget(node: string): void {
    for (const [k, c] of this.conns) {
      if (k.startsWith(`${node}\u0000`)) {
        c.disconnect();
        this.conns.delete(k);
      }
    }
  }

  close(): void {
    for (const c of this.conns.values()) c.disconnect();
    this.conns.clear();
  }
}
