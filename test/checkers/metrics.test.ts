import { describe, expect, it } from 'vitest';
import type { FinalRead, HistoryEvent, Op } from '../../src/client/history.js';
import { computeMetrics } from '../../src/checkers/metrics.js';
import { op, writes } from './ops.js';

const ops = [...writes(0, 1000, 'ok'), ...writes(1000, 3000, 'fail'), ...writes(3000, 5000, 'ok')];
const readOf = (ids: string[], stable = true): FinalRead => ({
  ids,
  vertices: ids,
  edges: [],
  checksums: { n1: 'x', n2: 'x', n3: 'x' },
  t: 6000,
  stable,
});
const final = readOf(ops.filter((o) => o.outcome === 'ok').map((o) => o.id));

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
    expect(m.rto_error_bar_s).toBe(0.11);
    expect(m.rto_per_fault).toHaveLength(1);
    expect(m.rpo.lost).toBe(0);
    expect(m.rpo.window_s).toBe(0);
    // window [1000, t_r = 3010]: writes 1000..3000 -> 21, one ok (3000)
    expect(m.availability).toBeCloseTo(1 / 21, 6);
    expect(m.availability_acked).toBeCloseTo(1 / 21, 6);
    expect(m.availability_overall).toBe(0.6);
    expect(m.latency_ms.p99).toBe(10);
    expect(m.ops).toEqual({
      invoked: 50,
      ok: 30,
      fail: 20,
      info: 0,
      writes_ok: 30,
      acked_then_lost: 0,
      probe_writes: 0,
    });
    expect(m.integrity.ok).toBe(true);
    expect(m.leader_changes).toBe(1);
    expect(m.leader_flapping).toBe(false);
    expect(m.checks['rto']).toEqual({ valid: true });
    expect(m.checks['rpo']).toEqual({ valid: true });
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
    expect(unknown.checks['rto']?.valid).toBe('unknown');
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

  // Durable success: where no final read was possible, RTO and availability are unknown, not success.
  it('without a final read, RTO and availability are unknown, with the reason', () => {
    const m = computeMetrics({ ops, final: null, faults: [{ id: 'f1', confirmedT: 1000, disruptive: true }] });
    expect(m.rto_s).toBeNull();
    expect(m.rto_reason).toMatch(/no final read/);
    expect(m.rto_per_fault[0]?.reason_code).toBe('durability-unknown');
    expect(m.availability).toBeNull();
    expect(m.availability_reason).toMatch(/unknown/);
    // the raw acknowledged share is still known (the window runs to the end: no recovery measured)
    expect(m.availability_acked).toBe(0.5);
    expect(m.ops.acked_then_lost).toBeNull();
  });

  it('an isolated primary acknowledging writes that are discarded: lost, late RTO, availability below acked', () => {
    // partition of the primary at 1000 healed at 3000; every write in between was acknowledged
    // by the isolated primary and discarded on heal; the new primary's writes from 3000 survive.
    const all = [...writes(0, 1000, 'ok'), ...writes(1000, 3000, 'ok', 10), ...writes(3000, 5000, 'ok', 10)];
    const lost = new Set(all.filter((o) => o.invokeT >= 1000 && o.invokeT < 3000).map((o) => o.id));
    const m = computeMetrics({
      ops: all,
      final: readOf(all.map((o) => o.id).filter((id) => !lost.has(id))),
      faults: [{ id: 'f1', confirmedT: 1000, healedT: 3000, disruptive: true }],
    });
    expect(m.rpo.lost).toBe(200);
    expect(m.ops.acked_then_lost).toBe(200);
    expect(m.rto_s).toBe(2.01);
    expect(m.availability_acked).toBe(1);
    expect(m.availability).toBeLessThan(0.01);
    expect(m.rpo.window_s).toBeGreaterThanOrEqual(1.99); // at least the partition's length
    expect(m.checks['rpo']).toMatchObject({ valid: false });
  });

  // Defect: a backup or verify step without a restore made the fault RTO unknown.
  it('a backup or verify step without a restore leaves the fault RTO alone', () => {
    const m = computeMetrics({
      ops,
      final,
      faults: [{ id: 'f1', confirmedT: 1000, disruptive: true }],
      backup: {
        cut: null,
        destroyT: null,
        backups: [{ id: 'b1', end_s: 0.5, status: 'completed' }],
        restores: [],
      },
    });
    expect(m.rto_s).toBe(2.01);
    expect(m.rto_reason).toBeUndefined();
    expect(m.restore?.rto_s).toBeNull();
  });

  // Defect: the restore's loss window mixed writes missing from the backup with writes after it.
  it("the restore's window covers only the writes lost after the backup position", () => {
    // 20 writes at positions 1..20, acknowledged at 10..1910 ms; the backup holds up to 10;
    // w1 (position 2, acknowledged at 110) is missing from it too; destroy at 3000.
    const src: Op[] = Array.from({ length: 20 }, (_, i) => op(i * 100, 'ok', { id: `w${i}`, index: i + 1 }));
    const present = src.filter((o, i) => i < 10 && i !== 1).map((o) => o.id);
    const m = computeMetrics({
      ops: src,
      final: readOf(present),
      faults: [],
      backup: {
        cut: { position: 10, beforeT: 3000 },
        destroyT: 3000,
        backups: [{ id: 'b1', end_s: 1.0, status: 'completed' }],
        restores: [
          {
            status: 'restored',
            snapshot: 'b1',
            rto_s: 2,
            phases: { restore_s: 1, healthy_s: 0.5, verification_s: 0.5 },
            checksum_match: true,
          },
        ],
      },
    });
    expect(m.restore?.missing_before_position).toBe(1);
    expect(m.restore?.lost_after_position).toBe(10);
    // from w10's acknowledgement (1010) to the destroy (3000), not from w1's (110)
    expect(m.restore?.window_s).toBe(1.99);
    expect(m.rpo.window_s).toBe(2.89); // the whole lost history, from w1
    expect(m.integrity.ok).toBe(false);
  });

  it('pairs raw events and closes open ops as info', () => {
    const events: HistoryEvent[] = [
      { type: 'invoke', process: 0, f: 'add-vertex', id: 'a', node: 'n1', t: 0 },
      { type: 'ok', process: 0, f: 'add-vertex', id: 'a', node: 'n1', t: 5 },
      { type: 'invoke', process: 1, f: 'add-vertex', id: 'b', node: 'n1', t: 1 },
    ];
    const m = computeMetrics({ events, final: null, faults: [], endT: 100 });
    expect(m.ops).toMatchObject({ invoked: 2, ok: 1, fail: 0, info: 1, writes_ok: 1 });
  });

  // Defect: reads dropped their answer.
  it('counts reads that missed an already acknowledged write as stale', () => {
    const w = op(0, 'ok', { id: 'v1' });
    const reads = [
      op(100, 'ok', { id: 'v1', f: 'read', found: true }),
      op(200, 'ok', { id: 'v1', f: 'read', found: false }), // stale: v1 acknowledged at 10
      op(5, 'ok', { id: 'v1', f: 'read', found: false }), // sent before the acknowledgement: not stale
      op(300, 'info', { id: 'v1', f: 'read' }),
    ];
    const m = computeMetrics({ ops: [w, ...reads], final: readOf(['v1']), faults: [] });
    expect(m.reads).toEqual({ invoked: 4, ok: 3, found: 1, not_found: 2, stale: 1, stale_ids: ['v1'] });
    expect(m.checks['reads']).toMatchObject({ valid: false });
  });
});
