import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/random.js';
import type { DrillResult } from '../../src/core/result.js';
import {
  aggregateRuns,
  bootstrapMedianCi,
  exitCodeForRepeats,
  renderRepeatSummary,
  statOf,
  writeRepeatSummary,
} from '../../src/run/repeat.js';
import { scoreThresholds } from '../../src/scoring/thresholds.js';
import { verdictOf } from '../../src/scoring/verdict.js';
import { result as makeResult } from '../reporters/fixtures.js';

/** A run with this RTO and lost count, scored against rto <= 5 s and rpo.lost <= 0. */
function run(id: string, rto: number | null, lost = 0): DrillResult {
  const r = makeResult({ run_id: id });
  r.metrics.rto_s = rto;
  r.metrics.rpo.lost = lost;
  r.thresholds = scoreThresholds({ rto: 5000, rpo: { lost: 0 } }, r.metrics);
  r.verdict = verdictOf(r.thresholds, { aborted: false });
  return r;
}

describe('statOf', () => {
  it('median, p90 (nearest rank), max, and unknowns counted apart', () => {
    const s = statOf([3, 1, null, 2, 10], seededRng(1));
    expect(s).toMatchObject({ n: 4, unknown: 1, median: 2.5, p90: 10, max: 10 });
    expect(statOf([], seededRng(1))).toEqual({ n: 0, unknown: 0, median: null, p90: null, max: null, ci95: null });
  });

  it('the bootstrap interval of the median is seeded, contains the median, and collapses for one run', () => {
    const values = [1.1, 1.3, 1.2, 1.6, 2.4, 1.25, 1.4, 1.35, 1.5, 1.15];
    const a = bootstrapMedianCi(values, seededRng(7));
    expect(a).toEqual(bootstrapMedianCi(values, seededRng(7)));
    expect(a![0]).toBeLessThanOrEqual(1.325);
    expect(a![1]).toBeGreaterThanOrEqual(1.325);
    expect(a![0]).toBeGreaterThanOrEqual(1.1);
    expect(a![1]).toBeLessThanOrEqual(2.4);
    expect(bootstrapMedianCi([4], seededRng(1))).toEqual([4, 4]);
  });
});

describe('aggregateRuns', () => {
  const runs = [
    run('r1', 1.2),
    run('r2', 1.4),
    run('r3', 1.3),
    run('r4', 1.1),
    run('r5', 1.25),
    run('r6', 1.35),
    run('r7', 1.5),
    run('r8', 1.15),
    run('r9', 1.45),
    run('r10', 6.2),
  ];

  it('the worst run decides by default', () => {
    const s = aggregateRuns(runs, { now: new Date(0) });
    expect(s.verdict).toBe('fail');
    expect(s.verdict_percentile).toBe(100);
    const rto = s.thresholds.find((t) => t.name === 'rto')!;
    expect(rto).toMatchObject({ measured: 6.2, verdict: 'fail' });
    expect(rto.reason).toMatch(/^worst of 10 runs: run r10, measured 6.2 s > limit 5 s/);
    expect(s.stats.rto_s).toMatchObject({ n: 10, p90: 1.5, max: 6.2 });
    expect(s.stats.rto_s.median).toBeCloseTo(1.325, 9);
    expect(s.runs.map((r) => r.run_id)).toHaveLength(10);
    expect(exitCodeForRepeats([s], runs, false)).toBe(1);
  });

  it('a named percentile judges each threshold on the run at that percentile', () => {
    const s = aggregateRuns(runs, { percentile: 90 });
    expect(s.verdict).toBe('pass');
    expect(s.thresholds.find((t) => t.name === 'rto')).toMatchObject({ measured: 1.5, verdict: 'pass' });
    expect(exitCodeForRepeats([s], runs, false)).toBe(0);
    // an unknown RTO counts as the worst value
    const withUnknown = aggregateRuns([run('a', 1), run('b', null)], { percentile: 50 });
    expect(withUnknown.thresholds.find((t) => t.name === 'rto')!.measured).toBe(1);
    expect(aggregateRuns([run('a', 1), run('b', null)], { percentile: 51 }).verdict).toBe('fail');
  });

  it('an expectation is checked against the aggregate', () => {
    const lossy = [run('a', 1, 0), run('b', 1, 3)];
    const s = aggregateRuns(lossy, { expect: { verdict: 'fail', reason: 'rpo.lost > 0' } });
    expect(s.expect).toMatchObject({ met: true });
    expect(exitCodeForRepeats([s], lossy, false)).toBe(0);
    expect(exitCodeForRepeats([s], lossy, true)).toBe(130);
  });

  it('is deterministic for a seed, is written as repeat-<ts>.json and prints a table', () => {
    const a = aggregateRuns(runs, { seed: 3, now: new Date('2026-01-02T03:04:05Z') });
    expect(a.stats).toEqual(aggregateRuns(runs, { seed: 3 }).stats);
    const dir = mkdtempSync(join(tmpdir(), 'drill-repeat-'));
    try {
      const file = writeRepeatSummary(a, dir);
      expect(file).toBe(join(dir, 'primary-down', 'repeat-20260102T030405Z.json'));
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ kind: 'drill-repeat', verdict: 'fail' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const text = renderRepeatSummary(a);
    expect(text).toMatch(/^RTO\s+10\s+1\.325 s\s+1\.5 s\s+6\.2 s\s+[\d.]+ s \.\. [\d.]+ s$/m);
    expect(text).toMatch(/verdict \(worst run\): FAIL/);
  });
});
