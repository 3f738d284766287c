import { describe, expect, it } from 'vitest';
import { checkExpectation, parseExpectReason, scoreThresholds } from '../../src/scoring/thresholds.js';
import { thresholdValidity, verdictOf } from '../../src/scoring/verdict.js';
import { metrics } from '../reporters/fixtures.js';

const byName = (ts: ReturnType<typeof scoreThresholds>, n: string) => ts.find((t) => t.name === n)!;

describe('scoreThresholds', () => {
  it('scores every kind of threshold, in its unit, with human limits', () => {
    const ts = scoreThresholds(
      { rto: 5000, rpo: { lost: 0, window: 1000 }, availability: 0.5, p99_latency: 250, integrity: true },
      metrics(),
    );
    expect(ts.map((t) => t.name)).toEqual([
      'rto',
      'rpo.lost',
      'rpo.window',
      'availability',
      'p99_latency',
      'integrity',
    ]);
    expect(byName(ts, 'rto')).toEqual({
      name: 'rto',
      limit: '<= 5 s',
      limit_value: 5,
      measured: 4.2,
      unit: 's',
      verdict: 'pass',
    });
    expect(byName(ts, 'rpo.lost')).toMatchObject({ limit: '<= 0', measured: 0, unit: 'count', verdict: 'pass' });
    expect(byName(ts, 'rpo.window')).toMatchObject({ limit: '<= 1 s', limit_value: 1, unit: 's' });
    expect(byName(ts, 'availability')).toMatchObject({
      limit: '>= 50%',
      measured: 0.62,
      unit: 'ratio',
      verdict: 'pass',
    });
    expect(byName(ts, 'p99_latency')).toMatchObject({
      limit: '<= 250 ms',
      limit_value: 0.25,
      measured: 0.0417,
      verdict: 'pass',
    });
    expect(byName(ts, 'integrity')).toMatchObject({
      limit: 'must hold',
      limit_value: true,
      measured: true,
      unit: 'bool',
      verdict: 'pass',
    });
    expect(verdictOf(ts, { aborted: false })).toBe('pass');
  });

  it('fails breached thresholds with the measured value in the reason', () => {
    const ts = scoreThresholds(
      { rto: 3000, rpo: { lost: 0 }, availability: 0.9 },
      metrics({
        rpo: { lost: 2, unexpected: 0, recovered: 0, window_s: 1.5, lost_ids: ['a', 'b'], unexpected_ids: [] },
      }),
    );
    expect(byName(ts, 'rto')).toMatchObject({ verdict: 'fail', reason: 'measured 4.2 s > limit 3 s' });
    expect(byName(ts, 'rpo.lost')).toMatchObject({ verdict: 'fail', measured: 2 });
    expect(byName(ts, 'availability')).toMatchObject({ verdict: 'fail', reason: 'measured 62% < limit 90%' });
    expect(verdictOf(ts, { aborted: false })).toBe('fail');
  });

  it('fails a threshold on an unmeasured figure: unknown is never a pass', () => {
    const m = metrics({
      rto_s: null,
      rto_error_bar_s: null,
      rto_reason: 'fault f1: no successful write after the fault',
      rpo: { lost: null, unexpected: null, recovered: null, window_s: null, lost_ids: [], unexpected_ids: [] },
      integrity: { ok: null, dangling_edges: [], checksum_mismatch: [], reason: 'no final read' },
      availability: null,
      latency_ms: { p50: null, p90: null, p99: null, max: null },
    });
    const ts = scoreThresholds(
      { rto: 60_000, rpo: { lost: 100, window: 60_000 }, availability: 0, p99_latency: 1e9, integrity: true },
      m,
    );
    expect(ts).toHaveLength(6);
    for (const t of ts) {
      expect(t.verdict).toBe('fail');
      expect(t.measured).toBeNull();
      expect(t.reason).toMatch(/^not measured: /);
    }
    expect(byName(ts, 'rto').reason).toBe('not measured: fault f1: no successful write after the fault');
  });

  it('fails integrity with the checker reason', () => {
    const ts = scoreThresholds(
      { integrity: true },
      metrics({
        integrity: { ok: false, dangling_edges: ['e3'], checksum_mismatch: [], reason: '1 dangling edge(s): e3' },
      }),
    );
    expect(ts[0]).toMatchObject({ verdict: 'fail', measured: false, reason: '1 dangling edge(s): e3' });
  });

  it('scores nothing that is not asked for', () => {
    expect(scoreThresholds({}, metrics())).toEqual([]);
    expect(scoreThresholds({ integrity: false }, metrics())).toEqual([]);
  });
});

describe('verdictOf: one rule, false beats unknown beats true', () => {
  it('is unknown for an aborted run', () => {
    expect(verdictOf([], { aborted: true })).toBe('unknown');
    expect(verdictOf([], { aborted: false })).toBe('pass');
  });

  it('fails on a failed step even when every threshold passed, and on an unknown figure', () => {
    const pass = scoreThresholds({ rpo: { lost: 0 } }, metrics());
    expect(verdictOf(pass, { aborted: false, status: 'completed' })).toBe('pass');
    expect(verdictOf(pass, { aborted: false, status: 'failed' })).toBe('fail');
    const unknown = scoreThresholds({ rto: 1000 }, metrics({ rto_s: null, rto_reason: 'x' }));
    expect(thresholdValidity(unknown[0]!)).toBe('unknown');
    expect(verdictOf([...pass, ...unknown], { aborted: false })).toBe('fail');
  });
});

