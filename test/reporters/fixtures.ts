// A realistic result, shared by the scoring and reporter tests.
import type { DrillMetrics, DrillResult } from '../../src/core/result.js';

export function metrics(over: Partial<DrillMetrics> = {}): DrillMetrics {
  return {
    rto_s: 4.2,
    rto_error_bar_s: 0.15,
    rto_per_fault: [
      {
        fault_id: 'f1',
        rto_s: 4.2,
        error_bar_s: 0.15,
        t_f_s: 12.5,
        t_r_s: 16.7,
        phases: {
          detection_s: 1.1,
          leader_change_s: 3.9,
          first_ack_write_s: 4.05,
          error_rate_baseline_s: 5,
          detection_bar_s: 0.1,
          leader_change_bar_s: 0.1,
        },
      },
    ],
    rpo: { lost: 0, unexpected: 0, recovered: 3, window_s: 0, lost_ids: [], unexpected_ids: [], per_fault: [] },
    availability: 0.62,
    availability_acked: 0.64,
    availability_overall: 0.97,
    latency_ms: { p50: 3.2, p90: 8.1, p99: 41.7, max: 2001.3 },
    ops: {
      invoked: 5120,
      ok: 4968,
      fail: 120,
      info: 32,
      writes_ok: 3900,
      acked_then_lost: 0,
      probe_writes: 85,
    },
    reads: { invoked: 0, ok: 0, found: 0, not_found: 0, stale: 0, stale_ids: [] },
    integrity: { ok: true, dangling_edges: [], checksum_mismatch: [] },
    leader_changes: 1,
    leader_flapping: false,
    checks: { rto: { valid: true }, rpo: { valid: true }, integrity: { valid: true } },
    ...over,
  };
}

export function result(over: Partial<DrillResult> = {}): DrillResult {
  return {
    schema_version: 1,
    scenario: {
      name: 'primary-down',
      file: 'scenarios/primary-down.yaml',
      description: 'Kill the primary',
      tags: ['failover'],
    },
    run_id: '20250101T000000Z-ab12',
    seed: 42,
    verdict: 'pass',
    status: 'completed',
    aborted: false,
    started_at: '2025-01-01T00:00:00.000Z',
    duration_s: 61.3,
    run_dir: 'reports/primary-down/20250101T000000Z',
    metrics: metrics(),
    thresholds: [
      { name: 'rto', limit: '<= 10 s', limit_value: 10, measured: 4.2, unit: 's', verdict: 'pass' },
      { name: 'rpo.lost', limit: '<= 0', limit_value: 0, measured: 0, unit: 'count', verdict: 'pass' },
      { name: 'integrity', limit: 'must hold', limit_value: true, measured: true, unit: 'bool', verdict: 'pass' },
    ],
    faults: [
      {
        id: 'f1',
        kind: 'kill',
        disruptive: true,
        nodes: ['n1'],
        requested_s: 12.4,
        confirmed_s: 12.5,
        injection_latency_s: 0.1,
        healed_s: null,
        mechanism: 'docker kill SIGKILL; container observed exited',
        detail: { signal: 'SIGKILL' },
      },
    ],
    steps: [
      { index: 0, kind: 'wait', description: 'wait 10s', status: 'completed', start_s: 2, end_s: 12 },
      { index: 1, kind: 'fault', description: 'kill primary', status: 'completed', start_s: 12, end_s: 12.5 },
    ],
    marks: [{ t_s: 30, label: 'primary back' }],
    target: { kind: 'graph-agent', nodes: ['n1', 'n2', 'n3'], settings: { replication: 'quorum' } },
    ...over,
  };
}
