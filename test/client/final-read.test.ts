import { describe, expect, it } from 'vitest';
import { monotonicClock } from '../../src/core/clock.js';
import { finalRead, FinalReadError, type FinalReadSource, type ScanResult } from '../../src/client/final-read.js';

function source(o: {
  leaders: (string | null)[];
  scans: ScanResult[];
  checksums?: (Record<string, string | null> | undefined)[];
}): FinalReadSource & { scanCalls: number } {
  let li = 0;
  let si = 0;
  let ci = 0;
  const src = {
    scanCalls: 0,
    nodes: () => ['n1', 'n2', 'n3'],
    leader: async () => o.leaders[Math.min(li++, o.leaders.length - 1)] ?? null,
    scanAll: async (_node: string, local: boolean) => {
      expect(local).toBe(false);
      src.scanCalls++;
      const s = o.scans[Math.min(si++, o.scans.length - 1)]!;
      if (s.vertices[0] === 'THROW') throw new Error('scan failed');
      return s;
    },
    checksum: async (node: string) => {
      const round = o.checksums?.[Math.min(Math.floor(ci++ / 3), (o.checksums?.length ?? 1) - 1)];
      return round && node in round ? round[node]! : 'c';
    },
  };
  return src;
}

const s1: ScanResult = { vertices: ['v1'], edges: [] };
const s2: ScanResult = { vertices: ['v1', 'v2'], edges: [{ id: 'e1', from: 'v1', to: 'v2' }] };
const s2shuffled: ScanResult = { vertices: ['v2', 'v1'], edges: [{ id: 'e1', from: 'v1', to: 'v2' }] };

describe('finalRead', () => {
  it('reads until two consecutive reads agree (order does not matter)', async () => {
    const src = source({ leaders: ['n2'], scans: [s1, s2, s2shuffled] });
    const r = await finalRead(src, monotonicClock(), { timeoutMs: 5000, intervalMs: 5 });
    expect(r.stable).toBe(true);
    expect(r.reads).toBe(3);
    expect(r.leader).toBe('n2');
    expect(r.vertices).toEqual(['v1', 'v2']);
    expect(r.edges).toEqual(s2.edges);
    expect(r.ids.sort()).toEqual(['e1', 'v1', 'v2']);
    expect(r.checksums).toEqual({ n1: 'c', n2: 'c', n3: 'c' });
    expect(r.checksumsAgree).toBe(true);
  });

  it('waits for a leader and retries failed scans', async () => {
    const bad: ScanResult = { vertices: ['THROW'], edges: [] };
    const src = source({ leaders: [null, null, 'n1'], scans: [bad, s1, s1] });
    const r = await finalRead(src, monotonicClock(), { timeoutMs: 5000, intervalMs: 5 });
    expect(r).toMatchObject({ stable: true, leader: 'n1', vertices: ['v1'] });
  });

  it('never stable within the deadline: returns the last read, marked unstable', async () => {
    const scans = Array.from({ length: 1000 }, (_, i): ScanResult => ({ vertices: [`v${i}`], edges: [] }));
    const src = source({ leaders: ['n1'], scans });
    const r = await finalRead(src, monotonicClock(), { timeoutMs: 200, intervalMs: 10 });
    expect(r.stable).toBe(false);
    expect(r.reads).toBeGreaterThan(3);
  });

  it('no leader at all: throws, so the caller reports unknown rather than empty', async () => {
    const src = source({ leaders: [null], scans: [s1] });
    await expect(finalRead(src, monotonicClock(), { timeoutMs: 100, intervalMs: 10 })).rejects.toThrow(FinalReadError);
  });

  it('waits for lagging checksums to converge, and reports a dead node as null', async () => {
    const src = source({
      leaders: ['n1'],
      scans: [s1],
      checksums: [
        { n1: 'a', n2: 'old', n3: null },
        { n1: 'a', n2: 'a', n3: null },
      ],
    });
    const r = await finalRead(src, monotonicClock(), { timeoutMs: 2000, intervalMs: 5, checksumSettleMs: 100 });
    expect(r.checksums).toEqual({ n1: 'a', n2: 'a', n3: null });
    expect(r.checksumsAgree).toBe(true);
  });

  it('diverged checksums are reported as they are after the settle time', async () => {
    const src = source({ leaders: ['n1'], scans: [s1], checksums: [{ n1: 'a', n2: 'b', n3: 'a' }] });
    const r = await finalRead(src, monotonicClock(), { timeoutMs: 2000, intervalMs: 5, checksumSettleMs: 50 });
    expect(r.checksums).toEqual({ n1: 'a', n2: 'b', n3: 'a' });
    expect(r.checksumsAgree).toBe(false);
  });
});
