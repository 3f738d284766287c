// The bundled scenario library (<package>/scenarios) and bare scenario names. An installed
// drill (`npm install -g`) has no checkout to point at, so `drill run primary-down` must
// find the library's file by name from any directory: a path that exists always wins; a
// bare name (no directory part) is looked up in the library by file name, then by the
// scenario's `name:` field.

import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../core/errors.js';
import { checkScenarioFiles } from './load.js';

/** <package root>/scenarios: this file sits two levels below the root, in src/ and in dist/. */
export function bundledScenarioDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scenarios');
}

/** <package root>/schema/scenario.schema.json, the JSON Schema editors validate against. */
export function bundledSchemaFile(): string {
  return resolve(bundledScenarioDir(), '..', 'schema', 'scenario.schema.json');
}

function isBareName(arg: string): boolean {
  return arg.length > 0 && !arg.includes('/') && !arg.includes(sep) && arg !== '.' && arg !== '..';
}

/** The library file a bare name stands for, or undefined. */
export async function findBundledScenario(name: string, dir = bundledScenarioDir()): Promise<string | undefined> {
  if (!isBareName(name) || !existsSync(dir) || !statSync(dir).isDirectory()) return undefined;
  for (const f of [name, `${name}.yaml`, `${name}.yml`]) {
    const p = join(dir, f);
    if (/\.ya?ml$/i.test(f) && existsSync(p) && statSync(p).isFile()) return p;
  }
  // A scenario whose `name:` differs from its file name (invalid files are skipped here;
  // running them by path reports their problems).
  const checks = await checkScenarioFiles([dir], { allowEmptyDir: true });
  const hit = checks.find((c) => c.ok && c.scenario.name === name);
  return hit?.path;
}

/**
 * The paths `drill run` / `drill validate` should load: each argument as given when it
 * exists, else the bundled scenario of that name. UsageError for a bare name that is
 * neither, naming where it looked.
 */
export async function resolveScenarioArgs(args: readonly string[], dir = bundledScenarioDir()): Promise<string[]> {
  const out: string[] = [];
  for (const a of args) {
    if (existsSync(a) || !isBareName(a)) {
      out.push(a);
      continue;
    }
    const found = await findBundledScenario(a, dir);
    if (found === undefined) {
      throw new UsageError(
        `${a}: no such file, and no scenario of that name in the bundled library (${dir})`,
        '`drill list` shows the bundled scenarios; give a path for your own files',
      );
    }
    // Relative to the working directory when inside it (a checkout): shorter in reports, and
    // a repository path that CI annotations can point at.
    const rel = relative(process.cwd(), found);
    out.push(rel.startsWith('..') || isAbsolute(rel) ? found : rel);
  }
  return out;
}

/** `drill list` without an argument: ./scenarios when the current directory has one, else the library. */
export function defaultListDir(cwd = process.cwd()): string {
  const local = join(cwd, 'scenarios');
  if (existsSync(local) && statSync(local).isDirectory()) return 'scenarios';
  return bundledScenarioDir();
}
