import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioError, UsageError } from '../../src/core/errors.js';
import { formatRows, listRows } from '../../src/cli/commands/list.js';
import { validateScenarios } from '../../src/cli/commands/validate.js';
import { expandScenarioPaths, loadScenarioFile, loadScenarios } from '../../src/scenario/load.js';

const GOOD = (name: string, steps = 1) =>
  `name: ${name}\ndescription: |\n  Drill ${name},\n  over two lines.\ntags: [a, b]\ncluster: { target: ` +
  `graph-agent }\nsteps:\n${'  - wait: 1s\n'.repeat(steps)}`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drill-scenario-'));
  await mkdir(join(dir, 'lib'));
  await mkdir(join(dir, 'empty'));
  await writeFile(join(dir, 'lib', 'b.yaml'), GOOD('bravo', 2));
  await writeFile(join(dir, 'lib', 'a.yml'), GOOD('alpha'));
  await writeFile(join(dir, 'lib', 'c.yaml'), 'name: charlie\nsteps: []\n');
  await writeFile(join(dir, 'lib', 'notes.txt'), 'not a scenario');
  await writeFile(join(dir, 'empty.yaml'), '');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loading files', () => {
  it('loads one file', async () => {
    const f = await loadScenarioFile(join(dir, 'lib', 'a.yml'));
    expect(f.path).toBe(join(dir, 'lib', 'a.yml'));
    expect(f.scenario.name).toBe('alpha');
  });

  it('a missing file is a UsageError "<file>: no such file"', async () => {
    const p = join(dir, 'nope.yaml');
    await expect(loadScenarioFile(p)).rejects.toThrow(UsageError);
    await expect(loadScenarioFile(p)).rejects.toThrow(`${p}: no such file`);
    await expect(loadScenarios([p])).rejects.toThrow(`${p}: no such file`);
  });

  it('an empty file is a ScenarioError with a clear message', async () => {
    const p = join(dir, 'empty.yaml');
    const err = await loadScenarioFile(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).problems).toEqual([
      `${p}:1:1: (root): the file is empty; a scenario needs at least name, cluster and steps (see ` +
        `docs/scenario-format.md)`,
    ]);
  });

  it('expands a directory to its *.yaml / *.yml files, sorted', async () => {
    const lib = join(dir, 'lib');
    expect(await expandScenarioPaths([lib])).toEqual([join(lib, 'a.yml'), join(lib, 'b.yaml'), join(lib, 'c.yaml')]);
    await expect(expandScenarioPaths([join(dir, 'empty')])).rejects.toThrow(/no scenario files/);
    expect(await expandScenarioPaths([join(dir, 'empty')], { allowEmptyDir: true })).toEqual([]);
  });

  it('loadScenarios throws one ScenarioError with the problems of every bad file', async () => {
    const lib = join(dir, 'lib');
    const err = await loadScenarios([lib, join(dir, 'empty.yaml')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    const problems = (err as ScenarioError).problems;
    expect(problems).toEqual([
      `${join(lib, 'c.yaml')}:1:1: cluster: missing required field`,
      `${join(lib, 'c.yaml')}:2:8: steps: must not be empty`,
      expect.stringMatching(/empty\.yaml:1:1: \(root\): the file is empty/),
    ]);
    const good = await loadScenarios([join(lib, 'b.yaml'), join(lib, 'a.yml')]);
    expect(good.map((f) => f.scenario.name)).toEqual(['bravo', 'alpha']);
  });
});

describe('validate and list commands', () => {
  it('validate prints ok / bad lines and throws ScenarioError with the problems', async () => {
    const lines: string[] = [];
    const lib = join(dir, 'lib');
    const err = await validateScenarios([lib], (l) => lines.push(l)).catch((e: unknown) => e);
    expect(lines).toEqual([
      `ok  ${join(lib, 'a.yml')}  (alpha: 1 step)`,
      `ok  ${join(lib, 'b.yaml')}  (bravo: 2 steps)`,
      `bad ${join(lib, 'c.yaml')}  (2 problems)`,
    ]);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).problems).toHaveLength(2);
    const ok: string[] = [];
    await validateScenarios([join(lib, 'a.yml')], (l) => ok.push(l));
    expect(ok).toEqual([`ok  ${join(lib, 'a.yml')}  (alpha: 1 step)`]);
  });

  it('validate of a missing path is a UsageError', async () => {
    await expect(validateScenarios([join(dir, 'missing')], () => {})).rejects.toThrow(UsageError);
  });

  it('list shows name, tags, one-line description, file; invalid files with their first problem', async () => {
    const lib = join(dir, 'lib');
    const rows = await listRows(lib);
    expect(rows).toEqual([
      { name: 'alpha', tags: 'a,b', description: 'Drill alpha, over two lines.', file: join(lib, 'a.yml') },
      { name: 'bravo', tags: 'a,b', description: 'Drill bravo, over two lines.', file: join(lib, 'b.yaml') },
      { name: '-', tags: '', description: 'invalid: 1:1: cluster: missing required field', file: join(lib, 'c.yaml') },
    ]);
    const lines = formatRows(rows);
    expect(lines[0]).toMatch(/^NAME +TAGS +DESCRIPTION +FILE$/);
    const fileCol = lines[0]!.indexOf('FILE');
    for (const l of lines.slice(1)) expect(l.indexOf(join(lib, ''))).toBe(fileCol);
    expect(await listRows(join(dir, 'empty'))).toEqual([]);
  });
});
