import { describe, expect, it } from 'vitest';
import { checkRto, findSustainedRecovery } from '../../src/checkers/rto.js';
import { op, writes } from './ops.js';

const fault = { id: 'f1', confirmedT: 1000 };

describe('checkRto', () => {
  it('measures a clean recovery with its error bar', () => {
    // ok until the fault at 1 s, refused for 2 s, ok from 3 s on.
    const ops = [...writes(0, 1000, 'ok'), ...writes(1000, 3000, 'fail'), ...writes(3000, 5000, 'ok')];
    const m = checkRto(ops, fault);
    expect(m.rto_s).toBe(2.01); // write invoked at 3000 completes at 3010
    expect(m.t_r_s).toBe(3.01);
    expect(m.t_f_s).toBe(1);
    // last failure completed at 2910: recovery happened in (2.91, 3.01]
    expect(m.error_bar_s).toBe(0.1);
    expect(m.reason).toBeUndefined();
    expect(m.phases.first_ack_write_s).toBe(2.01);
    expect(m.phases.error_rate_baseline_s).toBe(2);
  });

  it('reports phases from the leader timeline', () => {
    const ops = [...writes(0, 1000, 'ok'), ...writes(1000, 3000, 'info'), ...writes(3000, 5000, 'ok')];
    const leaders = [
      { t: 0, leader: 'n1' },
      { t: 1500, leader: null },
      { t: 2500, leader: 'n2' },
    ];
    const m = checkRto(ops, fault, { leaderChanges: leaders });
    expect(m.phases.detection_s).toBe(0.5);
    expect(m.phases.leader_change_s).toBe(1.5);
    expect(checkRto(ops, fault).phases.leader_change_s).toBeNull();
  });

  it('is unknown, with a reason, when no write succeeds after the fault', () => {
    const ops = [...writes(0, 1000, 'ok'), ...writes(1000, 5000, 'info')];
    const m = checkRto(ops, fault);
    expect(m.rto_s).toBeNull();
    expect(m.error_bar_s).toBeNull();
    expect(m.t_r_s).toBeNull();
    expect(m.reason).toMatch(/no successful write after the fault/);
    expect(m.phases.first_ack_write_s).toBeNull();
    expect(m.phases.error_rate_baseline_s).toBeNull();
  });

  it('does not take a single success followed by failures for recovery', () => {
    const ops = [
      ...writes(0, 1000, 'ok'),
      ...writes(1000, 2000, 'fail'),
      op(2000, 'ok'), // lucky write
      ...writes(2100, 3000, 'fail'),
      ...writes(3000, 5000, 'ok'),
    ];
    const m = checkRto(ops, fault);
    expect(m.rto_s).toBe(2.01);
    expect(m.phases.first_ack_write_s).toBe(1.01); // the lucky write is still the first ack
  });

  it('requires the sustain run across workers, by invoke order', () => {
    // Two workers interleaved: worker 1 keeps failing after worker 0 succeeds once.
    const ops = [
      op(1100, 'ok', { process: 0 }),
      op(1150, 'fail', { process: 1 }),
      ...writes(1200, 3000, 'ok').map((o) => ({ ...o, process: 0 })),
    ];
    expect(checkRto(ops, fault).t_r_s).toBe(1.21);
  });

  it('accepts a short tail of at least 3 ok writes at the end of the history', () => {
    const tail3 = [...writes(1000, 2000, 'fail'), ...writes(2000, 2400, 'ok')];
    expect(checkRto(tail3, fault).rto_s).toBe(1.01);
    const tail2 = [...writes(1000, 2000, 'fail'), ...writes(2000, 2300, 'ok')];
    expect(checkRto(tail2, fault).rto_s).toBeNull();
    expect(checkRto(tail2, fault).reason).toMatch(/no sustained run/);
  });

  it('uses t_r - t_f as the error bar when nothing failed after the fault', () => {
    const ops = writes(0, 3000, 'ok');
    const m = checkRto(ops, fault);
    expect(m.rto_s).toBe(0.01);
    expect(m.error_bar_s).toBe(0.01);
    expect(m.phases.error_rate_baseline_s).toBe(0);
  });

  it('ignores reads', () => {
    const reads = writes(1000, 3000, 'ok').map((o) => ({ ...o, f: 'read' as const }));
    const ops = [...writes(1000, 3000, 'fail'), ...reads, ...writes(3000, 5000, 'ok')];
    expect(checkRto(ops, fault).rto_s).toBe(2.01);
  });

  it('findSustainedRecovery honours the sustain count', () => {
    const w = [op(0, 'ok'), op(1, 'ok'), op(2, 'fail'), op(3, 'ok'), op(4, 'ok'), op(5, 'ok')];
    expect(findSustainedRecovery(w, 2)).toBe(3); // index 3 begins ok,ok,ok
    expect(findSustainedRecovery(w, 1)).toBe(0);
  });
});
