import { describe, expect, it } from 'vitest';
import { checkAvailability } from '../../src/checkers/availability.js';
import { checkLatency, nearestRank } from '../../src/checkers/latency.js';
import { op, writes } from './ops.js';

describe('checkAvailability', () => {
  it('computes the ok share of writes invoked inside fault windows, and overall', () => {
    // 10 ok before; in [1000, 2000]: 5 fail, 3 info, 3 ok (1000..2000 inclusive = 11 writes)
    const ops = [
      ...writes(0, 1000, 'ok'),
      ...writes(1000, 1500, 'fail'),
      ...writes(1500, 1800, 'info'),
      ...writes(1800, 2100, 'ok'),
      op(500, 'ok', { f: 'read' }),
    ];
    const a = checkAvailability(ops, [{ start: 1000, end: 2000 }]);
    expect(a.writes_in_windows).toBe(11);
    expect(a.during_faults).toBeCloseTo(3 / 11, 6);
    expect(a.overall).toBeCloseTo(13 / 21, 6);
  });

  it('is null when no write was invoked in a window', () => {
    const a = checkAvailability(writes(0, 1000, 'ok'), [{ start: 5000, end: 6000 }]);
    expect(a.during_faults).toBeNull();
    expect(a.overall).toBe(1);
    expect(checkAvailability([], []).overall).toBeNull();
  });
});

describe('checkLatency', () => {
  it('uses nearest-rank percentiles over ok ops only', () => {
    const ops = [
      ...Array.from({ length: 100 }, (_, i) => op(i * 1000, 'ok', { latency: i + 1 })), // 1..100 ms
      op(0, 'info', { latency: 5000 }),
      op(0, 'fail', { latency: 9000 }),
    ];
    expect(checkLatency(ops)).toEqual({ p50: 50, p90: 90, p99: 99, max: 100 });
  });

  it('nearest rank on small samples', () => {
    expect(nearestRank([10, 20, 30, 40, 50], 50)).toBe(30);
    expect(nearestRank([10, 20, 30, 40, 50], 99)).toBe(50);
    expect(nearestRank([10], 0)).toBe(10);
    expect(nearestRank([], 50)).toBeNull();
  });

  it('is null without ok ops', () => {
    expect(checkLatency([op(0, 'fail')])).toEqual({ p50: null, p90: null, p99: null, max: null });
  });
});
