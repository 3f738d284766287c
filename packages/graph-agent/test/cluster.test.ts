import { afterEach, describe, expect, it } from 'vitest';
import { call, Cluster, waitFor } from './helpers.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const vertex = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  label: 'person',
  properties: { id, ...extra },
});

describe('graph-agent cluster', () => {
  it('elects exactly one leader and reports it in /status and /health', async () => {
    cluster = await Cluster.start(3);
    const leader = await cluster.waitLeader();
    // Stays a single stable leader for a few election timeouts.
    await new Promise((r) => setTimeout(r, 700));
    expect(cluster.leaders()).toEqual([leader]);
    for (const id of cluster.running()) {
      const st = await call(cluster.port(id), 'GET', '/status');
      expect(st.status).toBe(200);
      expect(st.body).toMatchObject({ node: id, role: id === leader ? 'leader' : 'follower', leader });
      expect(typeof st.body.clock_ms).toBe('number');
      expect(Math.abs(st.body.clock_ms - Date.now())).toBeLessThan(2000);
      expect(st.body.config).toMatchObject({ node_id: id, replication: 'sync', fsync: 'on', failover: 'raft' });
      const h = await call(cluster.port(id), 'GET', '/health');
      expect(h).toEqual({ status: 200, body: { ok: true, node: id, role: id === leader ? 'leader' : 'follower' } });
    }
  });

  it('forwards writes from followers to the leader; every node converges; reads linearizable anywhere', async () => {
    cluster = await Cluster.start(3);
    const leader = await cluster.waitLeader();
    const followers = cluster.running().filter((id) => id !== leader);
    const f = followers[0] as string;
    const w1 = await call(cluster.port(f), 'POST', '/vertices', vertex('alice'));
    expect(w1.status).toBe(201);
    expect(w1.body).toMatchObject({ ok: true, id: 'alice' });
    expect(typeof w1.body.index).toBe('number');
    expect((await call(cluster.port(leader), 'POST', '/vertices', vertex('bob'))).status).toBe(201);
    const e1 = await call(cluster.port(followers[1] as string), 'POST', '/edges', {
      id: 'e1',
      from: 'alice',
      to: 'bob',
      type: 'knows',
    });
    expect(e1.status).toBe(201);
    // A non-local read on a follower is answered by the leader and sees the write at once.
    const r = await call(cluster.port(f), 'GET', '/edges/e1');
    expect(r).toEqual({ status: 200, body: { id: 'e1', from: 'alice', to: 'bob', type: 'knows', properties: {} } });
    expect((await call(cluster.port(f), 'GET', '/count')).body).toMatchObject({ vertices: 2, edges: 1 });
    await cluster.waitConverged();
    for (const id of cluster.running()) {
      const v = await call(cluster.port(id), 'GET', '/vertices/alice?local=1');
      expect(v).toEqual({ status: 200, body: vertex('alice') });
      const c = await call(cluster.port(id), 'GET', '/count?local=1');
      expect(c.body).toMatchObject({ vertices: 2, edges: 1 });
    }
    const scan = await call(cluster.port(f), 'GET', '/scan?kind=vertices&limit=1');
    expect(scan.body).toEqual({ items: [vertex('alice')], next: 'alice' });
    const scan2 = await call(cluster.port(f), 'GET', '/scan?kind=vertices&limit=1&after=alice');
    expect(scan2.body).toEqual({ items: [vertex('bob')], next: null });
    expect((await call(cluster.port(f), 'GET', '/vertices/nobody')).status).toBe(404);
  });

  it('rejects bad requests with 4xx and writes nothing', async () => {
    cluster = await Cluster.start(3, { maxBodyBytes: 4096 });
    const leader = await cluster.waitLeader();
    const follower = cluster.running().find((id) => id !== leader) as string;
    expect((await call(cluster.port(leader), 'POST', '/vertices', vertex('a'))).status).toBe(201);
    await cluster.waitConverged();
    const before = (await call(cluster.port(leader), 'GET', '/checksum')).body;

    for (const port of [cluster.port(leader), cluster.port(follower)]) {
      const cases: [string, string, unknown, number, string][] = [
        ['POST', '/vertices', '{"id": "x", ', 400, 'bad_request'],
        ['POST', '/vertices', '[1,2]', 400, 'bad_request'],
        ['POST', '/vertices', '', 400, 'bad_request'],
        ['POST', '/vertices', { id: 'x', label: 'l', color: 'red' }, 400, 'bad_request'],
        ['POST', '/vertices', { id: 7, label: 'l' }, 400, 'bad_request'],
        ['POST', '/vertices', { id: '', label: 'l' }, 400, 'bad_request'],
        ['POST', '/vertices', { id: 'x' }, 400, 'bad_request'],
        ['POST', '/vertices', { id: 'x', label: 'l', properties: [1] }, 400, 'bad_request'],
        ['POST', '/vertices', { id: 'x', label: 'l', properties: 'big'.repeat(2000) }, 413, 'body_too_large'],
        ['POST', '/vertices', vertex('a'), 409, 'duplicate_id'],
        ['POST', '/edges', { id: 'e', from: 'a', to: 'ghost', type: 't' }, 422, 'missing_vertex'],
        ['POST', '/edges', { id: 'e', from: 'a', to: 'a', type: 't', weight: 1 }, 400, 'bad_request'],
        ['GET', '/scan?kind=widgets', undefined, 400, 'bad_request'],
        ['GET', '/scan?limit=0', undefined, 400, 'bad_request'],
        ['GET', '/scan?limit=10001', undefined, 400, 'bad_request'],
        ['GET', '/nothing-here', undefined, 404, 'not_found'],
        ['DELETE', '/vertices/a', undefined, 405, 'method_not_allowed'],
      ];
      for (const [method, path, body, status, code] of cases) {
        const r = await call(port, method, path, body);
        expect({ path, body, status: r.status, error: r.body?.error }).toEqual({ path, body, status, error: code });
        expect(typeof r.body.message).toBe('string');
      }
    }
    await new Promise((r) => setTimeout(r, 200));
    await cluster.waitConverged();
    const after = (await call(cluster.port(leader), 'GET', '/checksum')).body;
    expect(after).toEqual(before);
    expect(after).toMatchObject({ vertices: 1, edges: 0 });
    // Still healthy.
    expect((await call(cluster.port(follower), 'POST', '/vertices', vertex('b'))).status).toBe(201);
  });

  it('concurrent writes of the same id: exactly one wins', async () => {
    cluster = await Cluster.start(3);
    await cluster.waitLeader();
    const replies = await Promise.all(
      cluster
        .running()
        .flatMap((id) => [1, 2, 3].map(() => call(cluster!.port(id), 'POST', '/vertices', vertex('same')))),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(replies.length - 1);
  });

  it('stopping the leader elects a new one and keeps every acknowledged write', async () => {
    cluster = await Cluster.start(3);
    const leader = await cluster.waitLeader();
    const acked: string[] = [];
    let stop = false;
    const writers = cluster.running().map(async (id, w) => {
      for (let i = 0; !stop; i++) {
        const vid = `w${w}-${i}`;
        try {
          const r = await call(cluster!.port(id), 'POST', '/vertices', vertex(vid));
          if (r.status === 201) acked.push(vid);
          else if (r.status !== 503) throw new Error(`unexpected ${r.status} ${JSON.stringify(r.body)}`);
          else await new Promise((res) => setTimeout(res, 20));
        } catch (err) {
          if (id !== leader) throw err; // the stopped node refuses connections
          await new Promise((res) => setTimeout(res, 20));
        }
      }
    });
    let newLeader: string;
    let ackedBeforeStop: number;
    try {
      // Wait for progress, not for a fixed time: a loaded machine acknowledges nothing in 400 ms.
      await waitFor('ten acknowledged writes before the stop', () => acked.length > 10, 30_000);
      ackedBeforeStop = acked.length;
      await cluster.stopNode(leader);
      newLeader = await cluster.waitLeader(15_000);
      expect(newLeader).not.toBe(leader);
      const stoppedAt = acked.length;
      await waitFor('ten writes acknowledged by the new leader', () => acked.length > stoppedAt + 10, 30_000);
    } finally {
      stop = true;
      await Promise.allSettled(writers);
    }
    await Promise.all(writers);
    expect(acked.length).toBeGreaterThan(ackedBeforeStop);
    await cluster.waitConverged();
    for (const id of cluster.running()) {
      const count = (await call(cluster.port(id), 'GET', '/count?local=1')).body;
      expect(count.vertices).toBeGreaterThanOrEqual(acked.length);
      const ids = new Set<string>();
      let after = '';
      for (;;) {
        const page = (
          await call(cluster.port(id), 'GET', `/scan?kind=vertices&limit=500${after ? `&after=${after}` : ''}`)
        ).body;
        for (const it of page.items) ids.add(it.id);
        if (page.next === null) break;
        after = encodeURIComponent(page.next);
      }
      const missing = acked.filter((a) => !ids.has(a));
      expect(missing).toEqual([]);
    }
    // The cluster still accepts writes with 2 of 3 nodes.
    expect((await call(cluster.port(newLeader), 'POST', '/vertices', vertex('after'))).status).toBe(201);
  });

  it('a restarted node recovers from its WAL and catches up', async () => {
    cluster = await Cluster.start(3);
    const leader = await cluster.waitLeader();
    const victim = cluster.running().find((id) => id !== leader) as string;
    for (let i = 0; i < 20; i++)
      expect((await call(cluster.port(leader), 'POST', '/vertices', vertex(`a${i}`))).status).toBe(201);
    await cluster.waitConverged();
    await cluster.stopNode(victim);
    for (let i = 0; i < 20; i++)
      expect((await call(cluster.port(leader), 'POST', '/vertices', vertex(`b${i}`))).status).toBe(201);
    const agent = await cluster.startNode(victim);
    expect(cluster.logs.some((l) => l.includes(`${victim} recovered entries=`) && !l.includes('entries=0 '))).toBe(
      true,
    );
    expect(agent.raft.lastLogIndex).toBeGreaterThanOrEqual(21);
    await cluster.waitConverged();
    const c = (await call(cluster.port(victim), 'GET', '/count?local=1')).body;
    expect(c).toMatchObject({ vertices: 40, edges: 0 });
    const lc = (await call(cluster.port(leader), 'GET', '/checksum')).body;
    expect((await call(cluster.port(victim), 'GET', '/checksum?local=1')).body).toEqual(lc);
  });

  it('a whole cluster restarted from disk keeps its data', async () => {
    cluster = await Cluster.start(3);
    const leader = await cluster.waitLeader();
    for (let i = 0; i < 10; i++)
      expect((await call(cluster.port(leader), 'POST', '/vertices', vertex(`p${i}`))).status).toBe(201);
    const sum = (await call(cluster.port(leader), 'GET', '/checksum')).body.checksum;
    for (const id of cluster.running()) await cluster.stopNode(id);
    for (const s of cluster.specs) await cluster.startNode(s.id);
    const l2 = await cluster.waitLeader();
    const r = await call(cluster.port(l2), 'GET', '/checksum');
    expect(r.body).toMatchObject({ checksum: sum, vertices: 10 });
  });

  it('a leader cut off from the majority steps down', async () => {
    cluster = await Cluster.start(3);
    const leader = await cluster.waitLeader();
    const agent = cluster.agents.get(leader)!;
    const term = agent.raft.currentTerm;
    for (const id of cluster.running()) if (id !== leader) await cluster.stopNode(id);
    // It steps down once a whole election timeout passes without a majority's acknowledgement (checkQuorum).
    const within = 2 * cluster.config(leader).electionTimeoutMs + 400;
    const t0 = Date.now();
    await waitFor('the isolated leader to step down', () => agent.raft.role !== 'leader', within);
    expect(Date.now() - t0).toBeLessThan(within);
    expect(cluster.logs.some((l) => l.includes(`${leader} step-down`))).toBe(true);
    // It must not accept writes any more (no leader known or not the leader).
    const w = await call(cluster.port(leader), 'POST', '/vertices', vertex('lost'));
    expect(w.status).toBe(503);
    expect(['no_leader', 'not_leader']).toContain(w.body.error);
    expect(agent.raft.currentTerm).toBeGreaterThanOrEqual(term);
    expect((await call(cluster.port(leader), 'GET', '/count')).status).toBe(503);
    // Local reads still work.
    expect((await call(cluster.port(leader), 'GET', '/count?local=1')).status).toBe(200);
  });

  it('a single-node cluster serves reads and writes', async () => {
    cluster = await Cluster.start(1);
    await cluster.waitLeader();
    expect((await call(cluster.port('n1'), 'POST', '/vertices', vertex('solo'))).status).toBe(201);
    expect((await call(cluster.port('n1'), 'GET', '/vertices/solo')).body).toEqual(vertex('solo'));
  });
});
