// drill run <scenario.yaml|dir>...: run drills, print live progress and a summary,
// write the reports, exit with a code CI can act on.

import { userInfo } from 'node:os';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import type { DrillResult } from '../../core/result.js';
import { defaultFileReporters, writeReports } from '../../reporters/index.js';
import { renderResultJson } from '../../reporters/result-json.js';
import { createProgress } from '../../reporters/progress.js';
import { renderSummary } from '../../reporters/summary-table.js';
import { runDrill } from '../../run/drill.js';
import { exitCodeFor } from '../../run/exit-code.js';
import { assertEngineSupports } from '../../engines/limits.js';
import {
  aggregateRuns,
  exitCodeForRepeats,
  renderRepeatSummary,
  writeRepeatSummary,
  type RepeatSummary,
} from '../../run/repeat.js';
import { resolveScenarioArgs } from '../../scenario/library.js';
import { loadScenarios } from '../../scenario/load.js';
import { describeStep } from '../../schedule/steps.js';
import { assertDockerAvailable } from '../../docker/engine.js';
import { ENGINE_KINDS, type EngineKind } from '../../engines/engine.js';
import { finishRun, isLibraryRun, splitFormats } from '../run-summary.js';
import { parseShard, selectShard, shardText } from '../../run/shard.js';

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
  live: boolean;
  port?: number;
  operator?: string;
  engine?: EngineKind;
  shard?: string;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <scenarios..>',
  describe: 'run drills from scenario files or directories',
  builder: (y) =>
    y
      .positional('scenarios', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'scenario files, directories, or names of bundled scenarios (drill list)',
      })
      .option('out', {
        type: 'string',
        default: 'reports',
        describe: 'directory for run directories (DIR/latest points to the newest)',
      })
      .option('seed', { type: 'number', describe: 'seed for every random choice (overrides the scenario)' })
      .option('repeat', {
        type: 'number',
        default: 1,
        describe: 'run each scenario N times; report median, p90, max and a 95% CI of RTO and RPO (verdict: worst run)',
      })
      .option('keep', {
        type: 'boolean',
        default: false,
        describe: 'leave the cluster running afterwards (drill cleanup removes it)',
      })
      .option('dry-run', { type: 'boolean', default: false, describe: 'validate and print the plan; start nothing' })
      .option('format', {
        type: 'string',
        array: true,
        default: defaultFileReporters,
        describe:
          'reports to write in the run directory (json, junit, html); github adds a job summary and annotations',
      })
      .option('quiet', { type: 'boolean', default: false, describe: 'no live progress; only the summary' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print result.json to stdout instead of the summary',
      })
      .option('live', {
        type: 'boolean',
        default: false,
        describe:
          'game day: serve the timeline on 127.0.0.1 while the drill runs; mark detected / mitigated there ' +
          'or with keys d / m / n in the terminal (docs/game-days.md)',
      })
      .option('port', { type: 'number', describe: 'with --live: the port to serve on (default: any free port)' })
      .option('operator', {
        type: 'string',
        describe: 'with --live: who makes the marks (default: the OS user)',
      })
      .option('engine', {
        type: 'string',
        choices: ENGINE_KINDS,
        describe:
          "where the nodes run, overriding the scenarios' cluster.engine: docker (one host) or swarm " +
          '(DRILL_SWARM_MANAGER, DRILL_SWARM_HOSTS: docs/swarm.md)',
      })
      .option('shard', {
        type: 'string',
        describe:
          'K/N: run only the K-th of N deterministic parts of the scenarios (CI matrices); ' +
          '`drill merge` combines the parts (docs/sharding.md)',
      }) as never,
  handler: async (args) => {
    if (!Number.isInteger(args.repeat) || args.repeat < 1)
      throw new UsageError(`--repeat must be a positive integer, got ${args.repeat}`);
    if (args.seed !== undefined && !Number.isInteger(args.seed))
      throw new UsageError(`--seed must be an integer, got ${args.seed}`);
    if (args.port !== undefined && !(Number.isInteger(args.port) && args.port >= 0 && args.port < 65536))
      throw new UsageError(`--port must be a port number (0..65535), got ${args.port}`);
    if ((args.port !== undefined || args.operator !== undefined) && !args.live)
      throw new UsageError('--port and --operator go with --live');
    let files = await loadScenarios(await resolveScenarioArgs(args.scenarios));
    // A game day waits for the team's marks: without --live nobody can make them.
    const needsLive = (f: (typeof files)[number]) =>
      f.scenario.steps.some((s) => s.kind === 'await' && s.condition === 'mark');
    if (!args.live && files.some(needsLive)) {
      const waiting = files.filter(needsLive);
      if (files.length === 1)
        throw new UsageError(`${waiting[0]!.path}: this game day waits for the team's marks: run it with --live`);
      for (const f of waiting) process.stderr.write(`skipped ${f.path}: a game day, run it with --live\n`);
      files = files.filter((f) => !needsLive(f));
    }
    const shard =
      args.shard === undefined
        ? undefined
        : selectShard(files, (f) => ({ path: f.path, name: f.scenario.name }), parseShard(args.shard));
    if (shard) {
      files = shard.selected;
      const names = files.map((f) => f.path).join(', ') || 'nothing: more shards than scenarios';
      process.stderr.write(`shard ${shardText(shard.record)} of ${shard.record.library.length} scenarios: ${names}\n`);
    }
    // What a target cannot do on the engine it is to run on: refused before anything starts.
    for (const f of files)
      await assertEngineSupports(f.scenario, args.engine ?? f.scenario.cluster.engine ?? 'docker', f.path);
    const formats = splitFormats(args.format, defaultFileReporters);
    if (args['dry-run']) {
      for (const f of files) {
        process.stdout.write(
          `${f.path}: ${f.scenario.name}, ${f.scenario.cluster.nodes} x ${f.scenario.cluster.target}\n`,
        );
        f.scenario.steps.forEach((s, i) => process.stdout.write(`  ${i + 1}. ${describeStep(s)}\n`));
      }
      return;
    }
    if (files.length > 0) await assertDockerAvailable();

    const controller = new AbortController();
    let interrupts = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      interrupts++;
      if (interrupts === 1) {
        process.stderr.write(
          `\n${sig}: stopping the drill, healing faults and tearing down (press Ctrl-C twice more to force)\n`,
        );
        controller.abort(new Error(`interrupted by ${sig}`));
      } else if (interrupts >= 3) {
        process.stderr.write(`forced exit: resources may remain; run \`drill cleanup\`\n`);
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // A closed terminal (ssh dropped during a game day) must heal and tear down like Ctrl-C.
    process.on('SIGHUP', onSignal);

    const results: DrillResult[] = [];
    const summaries: RepeatSummary[] = [];
    // --json: exactly one JSON document on stdout (a result, a repeat summary, or an array of them).
    const jsonOut: unknown[] = [];
    // Live progress goes to stdout; with --json it moves to stderr so stdout stays parseable.
    const progressStream = args.json ? process.stderr : process.stdout;
    try {
      for (const file of files) {
        const runs: DrillResult[] = [];
        for (let i = 0; i < args.repeat; i++) {
          if (controller.signal.aborted) break;
          const progress = createProgress({
            tty: Boolean(progressStream.isTTY),
            columns: () => progressStream.columns,
            write: (s) => {
              if (!args.quiet) progressStream.write(s);
            },
          });
          if (args.repeat > 1 && !args.quiet)
            progressStream.write(`== ${file.scenario.name}: run ${i + 1} of ${args.repeat}\n`);
          const result = await runDrill({
            file,
            outDir: args.out,
            seed: args.seed,
            keep: args.keep,
            engine: args.engine,
            signal: controller.signal,
            progress,
            live: args.live
              ? {
                  port: args.port,
                  operator: args.operator ?? userInfo().username,
                  keys: Boolean(process.stdin.isTTY) && !args.json,
                  onUrl: (url) => progressStream.write(`live: ${url} (marks: d detected, m mitigated, n note)\n`),
                }
              : undefined,
          });
          results.push(result);
          runs.push(result);
          const outcomes = await writeReports(result, result.run_dir, formats.files, {
            log: (m: string) => process.stderr.write(`warning: ${m}\n`),
          });
          const page = outcomes.find((o) => o.name === 'html' && o.file)?.file;
          if (args.json) {
            if (args.repeat === 1) jsonOut.push(JSON.parse(renderResultJson(result)));
          } else {
            process.stdout.write(renderSummary(result) + `\nrun directory: ${result.run_dir}\n`);
            if (page) process.stdout.write(`report: ${page}\n`);
          }
        }
        if (args.repeat > 1 && runs.length > 0) {
          // The scenario may name the percentile its verdict is judged at (repeat.verdict_percentile).
          const percentile = file.scenario.repeat?.verdict_percentile;
          const summary = aggregateRuns(runs, { percentile, expect: file.scenario.expect, seed: args.seed });
          summaries.push(summary);
          const path = writeRepeatSummary(summary, args.out);
          if (args.json) jsonOut.push(summary);
          else process.stdout.write(`\n${renderRepeatSummary(summary)}repeat summary: ${path}\n`);
        }
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
    }
    const library = shard !== undefined || isLibraryRun(args.scenarios, files.length);
    finishRun({
      results,
      outDir: args.out,
      library,
      github: formats.github,
      json: args.json,
      ...(shard ? { shard: shard.record } : {}),
    });
    if (args.json) process.stdout.write(`${JSON.stringify(jsonOut.length === 1 ? jsonOut[0] : jsonOut, null, 2)}\n`);
    process.exitCode =
      args.repeat > 1
        ? exitCodeForRepeats(summaries, results, controller.signal.aborted)
        : exitCodeFor(results, controller.signal.aborted);
  },
};
