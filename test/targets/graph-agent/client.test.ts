import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, startAgent } from '@drill/graph-agent';
import { finalRead } from '../../../src/client/final-read.js';
import { HistoryWriter } from '../../../src/client/history-writer.js';
import { startWorkload } from '../../../src/client/workload.js';
import { monotonicClock, sleep } from '../../../src/core/clock.js';
import { classify, GraphAgentClient, GraphAgentFinalReadSource } from '../../../src/targets/graph-agent/client.js';
import { startTrivialServer, type TrivialServer } from '../../client/support/trivial-server.mjs';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(): Promise<{ s: TrivialServer; c: GraphAgentClient }> {
  const s = await startTrivialServer();
  const c = new GraphAgentClient(['n1'], () => s.url);
  cleanups.push(
    () => s.close(),
    () => c.close(),
  );
  return { s, c };
}

const V = (id: string) => ({ f: 'add-vertex' as const, id });
const E = (id: string, from: string, to: string) => ({ f: 'add-edge' as const, id, from, to });

describe('GraphAgentClient classification (trivial server)', () => {
  it('201 -> ok, with the documented bodies', async () => {
    const { s, c } = await setup();
    expect(await c.perform('n1', V('v3-1'), 1000)).toMatchObject({ outcome: 'ok', index: expect.any(Number) });
    expect(await c.perform('n1', V('v3-2'), 1000)).toMatchObject({ outcome: 'ok', index: expect.any(Number) });
    expect(await c.perform('n1', E('e3-3', 'v3-1', 'v3-2'), 1000)).toMatchObject({
      outcome: 'ok',
      index: expect.any(Number),
    });
    expect(s.vertices.get('v3-1')).toEqual({ id: 'v3-1', label: 'v', properties: { w: 3 } });
    expect(s.edges.get('e3-3')).toEqual({ id: 'e3-3', from: 'v3-1', to: 'v3-2', type: 'e' });
  });

  it('4xx -> fail: 409 duplicate_id, 422 missing_vertex', async () => {
    const { c } = await setup();
    await c.perform('n1', V('v1'), 1000);
    expect(await c.perform('n1', V('v1'), 1000)).toMatchObject({
      outcome: 'fail',
      error: '409 duplicate_id',
      nodeTrouble: false,
    });
    expect(await c.perform('n1', E('e1', 'v1', 'nope'), 1000)).toMatchObject({
      outcome: 'fail',
      error: '422 missing_vertex',
    });
  });

  it('4xx statuses the client never provokes are fail too', () => {
    for (const [status, code] of [
      [400, 'bad_request'],
      [404, 'not_found'],
      [413, 'too_large'],
    ] as const) {
      const r = classify(V('x'), { status, body: JSON.stringify({ error: code, message: '' }) });
      expect(r).toMatchObject({ outcome: 'fail', error: `${status} ${code}` });
    }
    expect(classify(V('x'), { status: 502, body: 'not json' })).toMatchObject({ outcome: 'info', error: '502' });
  });

  it('reads: 200 found, 404 not found, both ok; 5xx info', async () => {
    const { s, c } = await setup();
    await c.perform('n1', V('v1'), 1000);
    expect(await c.perform('n1', { f: 'read', id: 'v1' }, 1000)).toEqual({ outcome: 'ok', found: true });
    expect(await c.perform('n1', { f: 'read', id: 'v9' }, 1000)).toEqual({ outcome: 'ok', found: false });
    s.setMode('500');
    expect(await c.perform('n1', { f: 'read', id: 'v1' }, 1000)).toMatchObject({
      outcome: 'info',
      error: '500 internal',
    });
  });

  it('503 no_leader -> fail; 503 not_leader and 500 -> info', async () => {
    const { s, c } = await setup();
    s.setMode('503-no-leader');
    expect(await c.perform('n1', V('a'), 1000)).toMatchObject({
      outcome: 'fail',
      error: '503 no_leader',
      nodeTrouble: true,
    });
    s.setMode('503-not-leader', { apply: true });
    expect(await c.perform('n1', V('b'), 1000)).toMatchObject({
      outcome: 'info',
      error: '503 not_leader',
      nodeTrouble: true,
    });
    s.setMode('500');
    expect(await c.perform('n1', V('c'), 1000)).toMatchObject({ outcome: 'info', error: '500 internal' });
  });

  it('timeout after sending -> info (the node may have applied it)', async () => {
    const { s, c } = await setup();
    s.setMode('hang', { apply: true });
    const t0 = performance.now();
    const r = await c.perform('n1', V('h1'), 200);
    const took = performance.now() - t0;
    expect(r).toEqual({ outcome: 'info', error: 'timeout', nodeTrouble: true });
    expect(took).toBeGreaterThanOrEqual(199);
    expect(took).toBeLessThan(260);
    expect(s.vertices.has('h1')).toBe(true);
    // The node answers again afterwards: the client recovers (fresh socket).
    s.setMode('normal');
    expect(await c.perform('n1', V('h2'), 1000)).toMatchObject({ outcome: 'ok', index: expect.any(Number) });
  });

  it('connection cut after the request was sent -> info', async () => {
    const { s, c } = await setup();
    s.setMode('reset', { apply: true });
    const r = await c.perform('n1', V('r1'), 1000);
    expect(r.outcome).toBe('info');
    expect(['socket hang up', 'ECONNRESET']).toContain(r.error);
    expect(s.vertices.has('r1')).toBe(true);
  });

  it('connection refused -> fail, also after keep-alive sockets existed; then recovers', async () => {
    const { s, c } = await setup();
    expect((await c.perform('n1', V('k1'), 1000)).outcome).toBe('ok');
    await s.refuse();
    // Let the client see its idle keep-alive socket closed. (Had it reused that socket
    // before noticing, the answer would be info: a reset after sending is ambiguous.)
    await new Promise((r) => setTimeout(r, 50));
    const r = await c.perform('n1', V('k2'), 1000);
    expect(r).toEqual({ outcome: 'fail', error: 'ECONNREFUSED', nodeTrouble: true });
    await s.resume();
    expect(await c.perform('n1', V('k3'), 1000)).toMatchObject({ outcome: 'ok', index: expect.any(Number) });
    expect(s.vertices.has('k2')).toBe(false);
  });

  it('a connection the server never accepts in time -> fail "timeout (not sent)"', async () => {
    // A server that accepts the connection but never reads: with a request body larger
    // than the socket buffers, the request is never completely handed to the OS, so the
    // node cannot have it whole: a timeout then is a certain fail.
    const socks: net.Socket[] = [];
    const srv = net.createServer((sock) => {
      sock.pause();
      socks.push(sock);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    cleanups.push(() => {
      for (const x of socks) x.destroy();
      return new Promise((r) => srv.close(r));
    });
    const port = (srv.address() as net.AddressInfo).port;
    const c = new GraphAgentClient(['n1'], () => `http://127.0.0.1:${port}`);
    cleanups.push(() => c.close());
    const big = 'x'.repeat(32 * 1024 * 1024);
    const r = await c.perform('n1', V(big), 300);
    expect(r).toEqual({ outcome: 'fail', error: 'timeout (not sent)', nodeTrouble: true });
  });

  it('nothing listening -> fail ECONNREFUSED; no URL -> fail', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const c = new GraphAgentClient(['n1', 'n2'], (n) => (n === 'n1' ? `http://127.0.0.1:${port}` : undefined));
    cleanups.push(() => c.close());
    expect(await c.perform('n1', V('x'), 1000)).toMatchObject({ outcome: 'fail', error: 'ECONNREFUSED' });
    expect(await c.perform('n2', V('x'), 1000)).toMatchObject({ outcome: 'fail', error: 'no url for node' });
  });
});

describe('GraphAgentFinalReadSource (trivial server)', () => {
  it('pages through /scan, reads /checksum and the leader from /status', async () => {
    const s = await startTrivialServer({ node: 'n1' });
    cleanups.push(() => s.close());
    const c = new GraphAgentClient(['n1'], () => s.url);
    const src = new GraphAgentFinalReadSource(['n1', 'n2'], (n) => (n === 'n1' ? s.url : undefined), 1000, 7);
    cleanups.push(
      () => c.close(),
      () => src.close(),
    );
    for (let i = 0; i < 30; i++) await c.perform('n1', V(`v0-${i}`), 1000);
    for (let i = 0; i < 20; i++) await c.perform('n1', E(`e0-${i}`, `v0-${i}`, `v0-${i + 1}`), 1000);
    const scan = await src.scanAll('n1', true);
    expect(scan.vertices.sort()).toEqual([...s.vertices.keys()].sort());
    expect(scan.edges).toHaveLength(20);
    expect(scan.edges.find((e) => e.id === 'e0-3')).toEqual({ id: 'e0-3', from: 'v0-3', to: 'v0-4' });
    expect(await src.leader()).toBe('n1');
    expect(await src.checksum('n1')).toMatch(/^[0-9a-f]{64}$/);
    expect(await src.checksum('n2')).toBeNull();
  });
});

describe('against a 3-node in-process graph-agent cluster', () => {
  it('every acknowledged write is found by finalRead, and the node checksums agree', async () => {
    const freePort = async (): Promise<number> => {
      const srv = net.createServer();
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const port = (srv.address() as net.AddressInfo).port;
      await new Promise((r) => srv.close(r));
      return port;
    };
    const ids = ['n1', 'n2', 'n3'];
    const raftPorts = await Promise.all(ids.map(() => freePort()));
    const dir = await mkdtemp(join(tmpdir(), 'drill-ga-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const agents = await Promise.all(
      ids.map((id, i) =>
        startAgent(
          {
            nodeId: id,
            peers: ids.flatMap((p, j) => (j === i ? [] : [{ id: p, host: '127.0.0.1', port: raftPorts[j]! }])),
            clientPort: 0,
            raftPort: raftPorts[i]!,
            dataDir: join(dir, id),
            heartbeatMs: 50,
            electionTimeoutMs: 300,
            maxBodyBytes: 1 << 20,
            replication: 'sync',
            replicationLagMs: 500,
            fsync: true,
            flushLagMs: 1000,
            failover: 'raft',
            host: '127.0.0.1',
          },
          { logger: silentLogger },
        ),
      ),
    );
    cleanups.push(() => Promise.all(agents.map((a) => a.close())));
    const urls = new Map(agents.map((a, i) => [ids[i]!, `http://127.0.0.1:${a.clientPort}`]));
    const client = new GraphAgentClient(ids, (n) => urls.get(n));
    const source = new GraphAgentFinalReadSource(ids, (n) => urls.get(n));
    cleanups.push(
      () => client.close(),
      () => source.close(),
    );

    const clock = monotonicClock();
    // Wait for a leader before starting, so the run is about the workload, not the election.
    for (let i = 0; i < 100 && (await source.leader()) === null; i++) await sleep(50);

    const writer = HistoryWriter.inMemory();
    const wl = startWorkload({
      client,
      clock,
      rate: 300,
      concurrency: 8,
      edgeShare: 0.3,
      readShare: 0.1,
      timeoutMs: 2000,
      seed: 1,
      writer,
    });
    await sleep(3000);
    await wl.stop();
    const ev = writer.events;
    const okWrites = ev.filter((e) => e.type === 'ok' && e.f !== 'read').map((e) => e.id);
    const completions = ev.filter((e) => e.type !== 'invoke');
    expect(completions).toHaveLength(ev.length / 2);
    // Enough writes to mean something; how many per second is the benchmark's business.
    expect(okWrites.length).toBeGreaterThan(50);

    const fr = await finalRead(source, clock, { timeoutMs: 10_000 });
    expect(fr.stable).toBe(true);
    const present = new Set(fr.ids);
    expect(okWrites.filter((id) => !present.has(id))).toEqual([]);
    // Nothing present that was never attempted.
    const attempted = new Set(ev.filter((e) => e.type === 'invoke').map((e) => e.id));
    expect(fr.ids.filter((id) => !attempted.has(id))).toEqual([]);
    // No dangling edges.
    const vs = new Set(fr.vertices);
    expect(fr.edges.filter((e) => !vs.has(e.from) || !vs.has(e.to))).toEqual([]);
    expect(fr.checksumsAgree).toBe(true);
    expect(new Set(Object.values(fr.checksums)).size).toBe(1);
    expect(Object.values(fr.checksums)[0]).toMatch(/^[0-9a-f]+$/);
    const c = { ok: 0, fail: 0, info: 0 } as Record<string, number>;
    for (const e of completions) c[e.type]!++;
    console.log(
      `[graph-agent x3] ${completions.length} ops: ok ${c.ok} fail ${c.fail} info ${c.info}; ` +
        `${fr.vertices.length} vertices, ${fr.edges.length} edges; final read stable after ${fr.reads} reads`,
    );
  });
});
