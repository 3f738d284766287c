// `drill run --repeat N`: N runs of one scenario summarised. Recovery times vary from run
// to run (election timeouts are randomised), so one number says little; the summary gives
// median, p90, max and a bootstrap 95% confidence interval of the median for RTO and RPO.
//
// The verdict is the worst run's unless the scenario names a percentile
// (`repeat: { verdict_percentile: 90 }`): then each threshold is judged on the run at that
// percentile of badness (nearest rank; an unmeasured value is the worst).
//
// Written as <out>/<scenario>/repeat-<timestamp>.json; `drill compare` reads it.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { nearestRank } from '../checkers/latency.js';
import { seededRng, type Rng } from '../core/random.js';
import type { DrillResult, ThresholdResult, Verdict } from '../core/result.js';
import { checkExpectation, type Expectation, type ExpectationResult } from '../scoring/thresholds.js';
import { verdictOf } from '../scoring/verdict.js';

export interface Stat {
  /** Runs with a measured value. */
  n: number;
  /** Runs where the value was unknown (null). */
  unknown: number;
  median: number | null;
  p90: number | null;
  max: number | null;
  /** Bootstrap 95% confidence interval of the median (percentile method); null without values. */
  ci95: [number, number] | null;
}

export interface RepeatRun {
  run_id: string;
  run_dir: string;
  verdict: Verdict;
  status: DrillResult['status'];
  rto_s: number | null;
  rpo_lost: number | null;
  rpo_window_s: number | null;
}

export interface RepeatSummary {
  kind: 'drill-repeat';
  schema_version: 1;
  scenario: { name: string; file: string };
  created_at: string;
  runs: RepeatRun[];
  stats: { rto_s: Stat; rpo_lost: Stat; rpo_window_s: Stat };
  /** 100 = the worst run decides; otherwise the percentile the scenario named. */
  verdict_percentile: number;
  /** Each threshold as judged at that percentile, with the run it came from in `reason`. */
  thresholds: ThresholdResult[];
  verdict: Verdict;
  expect?: ExpectationResult;
  /** Seed of the bootstrap resampling. */
  bootstrap_seed: number;
}

export interface AggregateOptions {
  /** Judge thresholds at this percentile of badness (1..100); default 100, the worst run. */
  percentile?: number | undefined;
  expect?: Expectation | undefined;
  /** Seed of the bootstrap RNG (default 1): the same runs give the same interval. */
  seed?: number | undefined;
  /** Bootstrap resamples. Default 2000. */
  resamples?: number;
  now?: Date;
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** Percentile bootstrap 95% interval of the median of `values`. */
export function bootstrapMedianCi(values: readonly number[], rng: Rng, resamples = 2000): [number, number] | null {
  if (values.length === 0) return null;
  if (values.length === 1) return [values[0]!, values[0]!];
  const meds: number[] = [];
  const sample = new Array<number>(values.length);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < values.length; i++) sample[i] = values[Math.floor(rng() * values.length)]!;
    meds.push(median([...sample].sort((x, y) => x - y)));
  }
  meds.sort((x, y) => x - y);
  return [nearestRank(meds, 2.5)!, nearestRank(meds, 97.5)!];
}

export function statOf(values: readonly (number | null)[], rng: Rng, resamples?: number): Stat {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  return {
    n: known.length,
    unknown: values.length - known.length,
    median: known.length ? median(known) : null,
    p90: nearestRank(known, 90),
    max: known.length ? known.at(-1)! : null,
    ci95: bootstrapMedianCi(known, rng, resamples),
  };
}

/** How bad a measured value is for a threshold (higher is worse); unknown is the worst. */
function badness(t: ThresholdResult): number {
  if (t.measured === null) return Infinity;
  if (typeof t.measured === 'boolean') return t.measured ? 0 : 1;
  return t.limit.trim().startsWith('>=') ? -t.measured : t.measured;
}

/** Each threshold judged on the run at `percentile` of badness (nearest rank). */
export function thresholdsAtPercentile(results: readonly DrillResult[], percentile: number): ThresholdResult[] {
  const names: string[] = [];
  for (const r of results) for (const t of r.thresholds) if (!names.includes(t.name)) names.push(t.name);
  return names.map((name) => {
    const per = results
      .map((r) => ({ r, t: r.thresholds.find((t) => t.name === name) }))
      .filter((x): x is { r: DrillResult; t: ThresholdResult } => x.t !== undefined)
      .sort((a, b) => badness(a.t) - badness(b.t));
    const rank = Math.min(per.length, Math.max(1, Math.ceil((percentile / 100) * per.length)));
    const { r, t } = per[rank - 1]!;
    const basis = percentile >= 100 ? `worst of ${per.length} runs` : `p${percentile} of ${per.length} runs`;
    const out: ThresholdResult = { ...t, reason: `${basis}: run ${r.run_id}${t.reason ? `, ${t.reason}` : ''}` };
    return out;
  });
}

