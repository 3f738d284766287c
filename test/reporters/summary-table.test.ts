import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../src/reporters/summary-table.js';
import { metrics, result } from './fixtures.js';

// eslint-disable-next-line no-control-regex -- ANSI colour escapes start with ESC
const ANSI = /\x1b\[[0-9;]*m/;

describe('summary table', () => {
  it('renders thresholds, key metrics and the verdict without colour when disabled', () => {
    const s = renderSummary(result(), { color: false });
    expect(s).not.toMatch(ANSI);
    expect(s).toMatch(/│ rto\s+│ <= 10 s\s+│ 4\.2 s\s+│ pass\s+│/);
    expect(s).toMatch(/RTO\s+4\.2 s \(-150 ms\)/);
    expect(s).toContain(
      'detection +1.1 s (-100 ms), leader change +3.9 s (-100 ms), first ack +4.05 s, errors at baseline +5 s',
    );
    expect(s).toMatch(/RPO\s+lost 0, unexpected 0, recovered 3, window 0 s/);
    expect(s).toMatch(/availability 62% durable during faults \(64% acknowledged\), 97% overall/);
    expect(s).toMatch(/3900 writes acknowledged, 0 of them then lost; 85 recovery probe writes/);
    expect(s).toMatch(/latency\s+p50 3\.2 ms, p99 41\.7 ms/);
    expect(s).toMatch(/ops\s+5120 invoked: 4968 ok, 120 fail, 32 info/);
    expect(s).toMatch(/leader\s+1 change/);
    expect(s.trimEnd().split('\n').at(-1)).toBe('PASS');
  });

  it('uses colour when enabled', () => {
    expect(renderSummary(result(), { color: true })).toMatch(ANSI);
  });

  it('shows unknown figures as unknown, never 0, and the expectation', () => {
    const r = result({
      verdict: 'fail',
      metrics: metrics({
        rto_s: null,
        rto_error_bar_s: null,
        rto_reason: 'fault f1: no successful write after the fault',
        rpo: {
          lost: null,
          unexpected: null,
          recovered: null,
          window_s: null,
          lost_ids: [],
          unexpected_ids: [],
          per_fault: [],
        },
        rto_per_fault: [
          {
            fault_id: 'f1',
            rto_s: null,
            error_bar_s: null,
            t_f_s: 1,
            t_r_s: null,
            phases: { detection_s: 0.2, leader_change_s: null, first_ack_write_s: null, error_rate_baseline_s: null },
          },
        ],
      }),
      thresholds: [
        {
          name: 'rto',
          limit: '<= 5 s',
          limit_value: 5,
          measured: null,
          unit: 's',
          verdict: 'fail',
          reason: 'not measured',
        },
      ],
      expect: { verdict: 'fail', reason: 'rto', met: true },
    });
    const s = renderSummary(r, { color: false });
    expect(s).toMatch(/│ rto\s+│ <= 5 s\s+│ unknown\s+│ fail \(unknown\)/);
    expect(s).toMatch(/RTO\s+unknown \(fault f1: no successful write after the fault\)/);
    expect(s).toMatch(/RPO\s+lost unknown/);
    // Defect: unknown phases were hidden instead of printed as unknown.
    expect(s).toContain('[detection +200 ms, leader change unknown, first ack unknown, errors at baseline unknown]');
    expect(s.trimEnd().split('\n').at(-1)).toBe('FAIL  expected fail (rto): met');
  });

  it('says UNKNOWN for an aborted run', () => {
    const s = renderSummary(result({ verdict: 'unknown', aborted: true, status: 'interrupted' }), { color: false });
    expect(s.trimEnd().split('\n').at(-1)).toBe('UNKNOWN (interrupted)');
  });
});
