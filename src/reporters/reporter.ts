// The reporter contract (after vitest's reporters): every hook is optional, and the
// engine calls each reporter through writeReports/callReporter, which logs a reporter that
// throws instead of failing the drill. A broken JUnit writer must not cost the on-call
// engineer the verdict.
import type { DrillResult } from '../core/result.js';

export interface ReportContext {
  /** The run directory files are written into. */
  runDir: string;
  /** Terminal output (default: process.stdout). */
  write: (s: string) => void;
  /** Colour in terminal output (default: chalk's detected level). */
  color?: boolean;
}

export interface Reporter {
  readonly name: string;
  /** Called once with the final result. Returns the path of a file written, if any. */
  onResult?(result: DrillResult, ctx: ReportContext): Promise<string | void> | string | void;
}
