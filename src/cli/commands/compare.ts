// drill compare <baseline> <candidate>: flag RTO or RPO regressions beyond a tolerance,
// for nightly trend gates. Each side is a run directory, a result.json, or a repeat
// summary (repeat-*.json, whose median is compared; --stat picks p90 or max instead).
//
//   exit 0  no regression
//   exit 1  a regression beyond its tolerance (or a figure that became unknown)
//   exit 2  bad input (a path that is not a run, a malformed tolerance)
//
// A tolerance is relative ("20%"), absolute ("0.5s", "500ms", or a bare count for
// rpo.lost), or both ("20%,0.5s"): the allowed increase is the larger of the two.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import type { DrillResult } from '../../core/result.js';
import type { RepeatSummary } from '../../run/repeat.js';

export type Stat = 'median' | 'p90' | 'max';

export interface Figures {
  label: string;
  scenario: string;
  rto_s: number | null;
  rpo_lost: number | null;
  rpo_window_s: number | null;
}

export interface Tolerance {
  /** Allowed relative increase, e.g. 0.2 for 20%. */
  relative: number;
  /** Allowed absolute increase, in the metric's unit (s or count). */
  absolute: number;
  text: string;
}

export interface Comparison {
  metric: string;
  unit: 's' | 'count';
  baseline: number | null;
  candidate: number | null;
  tolerance: Tolerance;
  verdict: 'ok' | 'regression' | 'improved' | 'no baseline';
  /** Increase beyond what the tolerance allows, in the metric's unit. */
  detail: string;
}

/** Parse "20%", "0.5s", "500ms", "3", or a comma-separated mix. */
export function parseTolerance(text: string, unit: 's' | 'count'): Tolerance {
  const t: Tolerance = { relative: 0, absolute: 0, text };
  for (const raw of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^(\d+(?:\.\d+)?)%$/.exec(raw))) t.relative = Math.max(t.relative, Number(m[1]) / 100);
    else if (unit === 's' && (m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(raw)))
      t.absolute = Math.max(t.absolute, Number(m[1]) / (m[2] === 'ms' ? 1000 : 1));
    else if (unit === 'count' && (m = /^(\d+)$/.exec(raw))) t.absolute = Math.max(t.absolute, Number(m[1]));
    else {
      const want =
        unit === 's'
          ? 'a percentage ("20%") and/or a duration ("0.5s", "500ms")'
          : 'a percentage ("20%") and/or a count ("0")';
      throw new UsageError(`tolerance: expected ${want}, got "${raw}"`);
    }
  }
  return t;
}

function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${path}: not readable JSON (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
}

function isResult(v: unknown): v is DrillResult {
  const o = v as Partial<DrillResult> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    o.schema_version === 1 &&
    typeof o.metrics === 'object' &&
    typeof o.scenario === 'object'
  );
}

function isRepeat(v: unknown): v is RepeatSummary {
  const o = v as Partial<RepeatSummary> | null;
  return typeof o === 'object' && o !== null && o.kind === 'drill-repeat' && typeof o.stats === 'object';
}

