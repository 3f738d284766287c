// drill validate <scenario..>: check scenario files without running anything (no Docker).
// Prints "ok  <file>  (<name>: <N> steps)" per good file and "bad <file>  (<N> problems)"
// per bad one; if any file is bad, throws a ScenarioError with every problem line
// (file:line:col: field: message), which the CLI edge prints and maps to exit code 2.

import type { CommandModule } from 'yargs';
import { ScenarioError } from '../../core/errors.js';
import { resolveScenarioArgs } from '../../scenario/library.js';
import { checkScenarioFiles } from '../../scenario/load.js';
import { ENGINE_KINDS, type EngineKind } from '../../engines/engine.js';
import { engineRefusalHere } from '../../engines/limits.js';

interface ValidateArgs {
  scenario: string[];
  engine?: EngineKind;
}

/** Validates files and directories; writes one line per file to `out`. Throws ScenarioError if any is invalid. */
export async function validateScenarios(
  paths: readonly string[],
  out: (line: string) => void,
  engine?: EngineKind,
): Promise<void> {
  const checks = await checkScenarioFiles(await resolveScenarioArgs(paths));
  const problems: string[] = [];
  for (const c of checks) {
    // What the target cannot do on the engine it would run on (as `drill run` refuses it).
    const refusal = c.ok
      ? await engineRefusalHere(c.scenario, engine ?? c.scenario.cluster.engine ?? 'docker')
      : undefined;
    if (refusal !== undefined) {
      out(`bad ${c.path}  (1 problem)`);
      problems.push(`${c.path}: ${refusal}`);
    } else if (c.ok) {
      const n = c.scenario.steps.length;
      out(`ok  ${c.path}  (${c.scenario.name}: ${n} step${n === 1 ? '' : 's'})`);
    } else {
      const n = c.problems.length;
      out(`bad ${c.path}  (${n} problem${n === 1 ? '' : 's'})`);
      problems.push(...c.problems);
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
}

export const validateCommand: CommandModule<object, ValidateArgs> = {
  command: 'validate <scenario..>',
  describe: 'check scenario files (directories: every *.yaml / *.yml in them) without running them',
  builder: (y) =>
    y
      .positional('scenario', {
        describe: 'scenario files, directories, or names of bundled scenarios',
        type: 'string',
        array: true,
        demandOption: true,
      })
      .option('engine', {
        type: 'string',
        choices: ENGINE_KINDS,
        describe: "check for this engine, as `drill run --engine` would (default: each scenario's cluster.engine)",
      }) as never,
  handler: async (args) => {
    await validateScenarios(args.scenario, (line) => process.stdout.write(`${line}\n`), args.engine);
  },
};
