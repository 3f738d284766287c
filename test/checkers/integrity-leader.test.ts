import { describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../src/checkers/integrity.js';
import { checkLeader } from '../../src/checkers/leader.js';

const good = {
  vertices: ['v1', 'v2', 'v3'],
  edges: [
    { id: 'e1', from: 'v1', to: 'v2' },
    { id: 'e2', from: 'v2', to: 'v3' },
  ],
  checksums: { n1: 'abc', n2: 'abc', n3: 'abc' } as Record<string, string | null>,
};

describe('checkIntegrity', () => {
  it('holds on consistent data', () => {
    expect(checkIntegrity(good)).toEqual({ ok: true, dangling_edges: [], checksum_mismatch: [] });
  });

  it('fails on one dangling edge and names it', () => {
    const r = checkIntegrity({ ...good, edges: [...good.edges, { id: 'e3', from: 'v3', to: 'v9' }] });
    expect(r.ok).toBe(false);
    expect(r.dangling_edges).toEqual(['e3']);
    expect(r.reason).toMatch(/dangling.*e3/);
  });

  it('names the node whose checksum differs from the majority, and a silent node', () => {
    const r = checkIntegrity({ ...good, checksums: { n1: 'abc', n2: 'zzz', n3: 'abc', n4: null } });
    expect(r.ok).toBe(false);
    expect(r.checksum_mismatch).toEqual(['n2', 'n4']);
    expect(r.reason).toMatch(/n2/);
  });

  it('suspects every node when there is no majority', () => {
    const r = checkIntegrity({ ...good, checksums: { n1: 'a', n2: 'b' } });
    expect(r.checksum_mismatch).toEqual(['n1', 'n2']);
    expect(r.reason).toMatch(/no majority/);
  });

  it('is unknown without a final read', () => {
    expect(checkIntegrity(null).ok).toBeNull();
  });
});

describe('checkLeader', () => {
  it('counts changes of non-null leader, ignoring gaps without a leader', () => {
    const r = checkLeader([
      { t: 0, leader: 'n1' },
      { t: 1000, leader: null },
      { t: 2000, leader: 'n1' }, // same leader re-elected: not a change
      { t: 3000, leader: 'n2' },
      { t: 30_000, leader: 'n3' },
    ]);
    expect(r.changes).toBe(2);
    expect(r.change_times).toEqual([3000, 30_000]);
    expect(r.flapping).toBe(false);
  });

  it('flags flapping: 3 changes within 10 s', () => {
    const r = checkLeader([
      { t: 0, leader: 'n1' },
      { t: 1000, leader: 'n2' },
      { t: 4000, leader: 'n1' },
      { t: 9000, leader: 'n3' },
    ]);
    expect(r.changes).toBe(3);
    expect(r.flapping).toBe(true);
  });

  it('is null when no leader was ever observed', () => {
    expect(checkLeader([{ t: 0, leader: null }]).changes).toBeNull();
    expect(checkLeader([{ t: 0, leader: 'n1' }]).changes).toBe(0);
  });
});
