import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/client/history.js';
import { computeMetrics } from '../../src/checkers/metrics.js';
import { writes } from './ops.js';

const ops = [...writes(0, 1000, 'ok'), ...writes(1000, 3000, 'fail'), ...writes(3000, 5000, 'ok')];
const final = {
  ids: ops.filter((o) => o.outcome === 'ok').map((o) => o.id),
  vertices: ops.filter((o) => o.outcome === 'ok').map((o) => o.id),
  edges: [],
  checksums: { n1: 'x', n2: 'x', n3: 'x' },
  t: 6000,
};

describe('computeMetrics', () => {
  it('assembles every figure', () => {
    const m = computeMetrics({
      ops,
      final,
      faults: [{ id: 'f1', confirmedT: 1000, healedT: null, disruptive: true }],
      leaderTimeline: [
        { t: 0, leader: 'n1' },
        { t: 2500, leader: 'n2' },
      ],
    });
    expect(m.rto_s).toBe(2.01);
    expect(m.rto_error_bar_s).toBe(0.1);
    expect(m.rto_per_fault).toHaveLength(1);
    expect(m.rpo.lost).toBe(0);
    expect(m.rpo.window_s).toBe(0);
    // window [1000, t_r = 3010]: writes 1000..3000 -> 21, one ok (3000)
    expect(m.availability).toBeCloseTo(1 / 21, 6);
    expect(m.availability_overall).toBe(0.6);
    expect(m.latency_ms.p99).toBe(10);
    expect(m.ops).toEqual({ invoked: 50, ok: 30, fail: 20, info: 0, writes_ok: 30 });
    expect(m.integrity.ok).toBe(true);
    expect(m.leader_changes).toBe(1);
    expect(m.leader_flapping).toBe(false);
  });

  it('takes the worst RTO over disruptive faults and is unknown if any is unknown', () => {
    const two = computeMetrics({
      ops,
      final,
      faults: [
        { id: 'f1', confirmedT: 1000, disruptive: true },
        { id: 'f2', confirmedT: 2000, disruptive: true },
        { id: 'f3', confirmedT: 500, disruptive: false },
      ],
    });
    expect(two.rto_s).toBe(2.01);
    expect(two.rto_per_fault.map((r) => r.fault_id)).toEqual(['f1', 'f2']);
    const unknown = computeMetrics({
      ops,
      final,
      faults: [
        { id: 'f1', confirmedT: 1000, disruptive: true },
        { id: 'f9', confirmedT: 4900, disruptive: true },
      ],
    });
    expect(unknown.rto_s).toBeNull();
    expect(unknown.rto_reason).toMatch(/f9/);
  });

  it('has no RTO, with a reason, without a disruptive fault; unknown RPO without a final read', () => {
    const m = computeMetrics({ ops, final: null, faults: [] });
    expect(m.rto_s).toBeNull();
    expect(m.rto_reason).toMatch(/no disruptive fault/);
    expect(m.rpo.lost).toBeNull();
    expect(m.integrity.ok).toBeNull();
    expect(m.availability).toBeNull();
    expect(m.leader_changes).toBeNull();
  });

  it('pairs raw events and closes open ops as info', () => {
    const events: HistoryEvent[] = [
      { type: 'invoke', process: 0, f: 'add-vertex', id: 'a', node: 'n1', t: 0 },
      { type: 'ok', process: 0, f: 'add-vertex', id: 'a', node: 'n1', t: 5 },
      { type: 'invoke', process: 1, f: 'add-vertex', id: 'b', node: 'n1', t: 1 },
    ];
    const m = computeMetrics({ events, final: null, faults: [], endT: 100 });
    expect(m.ops).toEqual({ invoked: 2, ok: 1, fail: 0, info: 1, writes_ok: 1 });
  });
});
