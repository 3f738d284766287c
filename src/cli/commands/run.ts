// drill run <scenario.yaml|dir>...: run drills, print live progress and a summary,
// write the reports, exit with a code CI can act on.

import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import type { DrillResult } from '../../core/result.js';
import { writeReports } from '../../reporters/index.js';
import { createProgress } from '../../reporters/progress.js';
import { renderSummary } from '../../reporters/summary-table.js';
import { runDrill } from '../../run/drill.js';
import { exitCodeFor } from '../../run/exit-code.js';
import { loadScenarios } from '../../scenario/load.js';
import { describeStep } from '../../schedule/steps.js';
import { assertDockerAvailable } from '../../docker/engine.js';

interface RunArgs {
  scenarios: string[];
  out: string;
  seed?: number;
  repeat: number;
  keep: boolean;
  'dry-run': boolean;
  format: string[];
  quiet: boolean;
  json: boolean;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <scenarios..>',
  describe: 'run drills from scenario files or directories',
  builder: (y) =>
    y
      .positional('scenarios', { type: 'string', array: true, demandOption: true, describe: 'scenario files or directories' })
      .option('out', { type: 'string', default: 'reports', describe: 'directory for run directories (DIR/latest points to the newest)' })
      .option('seed', { type: 'number', describe: 'seed for every random choice (overrides the scenario)' })
      .option('repeat', { type: 'number', default: 1, describe: 'run each scenario N times' })
      .option('keep', { type: 'boolean', default: false, describe: 'leave the cluster running afterwards (drill cleanup removes it)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'validate and print the plan; start nothing' })
      .option('format', {
        type: 'string',
        array: true,
        default: ['json', 'junit'],
        describe: 'reports to write in the run directory (json, junit)',
      })
      .option('quiet', { type: 'boolean', default: false, describe: 'no live progress; only the summary' })
      .option('json', { type: 'boolean', default: false, describe: 'print result.json to stdout instead of the summary' }) as never,
  handler: async (args) => {
    if (!Number.isInteger(args.repeat) || args.repeat < 1) throw new UsageError(`--repeat must be a positive integer, got ${args.repeat}`);
    if (args.seed !== undefined && !Number.isInteger(args.seed)) throw new UsageError(`--seed must be an integer, got ${args.seed}`);
    const files = await loadScenarios(args.scenarios);
    if (args['dry-run']) {
      for (const f of files) {
        process.stdout.write(`${f.path}: ${f.scenario.name}, ${f.scenario.cluster.nodes} x ${f.scenario.cluster.target}\n`);
        f.scenario.steps.forEach((s, i) => process.stdout.write(`  ${i + 1}. ${describeStep(s)}\n`));
      }
      return;
    }
    await assertDockerAvailable();

    const controller = new AbortController();
    let interrupts = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      interrupts++;
      if (interrupts === 1) {
        process.stderr.write(`\n${sig}: stopping the drill, healing faults and tearing down (press Ctrl-C twice more to force)\n`);
        controller.abort(new Error(`interrupted by ${sig}`));
      } else if (interrupts >= 3) {
        process.stderr.write(`forced exit: resources may remain; run \`drill cleanup\`\n`);
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    const results: DrillResult[] = [];
    try {
      for (const file of files) {
        for (let i = 0; i < args.repeat; i++) {
          if (controller.signal.aborted) break;
          const tty = Boolean(process.stdout.isTTY) && !args.json;
          const progress = createProgress({
            tty,
            write: (s) => {
              if (!args.quiet && !args.json) process.stdout.write(s);
              else if (args.json) process.stderr.write(s);
            },
          });
          const result = await runDrill({
            file,
            outDir: args.out,
            seed: args.seed,
            keep: args.keep,
            signal: controller.signal,
            progress,
          });
          results.push(result);
          await writeReports(result, result.run_dir, args.format, { log: (m: string) => process.stderr.write(`warning: ${m}\n`) });
          if (args.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
          else process.stdout.write(renderSummary(result) + `\nrun directory: ${result.run_dir}\n`);
        }
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    process.exitCode = exitCodeFor(results, controller.signal.aborted);
  },
};