/** The figures of a run directory, a result.json or a repeat summary. */
export function loadFigures(path: string, stat: Stat = 'median'): Figures {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file or directory`);
  let file = path;
  if (statSync(path).isDirectory()) {
    file = join(path, 'result.json');
    if (!existsSync(file)) throw new UsageError(`${path}: not a run directory (no result.json)`);
  }
  const v = readJsonFile(file);
  if (isRepeat(v)) {
    return {
      label: `${path} (${stat} of ${v.runs.length} runs)`,
      scenario: v.scenario.name,
      rto_s: v.stats.rto_s[stat],
      rpo_lost: v.stats.rpo_lost[stat],
      rpo_window_s: v.stats.rpo_window_s[stat],
    };
  }
  if (isResult(v)) {
    return {
      label: path,
      scenario: v.scenario.name,
      rto_s: v.metrics.rto_s,
      rpo_lost: v.metrics.rpo.lost,
      rpo_window_s: v.metrics.rpo.window_s,
    };
  }
  throw new UsageError(`${file}: neither a drill result.json nor a repeat summary`);
}

function compareOne(
  metric: string,
  unit: 's' | 'count',
  a: number | null,
  b: number | null,
  tol: Tolerance,
): Comparison {
  const c: Comparison = { metric, unit, baseline: a, candidate: b, tolerance: tol, verdict: 'ok', detail: '' };
  if (a === null) {
    c.verdict = 'no baseline';
    c.detail = 'baseline unknown';
  } else if (b === null) {
    c.verdict = 'regression';
    c.detail = 'became unknown (not measured)';
  } else {
    const allowed = Math.max(tol.relative * Math.abs(a), tol.absolute);
    const delta = b - a;
    if (delta > allowed + 1e-9) {
      c.verdict = 'regression';
      c.detail = `+${fmt(delta, unit)} > allowed +${fmt(allowed, unit)}`;
    } else if (delta < 0) {
      c.verdict = 'improved';
      c.detail = fmt(delta, unit);
    } else {
      c.detail = delta === 0 ? 'unchanged' : `+${fmt(delta, unit)} within +${fmt(allowed, unit)}`;
    }
  }
  return c;
}

function fmt(v: number | null, unit: 's' | 'count'): string {
  if (v === null) return 'unknown';
  return unit === 's' ? `${+v.toFixed(3)} s` : String(+v.toFixed(2));
}

export interface CompareOptions {
  rtoTolerance: Tolerance;
  rpoTolerance: Tolerance;
  rpoWindowTolerance: Tolerance;
}

export function compareFigures(a: Figures, b: Figures, o: CompareOptions): Comparison[] {
  return [
    compareOne('rto', 's', a.rto_s, b.rto_s, o.rtoTolerance),
    compareOne('rpo.lost', 'count', a.rpo_lost, b.rpo_lost, o.rpoTolerance),
    compareOne('rpo.window', 's', a.rpo_window_s, b.rpo_window_s, o.rpoWindowTolerance),
  ];
}

export function renderComparison(a: Figures, b: Figures, rows: readonly Comparison[]): string {
  const head = ['metric', 'baseline', 'candidate', 'tolerance', 'verdict', 'detail'];
  const body = rows.map((r) => [
    r.metric,
    fmt(r.baseline, r.unit),
    fmt(r.candidate, r.unit),
    r.tolerance.text,
    r.verdict.toUpperCase(),
    r.detail,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [
    `baseline:  ${a.label}`,
    `candidate: ${b.label}`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ];
  const bad = rows.filter((r) => r.verdict === 'regression');
  out.push('', bad.length ? `REGRESSION: ${bad.map((r) => r.metric).join(', ')}` : 'no regression');
  return `${out.join('\n')}\n`;
}

interface CompareArgs {
  baseline: string;
  candidate: string;
  'rto-tolerance': string;
  'rpo-tolerance': string;
  'rpo-window-tolerance': string;
  stat: string;
  json: boolean;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <baseline> <candidate>',
  describe: 'flag RTO / RPO regressions of a run (or repeat summary) against a baseline; exit 1 on regression',
  builder: (y) =>
    y
      .positional('baseline', {
        type: 'string',
        demandOption: true,
        describe: 'run directory, result.json or repeat-*.json',
      })
      .positional('candidate', {
        type: 'string',
        demandOption: true,
        describe: 'run directory, result.json or repeat-*.json',
      })
      .option('rto-tolerance', {
        type: 'string',
        default: '20%',
        describe: 'allowed RTO increase: "20%", "0.5s", or both "20%,0.5s" (the larger applies)',
      })
      .option('rpo-tolerance', {
        type: 'string',
        default: '0',
        describe: 'allowed increase of lost writes: a count or a percentage',
      })
      .option('rpo-window-tolerance', {
        type: 'string',
        default: '20%',
        describe: 'allowed increase of the RPO window: "20%", "0.5s", or both',
      })
      .option('stat', {
        type: 'string',
        default: 'median',
        choices: ['median', 'p90', 'max'],
        describe: 'which statistic of a repeat summary to compare',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print the comparison as JSON' }) as never,
  handler: (args) => {
    const opts: CompareOptions = {
      rtoTolerance: parseTolerance(args['rto-tolerance'], 's'),
      rpoTolerance: parseTolerance(args['rpo-tolerance'], 'count'),
      rpoWindowTolerance: parseTolerance(args['rpo-window-tolerance'], 's'),
    };
    const stat = args.stat as Stat;
    const a = loadFigures(args.baseline, stat);
    const b = loadFigures(args.candidate, stat);
    if (a.scenario !== b.scenario)
      process.stderr.write(`warning: comparing different scenarios: ${a.scenario} vs ${b.scenario}\n`);
    const rows = compareFigures(a, b, opts);
    if (args.json)
      process.stdout.write(`${JSON.stringify({ baseline: a, candidate: b, comparisons: rows }, null, 2)}\n`);
    else process.stdout.write(renderComparison(a, b, rows));
    process.exitCode = rows.some((r) => r.verdict === 'regression') ? 1 : 0;
  },
};
