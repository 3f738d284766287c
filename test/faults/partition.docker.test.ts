// partition against the real engine: no traffic crosses the cut; after heal it does again;
// a one-way cut stops only one side's connections; afterwards nothing of ours is left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAFT_PORT } from '../../src/targets/graph-agent/cluster.js';
import { audit, auditContainers } from '../support/audit.js';
import { bootHarness, tcpReach, type Harness } from './net-probes.js';

describe('partition (docker)', () => {
  let h: Harness;
  const ip: Record<string, string> = {};
  beforeAll(async () => {
    h = await bootHarness('part');
    for (const n of ['n1', 'n2', 'n3']) ip[n] = await h.target.network.ip(n);
  });
  afterAll(async () => {
    const id = h?.runId;
    await h?.close();
    if (id) expect(await audit([id])).toEqual([]);
  });

  const reach = (a: string, b: string) => tcpReach(h, a, ip[b]!, RAFT_PORT);

  it('isolates a node: nothing crosses, heal restores it', async () => {
    expect(await reach('n1', 'n2')).toBe(true);
    const rec = await h.faults.apply({ kind: 'partition', name: 'p1', node: 'n1' });
    expect(rec.mechanism).toMatch(/iptables DROP.*8 rule\(s\) tagged drill:.*:p1 listed back/);
    expect(await reach('n1', 'n2')).toBe(false);
    expect(await reach('n2', 'n1')).toBe(false);
    expect(await reach('n3', 'n1')).toBe(false);
    expect(await reach('n2', 'n3')).toBe(true);
    await h.faults.heal('p1');
    expect(await reach('n1', 'n2')).toBe(true);
    expect(await reach('n3', 'n1')).toBe(true);
    expect(await auditContainers([h.runId])).toEqual([]);
  });

  it('splits into groups', async () => {
    await h.faults.apply({ kind: 'partition', name: 'p2', groups: [['n1', 'n2'], ['n3']] });
    expect(await reach('n1', 'n2')).toBe(true);
    expect(await reach('n1', 'n3')).toBe(false);
    expect(await reach('n3', 'n2')).toBe(false);
    await h.faults.heal('p2');
    expect(await reach('n3', 'n2')).toBe(true);
    expect(await auditContainers([h.runId])).toEqual([]);
  });

  it('cuts one way: n1 cannot reach the others, they still reach n1', async () => {
    await h.faults.apply({ kind: 'partition', name: 'p3', node: 'n1', oneWay: true });
    expect(await reach('n1', 'n2')).toBe(false);
    expect(await reach('n1', 'n3')).toBe(false);
    expect(await reach('n2', 'n1')).toBe(true);
    expect(await reach('n3', 'n1')).toBe(true);
    await h.faults.heal('p3');
    expect(await reach('n1', 'n2')).toBe(true);
    expect(await auditContainers([h.runId])).toEqual([]);
  });
});