describe('checkExpectation', () => {
  const failed = scoreThresholds(
    { rto: 10_000, rpo: { lost: 0 }, integrity: true },
    metrics({ rpo: { lost: 7, unexpected: 0, recovered: 0, window_s: 2, lost_ids: [], unexpected_ids: [] } }),
  );

  it('is undefined without an expectation', () => {
    expect(checkExpectation(undefined, 'pass', [])).toBeUndefined();
  });

  it('matches the verdict', () => {
    expect(checkExpectation({ verdict: 'fail' }, 'fail', failed)).toEqual({ verdict: 'fail', met: true });
    expect(checkExpectation({ verdict: 'fail' }, 'pass', [])).toMatchObject({
      met: false,
      detail: 'expected fail, got pass',
    });
    expect(checkExpectation({ verdict: 'fail' }, 'unknown', [])?.met).toBe(false);
    expect(checkExpectation({ verdict: 'pass' }, 'pass', [])?.met).toBe(true);
  });

  it('matches the reason against the failed thresholds', () => {
    expect(checkExpectation({ verdict: 'fail', reason: 'rpo.lost > 0' }, 'fail', failed)?.met).toBe(true);
    expect(checkExpectation({ verdict: 'fail', reason: 'rpo' }, 'fail', failed)?.met).toBe(true);
    expect(checkExpectation({ verdict: 'fail', reason: 'rpo.lost >= 7' }, 'fail', failed)?.met).toBe(true);
    const wrongCount = checkExpectation({ verdict: 'fail', reason: 'rpo.lost > 10' }, 'fail', failed);
    expect(wrongCount).toMatchObject({ met: false });
    expect(wrongCount?.detail).toMatch(/rpo.lost=7/);
    const wrongName = checkExpectation({ verdict: 'fail', reason: 'rto' }, 'fail', failed);
    expect(wrongName).toMatchObject({ met: false, detail: '"rto" did not fail (failed: rpo.lost)' });
    expect(checkExpectation({ verdict: 'fail', reason: 'rpo.lost, integrity' }, 'fail', failed)?.met).toBe(false);
  });

  it('rejects a misspelt threshold name, and treats prose as a note', () => {
    expect(checkExpectation({ verdict: 'fail', reason: 'rpo.lsot > 0' }, 'fail', failed)).toMatchObject({ met: false });
    expect(parseExpectReason('async replication loses acknowledged writes')).toEqual({ kind: 'prose' });
    expect(checkExpectation({ verdict: 'fail', reason: 'split-brain loses writes' }, 'fail', failed)?.met).toBe(true);
    expect(parseExpectReason('rto and rpo.lost > 0')).toEqual({
      kind: 'clauses',
      clauses: [{ name: 'rto' }, { name: 'rpo.lost', op: '>', value: 0 }],
    });
  });
  it('matches a step that failed: "step backup failed", alone or beside thresholds', () => {
    const steps = [
      { kind: 'wait', status: 'ok' },
      { kind: 'backup', status: 'failed', error: 'permission denied to start WAL sender' },
    ];
    const expectStep = (reason: string, s = steps) => checkExpectation({ verdict: 'fail', reason }, 'fail', failed, s);
    expect(expectStep('step backup failed')).toMatchObject({ met: true });
    expect(expectStep('step backup fails, rpo.lost > 0')).toMatchObject({ met: true });
    expect(expectStep('step restore failed')).toMatchObject({
      met: false,
      detail: 'no restore step failed (the backup step did)',
    });
    const okSteps = [{ kind: 'backup', status: 'ok' }];
    expect(expectStep('step backup failed', okSteps)).toMatchObject({ met: false, detail: 'no backup step failed' });
  });
});

describe('end to end: history -> metrics -> thresholds', () => {
  it('no successful write after the fault: RTO unknown and the rto threshold fails', async () => {
    const { computeMetrics } = await import('../../src/checkers/metrics.js');
    const { writes } = await import('../checkers/ops.js');
    const ops = [...writes(0, 1000, 'ok'), ...writes(1000, 5000, 'info')];
    const m = computeMetrics({ ops, final: null, faults: [{ id: 'f1', confirmedT: 1000, disruptive: true }] });
    expect(m.rto_s).toBeNull();
    const [rto] = scoreThresholds({ rto: 30_000 }, m);
    expect(rto).toMatchObject({ name: 'rto', verdict: 'fail', measured: null });
    expect(rto!.reason).toBe(
      'not measured: fault f1: no durable write (acknowledged and present after recovery) after the fault',
    );
    expect(verdictOf([rto!], { aborted: false })).toBe('fail');
  });
});
