// Reporters by name, as the CLI's --format and the run engine use them. Each reporter runs
// isolated: an exception is logged and recorded in the outcome, never rethrown.
import type { DrillResult } from '../core/result.js';
import { htmlReporter } from './html.js';
import { junitReporter } from './junit.js';
import type { ReportContext, Reporter } from './reporter.js';
import { jsonReporter } from './result-json.js';
import { terminalReporter } from './summary-table.js';

export type { Reporter, ReportContext } from './reporter.js';

export const reporters = {
  json: jsonReporter,
  junit: junitReporter,
  html: htmlReporter,
  terminal: terminalReporter,
} as const satisfies Record<string, Reporter>;

export type ReporterName = keyof typeof reporters;
export const reporterNames = Object.keys(reporters) as ReporterName[];
export const defaultReporters: ReporterName[] = ['json', 'junit', 'html', 'terminal'];
/** The files every run directory gets (`drill run --format` default, `drill report`). */
export const defaultFileReporters: ReporterName[] = ['json', 'junit', 'html'];

export function isReporterName(s: string): s is ReporterName {
  return Object.hasOwn(reporters, s);
}

export interface ReportOutcome {
  name: string;
  /** File written, if the reporter writes one. */
  file?: string;
  /** Set when the reporter failed (it was logged, not thrown). */
  error?: string;
}

export interface WriteReportsOptions {
  write?: (s: string) => void;
  color?: boolean;
  /** Where a failing reporter is logged. Default: stderr. */
  log?: (message: string) => void;
  /** Extra reporters (by instance), e.g. the HTML report. */
  extra?: readonly Reporter[];
}

export async function writeReports(
  result: DrillResult,
  runDir: string,
  names: readonly string[] = defaultReporters,
  opts: WriteReportsOptions = {},
): Promise<ReportOutcome[]> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const ctx: ReportContext = { runDir, write: opts.write ?? ((s) => process.stdout.write(s)) };
  if (opts.color !== undefined) ctx.color = opts.color;
  const list: (Reporter | string)[] = [
    ...names.map((n) => (isReporterName(n) ? reporters[n] : n)),
    ...(opts.extra ?? []),
  ];
  const outcomes: ReportOutcome[] = [];
  for (const r of list) {
    if (typeof r === 'string') {
      const error = `unknown reporter "${r}" (known: ${reporterNames.join(', ')})`;
      log(`drill: ${error}`);
      outcomes.push({ name: r, error });
      continue;
    }
    outcomes.push(await callReporter(r, result, ctx, log));
  }
  return outcomes;
}

export async function callReporter(
  r: Reporter,
  result: DrillResult,
  ctx: ReportContext,
  log: (message: string) => void,
): Promise<ReportOutcome> {
  try {
    const file = await r.onResult?.(result, ctx);
    return typeof file === 'string' ? { name: r.name, file } : { name: r.name };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    log(`drill: reporter "${r.name}" failed: ${error}`);
    return { name: r.name, error };
  }
}
