// The CLI edge: parses arguments, runs a command, and maps errors to exit codes.
// Known errors (DrillError) print one line; anything else is a bug and prints a stack.
//   0 every threshold met (or the scenario's expectation met)
//   1 a threshold breached: the drill ran, the SUT failed it
//   2 invalid scenario or usage
//   3 infrastructure error (no Docker, image build failed, harness fault)
//   130 interrupted (Ctrl-C), after healing and teardown

import yargs from 'yargs';
import { isDrillError, ScenarioError } from '../core/errors.js';
import { cleanupCommand } from './commands/cleanup.js';
import { compareCommand } from './commands/compare.js';
import { doctorCommand } from './commands/doctor.js';
import { initCommand } from './commands/init.js';
import { listCommand } from './commands/list.js';
import { mergeCommand } from './commands/merge.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { validateCommand } from './commands/validate.js';

export async function main(argv: string[]): Promise<number> {
  let exitCode: number;
  try {
    await yargs(argv)
      .scriptName('drill')
      .usage('$0 <command> [options]\n\nChaos and disaster-recovery drills: measured RTO, measured RPO, verified data.')
      .command(runCommand)
      .command(validateCommand)
      .command(listCommand)
      .command(initCommand)
      .command(doctorCommand)
      .command(cleanupCommand)
      .command(reportCommand)
      .command(compareCommand)
      .command(mergeCommand)
      .demandCommand(1, 'name a command: run, validate, list, init, doctor, cleanup, report, compare, merge')
      .strict()
      .help()
      .version()
      .fail((msg, err) => {
        if (err) throw err;
        throw new UsageFailure(msg);
      })
      .parseAsync();
    exitCode = process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    exitCode = report(e);
  }
  return exitCode;
}

class UsageFailure extends Error {}

function report(e: unknown): number {
  if (e instanceof UsageFailure) {
    process.stderr.write(`drill: ${e.message}\nRun \`drill --help\` for usage.\n`);
    return 2;
  }
  if (e instanceof ScenarioError) {
    for (const p of e.problems) process.stderr.write(`${p}\n`);
    return 2;
  }
  if (isDrillError(e)) {
    process.stderr.write(`drill: ${e.message}\n`);
    if (e.hint) process.stderr.write(`  ${e.hint}\n`);
    return e.exitCode;
  }
  process.stderr.write(`drill: internal error (a bug; please report it with this trace)\n`);
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 3;
}
