// The end of `drill run` over several scenarios: the library table (terminal, summary.md,
// summary.json beside the run directories) and, with --format github, the job summary and
// annotations. Both read what each run recorded in its result.json.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DrillResult } from '../core/result.js';
import { writeGithubOutput } from '../reporters/github.js';
import { librarySummary, renderLibraryTerminal, writeLibrarySummary } from '../reporters/library-table.js';
import { renderResultJson } from '../reporters/result-json.js';
import type { ShardRecord } from '../run/shard.js';

/** `--format` values that are not files in the run directory. */
export const OUTPUT_FORMATS = ['github'] as const;

/** Split --format into run-directory reporters (the defaults when only outputs are named) and outputs. */
export function splitFormats(
  formats: readonly string[],
  defaults: readonly string[],
): { files: string[]; github: boolean } {
  const files = formats.filter((f) => !(OUTPUT_FORMATS as readonly string[]).includes(f));
  return { files: files.length > 0 ? files : [...defaults], github: formats.includes('github') };
}

/** A library run: a directory among the arguments, or more than one scenario file. */
export function isLibraryRun(args: readonly string[], files: number): boolean {
  if (files > 1) return true;
  return args.some((a) => {
    try {
      return statSync(a).isDirectory();
    } catch {
      return false;
    }
  });
}

/** The run's result.json as written (the documented format), else the in-memory result in that shape. */
function recorded(r: DrillResult): unknown {
  try {
    return JSON.parse(readFileSync(join(r.run_dir, 'result.json'), 'utf8')) as unknown;
  } catch {
    return JSON.parse(renderResultJson(r)) as unknown;
  }
}

export interface FinishOptions {
  results: readonly DrillResult[];
  outDir: string;
  library: boolean;
  github: boolean;
  /** --json: stdout carries one JSON document, so tables stay off it and GitHub output goes to stderr. */
  json: boolean;
  /** A sharded run: its summary.json says which part of which library it ran, even when that part is empty. */
  shard?: ShardRecord;
}

export function finishRun(o: FinishOptions): void {
  if (o.results.length === 0 && !o.shard) return;
  const results = o.results.map(recorded);
  if (o.library) {
    const summary = librarySummary(results);
    if (o.shard) summary.shard = o.shard;
    try {
      const paths = writeLibrarySummary(summary, o.outDir);
      if (!o.json) process.stdout.write(`\n${renderLibraryTerminal(summary)}summary: ${paths.md}\n`);
    } catch (e) {
      process.stderr.write(`warning: library summary not written: ${e instanceof Error ? e.message : String(e)}\n`);
      if (!o.json) process.stdout.write(`\n${renderLibraryTerminal(summary)}`);
    }
  }
  if (o.github) {
    const stream = o.json ? process.stderr : process.stdout;
    writeGithubOutput(results, { write: (s) => stream.write(s) });
  }
}
