// drill merge <dir>...: the runs of a sharded library (`drill run --shard K/N` on N runners)
// combined into one summary (summary.md, summary.json), one JUnit file and one HTML index,
// with an exit code that says whether the whole library ran and met its expectations.

import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import type { DrillResult } from '../../core/result.js';
import { writeGithubOutput } from '../../reporters/github.js';
import { writeLibraryIndex } from '../../reporters/library-index.js';
import { librarySummary, renderLibraryTerminal, writeLibrarySummary } from '../../reporters/library-table.js';
import { renderJunit } from '../../reporters/junit.js';
import { at, str } from '../../reporters/result-fields.js';
import { collectRuns, mergeExitCode, planMerge } from '../../run/merge.js';

interface MergeArgs {
  dirs: string[];
  out: string;
  github: boolean;
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: 'combine the runs of a sharded library (drill run --shard K/N) into one summary, JUnit file and index',
  builder: (y) =>
    y
      .positional('dirs', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: "each shard's --out directory (or any directory above them: CI artifacts unpacked side by side)",
      })
      .option('out', { type: 'string', default: 'merged', describe: 'where to write the merged reports' })
      .option('github', {
        type: 'boolean',
        default: false,
        describe: 'also write the GitHub job summary and ::error annotations',
      }) as never,
  handler: async (args) => {
    const input = collectRuns(args.dirs);
    const plan = planMerge(input);
    const out = resolve(args.out);
    const results = plan.runs.map((r) => r.result);
    const summary = librarySummary(results);
    const shardByFile = new Map<string, number>();
    for (const s of input.shards) for (const e of s.record.scenarios) shardByFile.set(e.file, s.record.index);
    summary.rows.forEach((row, i) => (row.run_dir = plan.runs[i]!.dir));
    if (plan.total !== null) summary.shards = { total: plan.total, found: plan.found, missing: plan.missing };
    if (plan.notRun.length > 0) summary.not_run = plan.notRun;
    const paths = writeLibrarySummary(summary, out);
    const junit = join(out, 'junit.xml');
    await writeFile(junit, renderJunit(results as DrillResult[], plan.notRun));
    const index = writeLibraryIndex(
      summary,
      {
        links: plan.runs.map((r) =>
          existsSync(join(r.dir, 'report.html')) ? relative(out, join(r.dir, 'report.html')) : null,
        ),
        shardOf: plan.runs.map((r) => shardByFile.get(str(at(r.result, 'scenario', 'file')) ?? '') ?? null),
        notRun: plan.notRun,
        unreadable: plan.unreadable,
      },
      out,
    );
    const lines: string[] = [];
    if (plan.total !== null) {
      const missing = plan.missing.map((i) => `${i}/${plan.total}`).join(', ');
      lines.push(`shards: ${plan.found.length} of ${plan.total}${missing ? `, missing ${missing}` : ''}`);
    } else lines.push('no shard summaries found: the runs are merged as they are, without a coverage check');
    for (const n of plan.notRun) lines.push(`NOT RUN ${n.file}: ${n.reason}`);
    for (const f of plan.unreadable) lines.push(`UNREADABLE ${f}`);
    if (input.stale.length > 0)
      lines.push(`left out ${input.stale.length} older run(s) that their directory's summary.json does not list`);
    process.stdout.write(`${renderLibraryTerminal(summary)}${lines.join('\n')}\n`);
    process.stdout.write(`summary: ${paths.md}\njunit: ${junit}\nindex: ${index}\n`);
    if (args.github) writeGithubOutput(results);
    process.exitCode = mergeExitCode(
      plan,
      summary.rows.map((r) => r.as_expected),
    );
    if (process.exitCode === 3)
      process.stderr.write(
        'drill merge: the library is incomplete (see above): re-run the missing shards, then merge again\n',
      );
  },
};
