// The link proxy: delay and jitter on node-to-node links where the kernel has no netem.
// It runs in the harness process and listens on the run network's gateway address (the
// containers reach the host there), one port per directed link. Node A's peer address for
// B is <gateway>:<port of A->B>, so every connection A opens to B runs through here:
//
//   A ──(A's request bytes: delay(A,B))──▶ proxy :port(A->B) ──▶ B:peerPort
//   A ◀──(B's answer bytes: delay(B,A))─── proxy              ◀── B
//
// Delay is per direction ("bytes from X to Y"), so slowing node X means delay(X, *): its
// requests on its own links and its answers on the links into it, like netem on X's egress.
// Byte order within a connection is kept: a chunk is never released before the previous one.
// Node built-ins only. The proxy dies with the harness; the containers it served are then
// removed by `drill cleanup`, so nothing of it outlives a crash.
import net from 'node:net';

/** When a chunk that arrives at `now` is released (ms), never before the previous chunk. */
export function releaseTime(now: number, delayMs: number, jitterMs: number, lastRelease: number, u: number): number {
  const sample = Math.max(0, delayMs + (2 * u - 1) * jitterMs);
  return Math.max(now + sample, lastRelease);
}

interface Delay {
  delayMs: number;
  jitterMs: number;
}

const MAX_BUFFERED = 8 * 1024 * 1024;

const live = new Set<LinkProxy>();
/** Link proxies of this process that are still listening (the audit checks none remain). */
export function liveLinkProxies(): number {
  return live.size;
}

export interface LinkProxyOptions {
  /** Address to listen on (the run network's gateway). */
  listenIp: string;
  /** Where node `to` is served right now (its address changes when it restarts); null: unreachable. */
  upstream(to: string): { host: string; port: number } | null;
  /** Uniform random 0..1 (seeded in tests). */
  random?: () => number;
}

export class LinkProxy {
  private readonly servers = new Map<string, { server: net.Server; port: number }>();
  private readonly delays = new Map<string, Delay>();
  /** Per direction: how long recent chunks were held, and when each entered the queue (performance.now()). */
  private readonly delayed = new Map<string, { held: number; at: number }[]>();
  private readonly sockets = new Set<net.Socket>();
  private readonly random: () => number;

  constructor(private readonly opts: LinkProxyOptions) {
    this.random = opts.random ?? Math.random;
    live.add(this);
  }

  /** Listen for the directed link from -> to; returns its port. */
  async addLink(from: string, to: string): Promise<number> {
    const key = `${from}>${to}`;
    const existing = this.servers.get(key);
    if (existing) return existing.port;
    const server = net.createServer((client) => this.handle(from, to, client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.opts.listenIp, () => resolve());
    });
    server.on('error', () => undefined);
    const port = (server.address() as net.AddressInfo).port;
    this.servers.set(key, { server, port });
    return port;
  }

  endpoint(from: string, to: string): { ip: string; port: number } {
    const s = this.servers.get(`${from}>${to}`);
    if (!s) throw new Error(`link proxy: no link ${from} -> ${to}`);
    return { ip: this.opts.listenIp, port: s.port };
  }

  setDelay(from: string, to: string, delayMs: number, jitterMs: number): void {
    if (delayMs === 0 && jitterMs === 0) this.delays.delete(`${from}>${to}`);
    else this.delays.set(`${from}>${to}`, { delayMs, jitterMs });
  }

  firstHeldSince(from: string, to: string, minMs: number, sincePerf: number): number | null {
    let first: number | null = null;
    for (const d of this.delayed.get(`${from}>${to}`) ?? []) {
      if (d.at >= sincePerf && d.held >= minMs && (first === null || d.at < first)) first = d.at;
    }
    return first;
  }

  delayedChunks(from: string, to: string, minMs: number): number {
    return (this.delayed.get(`${from}>${to}`) ?? []).filter((d) => d.held >= minMs).length;
  }

  /** Whether any delay is set (the audit and the report use it). */
  activeDelays(): string[] {
    return [...this.delays.keys()];
  }

  private handle(from: string, to: string, client: net.Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    const target = this.opts.upstream(to);
    if (!target || target.host === '') {
      client.destroy();
      return;
    }
    const up = net.connect({ host: target.host, port: target.port });
    this.sockets.add(up);
    up.on('close', () => this.sockets.delete(up));
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
    up.setNoDelay(true);
    client.setNoDelay(true);
    this.pipe(client, up, from, to);
    this.pipe(up, client, to, from);
  }

  /** Copy src to dst, holding each chunk for the current delay of direction from -> to. */
  private pipe(src: net.Socket, dst: net.Socket, from: string, to: string): void {
    const key = `${from}>${to}`;
    let last = 0;
    let pending = 0;
    let buffered = 0;
    let ended = false;
    const finish = () => {
      if (ended && pending === 0) dst.end();
    };
    src.on('data', (chunk: Buffer) => {
      const d = this.delays.get(key);
      if (!d && pending === 0) {
        if (!dst.write(chunk)) src.pause();
        return;
      }
      const now = performance.now();
      const at = releaseTime(now, d?.delayMs ?? 0, d?.jitterMs ?? 0, last, this.random());
      last = at;
      pending++;
      buffered += chunk.length;
      if (buffered > MAX_BUFFERED) src.pause();
      setTimeout(
        () => {
          pending--;
          buffered -= chunk.length;
          if (!dst.destroyed) {
            const ok = dst.write(chunk);
            if (ok && buffered <= MAX_BUFFERED) src.resume();
          }
          const held = performance.now() - now;
          let arr = this.delayed.get(key);
          if (!arr) this.delayed.set(key, (arr = []));
          arr.push({ held, at: now });
          if (arr.length > 1000) arr.splice(0, arr.length - 1000);
          finish();
        },
        Math.max(0, at - now),
      );
    });
    dst.on('drain', () => {
      if (buffered <= MAX_BUFFERED) src.resume();
    });
    src.on('end', () => {
      ended = true;
      finish();
    });
  }

  async close(): Promise<void> {
    live.delete(this);
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await Promise.all(
      [...this.servers.values()].map(({ server }) => new Promise<void>((r) => server.close(() => r()))),
    );
    this.servers.clear();
    this.delays.clear();
  }
}
