// Partitions (simulated by dropping RPCs between groups) and the flaw switches.

import { afterEach, describe, expect, it } from 'vitest';
import { call, Cluster, waitFor } from './helpers.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const vertex = (id: string) => ({ id, label: 'v' });

async function has(c: Cluster, node: string, id: string): Promise<boolean> {
  return (await call(c.port(node), 'GET', `/vertices/${id}?local=1`)).status === 200;
}

describe('partitions, default settings', () => {
  it('the minority leader steps down and refuses writes; the majority elects a leader; healing converges', async () => {
    cluster = await Cluster.start(3);
    const old = await cluster.waitLeader();
    const rest = cluster.running().filter((id) => id !== old);
    expect((await call(cluster.port(old), 'POST', '/vertices', vertex('before'))).status).toBe(201);
    cluster.partition([old], rest);
    const fresh = await cluster.waitLeaderAmong(rest, 10_000);
    await waitFor('old leader to step down', () => cluster!.agents.get(old)!.raft.role !== 'leader', 10_000);
    const minority = await call(cluster.port(old), 'POST', '/vertices', vertex('minority'));
    expect(minority.status).toBe(503);
    expect((await call(cluster.port(fresh), 'POST', '/vertices', vertex('majority'))).status).toBe(201);
    // Never two leaders that both accept writes.
    expect(cluster.leaders()).toEqual([fresh]);
    cluster.heal();
    await cluster.waitLeader(15_000);
    await cluster.waitConverged(15_000);
    for (const id of cluster.running()) {
      expect(await has(cluster, id, 'before')).toBe(true);
      expect(await has(cluster, id, 'majority')).toBe(true);
      expect(await has(cluster, id, 'minority')).toBe(false);
    }
  });
});

describe('flaw switches', () => {
  it('FAILOVER=naive: a partition yields two leaders that both accept writes, and healing loses one side', async () => {
    cluster = await Cluster.start(3, { failover: 'naive' });
    const old = await cluster.waitLeader();
    const rest = cluster.running().filter((id) => id !== old);
    expect((await call(cluster.port(old), 'POST', '/vertices', vertex('before'))).status).toBe(201);
    await cluster.waitConverged();
    cluster.partition([old], rest);
    const fresh = await cluster.waitLeaderAmong(rest, 10_000);
    expect(cluster.agents.get(old)!.raft.role).toBe('leader');
    expect(cluster.leaders().sort()).toEqual([old, fresh].sort());
    expect((await call(cluster.port(old), 'POST', '/vertices', vertex('minority'))).status).toBe(201);
    expect((await call(cluster.port(fresh), 'POST', '/vertices', vertex('majority'))).status).toBe(201);
    cluster.heal();
    const winner = await cluster.waitLeader(15_000);
    expect(winner).toBe(fresh); // higher term wins
    await cluster.waitConverged(15_000);
    for (const id of cluster.running()) {
      expect(await has(cluster, id, 'majority')).toBe(true);
      expect(await has(cluster, id, 'minority')).toBe(false); // acknowledged, then lost
    }
  });

  it('REPLICATION=async: the leader acks before replicating, so losing it loses acknowledged writes', async () => {
    cluster = await Cluster.start(3, { replication: 'async', heartbeatMs: 100, electionTimeoutMs: 400 });
    const old = await cluster.waitLeader();
    const rest = cluster.running().filter((id) => id !== old);
    const acked: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await call(cluster.port(old), 'POST', '/vertices', vertex(`a${i}`));
      expect(r.status).toBe(201);
      acked.push(`a${i}`);
    }
    cluster.partition([old], rest); // nothing more gets out
    const last = acked[acked.length - 1] as string;
    expect(await has(cluster, old, last)).toBe(true);
    await cluster.stopNode(old);
    const fresh = await cluster.waitLeaderAmong(rest, 10_000);
    const present = await Promise.all(acked.map((id) => has(cluster!, fresh, id)));
    expect(present.filter((p) => !p).length).toBeGreaterThan(0);
    expect(present[present.length - 1]).toBe(false);
    // The old leader rejoins: its unreplicated suffix is truncated, the new leader's log wins.
    expect((await call(cluster.port(fresh), 'POST', '/vertices', vertex('new-era'))).status).toBe(201);
    cluster.heal();
    await cluster.startNode(old);
    await cluster.waitLeader(15_000);
    await cluster.waitConverged(15_000);
    expect(await has(cluster, old, last)).toBe(false);
    expect(await has(cluster, old, 'new-era')).toBe(true);
  });

  it('REPLICATION=async: no follower has a write younger than REPLICATION_LAG_MS (a certain loss window)', async () => {
    const lag = 300;
    cluster = await Cluster.start(3, {
      replication: 'async',
      replicationLagMs: lag,
      heartbeatMs: 50,
      electionTimeoutMs: 600,
    });
    const leader = await cluster.waitLeader();
    const followers = cluster.running().filter((id) => id !== leader);
    const sentAt = new Map<string, number>();
    const inLog = (node: string, id: string): boolean => {
      const raft = cluster!.agents.get(node)!.raft;
      for (let i = raft.lastLogIndex; i >= 1; i--) {
        const cmd = raft.entryAt(i)!.cmd;
        if (cmd.op === 'vertex' && cmd.id === id) return true;
      }
      return false;
    };
    const writer = (async () => {
      for (let i = 0; i < 6; i++) {
        sentAt.set(`lag${i}`, performance.now());
        expect((await call(cluster!.port(leader), 'POST', '/vertices', vertex(`lag${i}`))).status).toBe(201);
        await new Promise((r) => setTimeout(r, 60));
      }
    })();
    let everywhere = false;
    const deadline = performance.now() + 10_000;
    while (!everywhere && performance.now() < deadline) {
      const seen = followers.flatMap((f) => [...sentAt.keys()].filter((id) => inLog(f, id)).map((id) => ({ f, id })));
      const seenAt = performance.now();
      // The write reached the follower no earlier than `lag` after the leader appended it,
      // which was after the client sent it: a follower may get it late, never early.
      for (const { id } of seen) expect(seenAt - (sentAt.get(id) as number)).toBeGreaterThanOrEqual(lag);
      everywhere = sentAt.size === 6 && seen.length === 2 * 6;
      await new Promise((r) => setTimeout(r, 5));
    }
    await writer;
    expect(everywhere).toBe(true);
  });

  it('REPLICATION=async: a stepped-down leader that was never restarted rebuilds its state', async () => {
    cluster = await Cluster.start(3, { replication: 'async', heartbeatMs: 100, electionTimeoutMs: 400 });
    const old = await cluster.waitLeader();
    const rest = cluster.running().filter((id) => id !== old);
    await cluster.waitConverged();
    cluster.partition([old], rest);
    // Writes racing the step-down: some are acknowledged by the isolated leader.
    let ok = 0;
    for (let i = 0; i < 10; i++)
      if ((await call(cluster.port(old), 'POST', '/vertices', vertex(`lost${i}`))).status === 201) ok++;
    expect(ok).toBeGreaterThan(0);
    const fresh = await cluster.waitLeaderAmong(rest, 10_000);
    expect((await call(cluster.port(fresh), 'POST', '/vertices', vertex('kept'))).status).toBe(201);
    cluster.heal();
    await cluster.waitLeader(15_000);
    await cluster.waitConverged(15_000);
    expect(await has(cluster, old, 'lost0')).toBe(false);
    expect(await has(cluster, old, 'kept')).toBe(true);
    expect(cluster.logs.some((l) => l.includes(`${old} state-rebuild`))).toBe(true);
  });
});
