// Graceful shutdown of a leader hands leadership to a caught-up follower at once, instead
// of leaving the cluster leaderless for an election timeout (rolling restarts stay available).
import { afterEach, describe, expect, it } from 'vitest';
import { call, Cluster } from './helpers.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('leadership transfer on graceful stop', () => {
  it('a gracefully stopped leader hands over within an election timeout, every acknowledged write kept', async () => {
    // A long election timeout makes the difference unmistakable: without a transfer the
    // followers would wait at least 2 s before standing for election.
    cluster = await Cluster.start(3, { electionTimeoutMs: 2000, heartbeatMs: 50 });
    const leader = await cluster.waitLeader(10_000);
    const others = cluster.running().filter((n) => n !== leader);
    const acked: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await call(cluster.port(leader), 'POST', '/vertices', { id: `v${i}`, label: 'v' });
      expect(r.status).toBe(201);
      acked.push(`v${i}`);
    }
    const agent = cluster.agents.get(leader)!;
    const t0 = Date.now();
    await agent.close({ graceful: true });
    cluster.agents.delete(leader);
    const next = await cluster.waitLeaderAmong(others, 2000);
    const handover = Date.now() - t0;
    expect(others).toContain(next);
    expect(handover).toBeLessThan(1500);
    for (const id of acked) {
      expect((await call(cluster.port(next), 'GET', `/vertices/${id}`)).status).toBe(200);
    }
    expect(cluster.logs.join('\n')).toMatch(/transfer-leadership/);
  });

  it('an ungraceful stop gets no hand-over (the timeout path still works)', async () => {
    cluster = await Cluster.start(3, { electionTimeoutMs: 300, heartbeatMs: 50 });
    const leader = await cluster.waitLeader();
    await cluster.stopNode(leader);
    const next = await cluster.waitLeaderAmong(cluster.running(), 4000);
    expect(next).not.toBe(leader);
    expect(cluster.logs.join('\n')).not.toMatch(/transfer-leadership/);
  });
});
