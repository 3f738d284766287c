// drill report <run-dir>: re-render a finished run's reports (result.json, junit.xml,
// report.html). The metrics are computed
// again from the recorded history, final read, fault records and leader timeline, so a
// fix to a checker or reporter applies to old runs too.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { readHistory } from '../../client/history-writer.js';
import type { FinalRead } from '../../client/history.js';
import { computeMetrics, faultInputs, type MetricsInput } from '../../checkers/metrics.js';
import { UsageError } from '../../core/errors.js';
import type { DrillResult } from '../../core/result.js';
import { defaultFileReporters, writeReports } from '../../reporters/index.js';
import { renderSummary } from '../../reporters/summary-table.js';
import type { LeaderObservation } from '../../run/leader-watch.js';
import { judge } from '../../scoring/verdict.js';
import type { Scenario } from '../../scenario/schema.js';

function readJson<T>(path: string): T | null {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : null;
}

export async function rerender(runDir: string): Promise<DrillResult> {
  const dir = resolve(runDir);
  const prev = readJson<DrillResult>(join(dir, 'result.json'));
  const saved = readJson<{ scenario: Scenario }>(join(dir, 'scenario.json'));
  if (!prev || !saved) throw new UsageError(`${runDir}: not a run directory (no result.json / scenario.json)`);
  const events = existsSync(join(dir, 'history.jsonl')) ? await readHistory(join(dir, 'history.jsonl')) : [];
  const final = readJson<FinalRead>(join(dir, 'final-read.json'));
  const leaders = readJson<LeaderObservation[]>(join(dir, 'leaders.json')) ?? [];
  const backup = readJson<NonNullable<MetricsInput['backup']>>(join(dir, 'backup.json'));
  const metrics = computeMetrics({
    events,
    endT: prev.duration_s * 1000,
    final,
    faults: faultInputs(prev.faults),
    leaderTimeline: leaders,
    ...(backup ? { backup } : {}),
  });
  const run = { aborted: prev.aborted, status: prev.status, steps: prev.steps };
  const { thresholds, verdict, expect } = judge(saved.scenario, metrics, run);
  const result: DrillResult = { ...prev, metrics, thresholds, verdict, run_dir: dir };
  delete result.expect;
  if (expect) result.expect = expect;
  return result;
}

export const reportCommand: CommandModule<object, { 'run-dir': string }> = {
  command: 'report <run-dir>',
  describe: 're-render the reports of a finished run from its history and journal',
  builder: (y) => y.positional('run-dir', { type: 'string', demandOption: true }) as never,
  handler: async (args) => {
    const result = await rerender(args['run-dir']);
    const outcomes = await writeReports(result, result.run_dir, defaultFileReporters, {
      log: (m: string) => process.stderr.write(`warning: ${m}\n`),
    });
    process.stdout.write(renderSummary(result) + `\nrun directory: ${result.run_dir}\n`);
    const page = outcomes.find((o) => o.name === 'html' && o.file)?.file;
    if (page) process.stdout.write(`report: ${page}\n`);
  },
};