function worstVerdict(vs: readonly Verdict[]): Verdict {
  if (vs.includes('fail')) return 'fail';
  if (vs.includes('unknown')) return 'unknown';
  return 'pass';
}

export function aggregateRuns(results: readonly DrillResult[], opts: AggregateOptions = {}): RepeatSummary {
  if (results.length === 0) throw new Error('aggregateRuns: no results');
  const percentile = opts.percentile ?? 100;
  if (!(percentile > 0 && percentile <= 100))
    throw new RangeError(`verdict percentile: expected 1..100, got ${percentile}`);
  const seed = opts.seed ?? 1;
  const rng = seededRng(seed);
  const first = results[0]!;
  const thresholds = thresholdsAtPercentile(results, percentile);
  const verdict =
    percentile >= 100
      ? worstVerdict(results.map((r) => r.verdict))
      : verdictOf(thresholds, { aborted: results.every((r) => r.aborted) });
  const summary: RepeatSummary = {
    kind: 'drill-repeat',
    schema_version: 1,
    scenario: { name: first.scenario.name, file: first.scenario.file },
    created_at: (opts.now ?? new Date()).toISOString(),
    runs: results.map((r) => ({
      run_id: r.run_id,
      run_dir: r.run_dir,
      verdict: r.verdict,
      status: r.status,
      rto_s: r.metrics.rto_s,
      rpo_lost: r.metrics.rpo.lost,
      rpo_window_s: r.metrics.rpo.window_s,
    })),
    stats: {
      rto_s: statOf(
        results.map((r) => r.metrics.rto_s),
        rng,
        opts.resamples,
      ),
      rpo_lost: statOf(
        results.map((r) => r.metrics.rpo.lost),
        rng,
        opts.resamples,
      ),
      rpo_window_s: statOf(
        results.map((r) => r.metrics.rpo.window_s),
        rng,
        opts.resamples,
      ),
    },
    verdict_percentile: percentile,
    thresholds,
    verdict,
    bootstrap_seed: seed,
  };
  const exp = checkExpectation(opts.expect, verdict, thresholds);
  if (exp) summary.expect = exp;
  return summary;
}

function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Write <out>/<scenario>/repeat-<timestamp>.json; returns its path. */
export function writeRepeatSummary(summary: RepeatSummary, outDir: string): string {
  const dir = resolve(outDir, summary.scenario.name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `repeat-${stamp(new Date(summary.created_at))}.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  return file;
}

/** The exit code of repeated runs: 130 interrupted, 3 a run aborted, 1 a summary not as expected, else 0. */
export function exitCodeForRepeats(
  summaries: readonly RepeatSummary[],
  results: readonly DrillResult[],
  interrupted: boolean,
): number {
  if (interrupted || results.some((r) => r.status === 'interrupted')) return 130;
  if (results.some((r) => r.status === 'aborted')) return 3;
  const met = (s: RepeatSummary) => (s.expect ? s.expect.met : s.verdict === 'pass');
  return summaries.every(met) ? 0 : 1;
}

const f3 = (v: number | null, unit: string) => (v === null ? 'unknown' : `${+v.toFixed(3)}${unit}`);

/** The terminal summary of a repeat. */
export function renderRepeatSummary(s: RepeatSummary): string {
  const rows: [string, Stat, string][] = [
    ['RTO', s.stats.rto_s, ' s'],
    ['RPO lost', s.stats.rpo_lost, ''],
    ['RPO window', s.stats.rpo_window_s, ' s'],
  ];
  const head = ['', 'runs', 'median', 'p90', 'max', '95% CI of median'];
  const body = rows.map(([name, st, u]) => [
    name,
    `${st.n}${st.unknown ? ` (+${st.unknown} unknown)` : ''}`,
    f3(st.median, u),
    f3(st.p90, u),
    f3(st.max, u),
    st.ci95 ? `${f3(st.ci95[0], u)} .. ${f3(st.ci95[1], u)}` : 'unknown',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const lines = [`repeat: ${s.scenario.name}, ${s.runs.length} runs`, fmt(head), ...body.map(fmt)];
  for (const t of s.thresholds) lines.push(`  ${t.name} ${t.limit}: ${t.verdict} (${t.reason ?? ''})`);
  const basis = s.verdict_percentile >= 100 ? 'worst run' : `p${s.verdict_percentile}`;
  let v = `verdict (${basis}): ${s.verdict.toUpperCase()}`;
  if (s.expect) v += `  expected ${s.expect.verdict}: ${s.expect.met ? 'met' : 'NOT met'}`;
  lines.push(v);
  return `${lines.join('\n')}\n`;
}
