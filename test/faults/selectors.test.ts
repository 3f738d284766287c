import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/random.js';
import { NoTargetError, selectionPool, selectNodes } from '../../src/faults/selectors.js';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
const leader = async () => 'n3';

describe('selectNodes', () => {
  it('resolves primary, replica, all and a named node', async () => {
    expect(await selectNodes({ target: 'primary' }, nodes, leader, seededRng(1))).toEqual(['n3']);
    expect(await selectNodes({ target: 'all' }, nodes, leader, seededRng(1))).toEqual(nodes);
    expect(await selectNodes({ node: 'n5' }, nodes, leader, seededRng(1))).toEqual(['n5']);
    for (let s = 0; s < 20; s++) {
      const [r] = await selectNodes({ target: 'replica' }, nodes, leader, seededRng(s));
      expect(r).not.toBe('n3');
      expect(nodes).toContain(r);
    }
  });

  it('random is reproducible with the same seed and varies across seeds', async () => {
    const pickWith = async (seed: number) => {
      const rng = seededRng(seed);
      const out: string[] = [];
      for (let i = 0; i < 10; i++) out.push(...(await selectNodes({ target: 'random' }, nodes, leader, rng)));
      return out.join(',');
    };
    expect(await pickWith(42)).toBe(await pickWith(42));
    expect(new Set(await Promise.all([1, 2, 3, 4].map(pickWith))).size).toBeGreaterThan(1);
  });

  it('says why when there is nothing to target', async () => {
    await expect(selectNodes({ target: 'primary' }, nodes, async () => null, seededRng(1))).rejects.toThrow(
      NoTargetError,
    );
    await expect(selectNodes({ node: 'n9' }, nodes, leader, seededRng(1))).rejects.toThrow(/n9 is not in the cluster/);
  });

  it('minority and majority include the primary and have the right sizes', async () => {
    for (const [n, min, maj] of [
      [3, 1, 2],
      [5, 2, 3],
      [4, 1, 3],
      [9, 4, 5],
    ] as const) {
      const ns = nodes.slice(0, 0).concat(Array.from({ length: n }, (_, i) => `n${i + 1}`));
      const lead = async () => 'n2';
      const a = await selectNodes({ target: 'minority' }, ns, lead, seededRng(n));
      const b = await selectNodes({ target: 'majority' }, ns, lead, seededRng(n));
      expect(a).toHaveLength(min);
      expect(b).toHaveLength(maj);
      expect(a[0]).toBe('n2');
      expect(b[0]).toBe('n2');
      expect(new Set(b).size).toBe(maj);
    }
    await expect(selectNodes({ target: 'minority' }, ['n1', 'n2'], leader, seededRng(1))).rejects.toThrow(
      /no minority/,
    );
  });
});

describe('primary waits for a leader (issue 14, probe steadiness)', () => {
  it('a role probe that answers nobody at first does not fail the step', async () => {
    let calls = 0;
    const leader = async () => (++calls < 3 ? null : 'n2');
    expect(await selectNodes({ target: 'primary' }, ['n1', 'n2', 'n3'], leader, () => 0.5)).toEqual(['n2']);
    expect(calls).toBe(3);
  });

  it('gives up after the wait, naming the probe and what each node answered', async () => {
    const err = await selectNodes(
      { target: 'primary' },
      ['n1'],
      async () => null,
      () => 0.5,
      {
        leaderWaitMs: 200,
        describeRoles: async () => 'probes.role: n1: no answer (timeout)',
      },
    ).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(NoTargetError);
    expect((err as Error).message).toMatch(
      /no node claimed the leader role within 0.2 s \(probes\.role: n1: no answer \(timeout\)\)/,
    );
  });
});

describe('selectionPool: which nodes a selector chooses among', () => {
  const target = {
    nodeNames: ['pg1', 'pg2', 'etcd1', 'etcd2', 'etcd3'],
    dataNodes: ['pg1', 'pg2'],
    nodeGroups: () => ({ pg: ['pg1', 'pg2'], etcd: ['etcd1', 'etcd2', 'etcd3'] }),
  };

  it('is the data group by default, the named group with group:, every node with node:', () => {
    expect(selectionPool({}, target)).toEqual(['pg1', 'pg2']);
    expect(selectionPool({ group: 'etcd' }, target)).toEqual(['etcd1', 'etcd2', 'etcd3']);
    expect(selectionPool({ node: 'etcd2' }, target)).toEqual(target.nodeNames);
    expect(() => selectionPool({ group: 'zk' }, target)).toThrow(NoTargetError);
    expect(selectionPool({}, { nodeNames: ['n1', 'n2'] })).toEqual(['n1', 'n2']);
  });

  it('never picks the data primary inside another group (validation refuses role targets there too)', async () => {
    const etcd = ['etcd1', 'etcd2', 'etcd3'];
    const pgLeader = async () => 'pg1';
    for (let s = 0; s < 10; s++) {
      const m = await selectNodes({ target: 'minority' }, etcd, pgLeader, seededRng(s));
      expect(m).toHaveLength(1);
      expect(etcd).toContain(m[0]);
    }
    await expect(selectNodes({ target: 'replica' }, etcd, pgLeader, seededRng(1))).rejects.toThrow(
      'replica: the primary pg1 is not among etcd1, etcd2, etcd3',
    );
  });
});
