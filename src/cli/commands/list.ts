// drill list [dir]: the scenarios in a directory (default: ./scenarios when there is one,
// else the bundled library, whose names `drill run NAME` accepts), one aligned line
// each: name, tags, description (one line), file. Invalid files are listed too, with
// "invalid: <first problem>" in place of the description.

import type { CommandModule } from 'yargs';
import { defaultListDir } from '../../scenario/library.js';
import { checkScenarioFiles } from '../../scenario/load.js';

interface ListArgs {
  dir?: string;
}

export interface ListRow {
  name: string;
  tags: string;
  description: string;
  file: string;
}

const MAX_DESCRIPTION = 72;

function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function stripFile(problem: string, file: string): string {
  return problem.startsWith(`${file}:`) ? problem.slice(file.length + 1).trimStart() : problem;
}

/** One row per scenario file in `dir` (sorted by file name). */
export async function listRows(dir: string): Promise<ListRow[]> {
  const checks = await checkScenarioFiles([dir], { allowEmptyDir: true });
  return checks.map((c) =>
    c.ok
      ? {
          name: c.scenario.name,
          tags: c.scenario.tags.join(','),
          description: oneLine(c.scenario.description, MAX_DESCRIPTION),
          file: c.path,
        }
      : {
          name: '-',
          tags: '',
          // the file is in its own column: drop it from the front of the problem line
          description: `invalid: ${oneLine(stripFile(c.problems[0] ?? 'invalid', c.path), 200)}`,
          file: c.path,
        },
  );
}

/** Rows as aligned text lines with a header (the last column is not padded). */
export function formatRows(rows: readonly ListRow[]): string[] {
  const header: ListRow = { name: 'NAME', tags: 'TAGS', description: 'DESCRIPTION', file: 'FILE' };
  const all = [header, ...rows];
  const w = (k: keyof ListRow) => Math.max(...all.map((r) => r[k].length));
  const wn = w('name');
  const wt = w('tags');
  const wd = w('description');
  return all.map((r) => `${r.name.padEnd(wn)}  ${r.tags.padEnd(wt)}  ${r.description.padEnd(wd)}  ${r.file}`.trimEnd());
}

export const listCommand: CommandModule<object, ListArgs> = {
  command: 'list [dir]',
  describe: 'list the scenarios in a directory',
  builder: (y) =>
    y.positional('dir', {
      describe: 'directory of scenario files (default: ./scenarios if present, else the bundled library)',
      type: 'string',
    }),
  handler: async (args) => {
    const dir = args.dir ?? defaultListDir();
    const rows = await listRows(dir);
    if (rows.length === 0) {
      process.stdout.write(`no scenario files (*.yaml, *.yml) in ${dir}\n`);
      return;
    }
    for (const line of formatRows(rows)) process.stdout.write(`${line}\n`);
  },
};
