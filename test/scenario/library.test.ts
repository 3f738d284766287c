// Bare scenario names resolve against the bundled library, so an installed drill runs
// `drill run primary-down` from any directory; a path that exists always wins.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import {
  bundledScenarioDir,
  bundledSchemaFile,
  defaultListDir,
  findBundledScenario,
  resolveScenarioArgs,
} from '../../src/scenario/library.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'drill-library-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bundled library', () => {
  it('is the package root scenarios/ and schema/', () => {
    expect(bundledScenarioDir()).toBe(join(root, 'scenarios'));
    expect(bundledSchemaFile()).toBe(join(root, 'schema', 'scenario.schema.json'));
  });

  it('finds a scenario by file name, with or without the extension', async () => {
    expect(await findBundledScenario('primary-down')).toBe(join(root, 'scenarios', 'primary-down.yaml'));
    expect(await findBundledScenario('primary-down.yaml')).toBe(join(root, 'scenarios', 'primary-down.yaml'));
    expect(await findBundledScenario('no-such-drill')).toBeUndefined();
    expect(await findBundledScenario('scenarios/primary-down')).toBeUndefined();
  });

  it('finds a scenario by its name: field when the file is called otherwise', async () => {
    const lib = join(dir, 'lib');
    mkdirSync(lib);
    writeFileSync(
      join(lib, 'file-name.yaml'),
      'name: inner-name\ncluster: { target: graph-agent, nodes: 1 }\nsteps: [{ wait: 1s }]\n',
    );
    writeFileSync(join(lib, 'broken.yaml'), 'name: [\n');
    expect(await findBundledScenario('inner-name', lib)).toBe(join(lib, 'file-name.yaml'));
    expect(await resolveScenarioArgs(['inner-name'], lib)).toEqual([join(lib, 'file-name.yaml')]);
  });
});

describe('resolveScenarioArgs', () => {
  it('keeps paths that exist, and paths with a directory part, as given', async () => {
    const local = join(dir, 'primary-down');
    writeFileSync(local, 'x');
    expect(await resolveScenarioArgs([local, 'scenarios/nope.yaml'])).toEqual([local, 'scenarios/nope.yaml']);
  });

  it('maps a bare name to the library file, relative to the working directory when inside it', async () => {
    expect(process.cwd()).toBe(root);
    expect(await resolveScenarioArgs(['split-brain'])).toEqual(['scenarios/split-brain.yaml']);
  });

  it('names the library it searched for an unknown bare name (a usage error, exit 2)', async () => {
    const e = await resolveScenarioArgs(['primary-dwon']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).message).toBe(
      `primary-dwon: no such file, and no scenario of that name in the bundled library (${join(root, 'scenarios')})`,
    );
    expect((e as UsageError).hint).toMatch(/drill list/);
  });
});

describe('defaultListDir', () => {
  it('is ./scenarios where there is one, else the bundled library', () => {
    expect(defaultListDir(root)).toBe('scenarios');
    expect(defaultListDir(dir)).toBe(bundledScenarioDir());
  });
});
