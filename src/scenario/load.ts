// Reading scenario files: YAML -> validated `Scenario`, or a ScenarioError listing every
// problem of the file as `<file>:<line>:<col>: <field path>: <message>`.
// Pure file-system and parsing code: no Docker, no network.

import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ScenarioError, UsageError } from '../core/errors.js';
import { composeGroups, composeNodeNames, readCompose, type ComposeService } from './compose.js';
import { isDataGroup, nodeRefIssues, type KnownNodes } from './node-refs.js';
import {
  fileProblem,
  formatFieldPath,
  issueMessage,
  issueProblems,
  offsetOf,
  problemLines,
  yamlProblems,
} from './problems.js';
import { scenarioCrossIssues, scenarioSchema, type Scenario, type ScenarioFile } from './schema.js';

export type { Scenario, ScenarioFile } from './schema.js';

const SCENARIO_FILE_RE = /\.ya?ml$/i;
/** Compose files (compose.yaml, docker-compose.yml, docker-compose.override.yml...) sit beside their scenarios. */
const COMPOSE_FILE_RE = /^(docker-)?compose(\.[\w-]+)?\.ya?ml$/i;

/**
 * Parses and validates the text of a scenario file. `file` is only used in messages.
 * Throws ScenarioError with every problem found; never anything else.
 */
export function parseScenario(text: string, file: string): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, logLevel: 'error' });
  if (doc.errors.length > 0) {
    throw new ScenarioError(problemLines(yamlProblems(file, doc.errors, lineCounter)));
  }
  if (doc.contents === null) {
    throw new ScenarioError(
      problemLines([
        fileProblem(
          file,
          'the file is empty; a scenario needs at least name, cluster and steps (see docs/scenario-format.md)',
        ),
      ]),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // e.g. an alias bomb ("excessive alias count"), or an alias to an undefined anchor
    throw new ScenarioError([
      `${file}:1:1: YAML syntax: ${(e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''}`,
    ]);
  }
  const result = scenarioSchema.safeParse(data, { error: issueMessage });
  if (result.success) return result.data;
  // zod skips refinements after some errors (e.g. a non-integer); the cross-field rules
  // only read strings, so run them on the raw data too (duplicates are removed).
  const cross = scenarioCrossIssues(data).map((i) => ({
    code: 'custom' as const,
    path: i.path,
    message: i.message,
    input: undefined,
  }));
  const lines = problemLines(issueProblems(file, [...result.error.issues, ...cross], doc, lineCounter, scenarioSchema));
  throw new ScenarioError(lines.length > 0 ? lines : problemLines([fileProblem(file, 'invalid scenario')]));
}

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/** Reads and validates one scenario file. UsageError if it cannot be read, ScenarioError if it is invalid. */
export async function loadScenarioFile(path: string): Promise<ScenarioFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`${path}: no such file`);
    if (code === 'EISDIR') throw new UsageError(`${path}: is a directory, expected a scenario file`);
    throw new UsageError(`${path}: cannot read (${code ?? String(e)})`);
  }
  const scenario = parseScenario(text, path);
  if (scenario.cluster.compose !== undefined) checkComposeOf(text, path, scenario);
  return { path, scenario };
}

/**
 * A scenario that names a Compose file: read and check that file too (so `drill validate`
 * catches what `drill run` would), and that every service a group names is in it.
 */
export function checkComposeOf(text: string, file: string, scenario: Scenario): void {
  const composeFile = resolve(dirname(resolve(file)), scenario.cluster.compose!);
  const model = readCompose(composeFile);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const problems: string[] = [];
  const services = new Set(model.services.map((s) => s.name));
  for (const [name, g] of Object.entries(scenario.cluster.groups ?? {})) {
    const listed = g.services ?? [name];
    listed.forEach((svc, i) => {
      if (services.has(svc)) return;
      const path = g.services ? ['cluster', 'groups', name, 'services', i] : ['cluster', 'groups', name];
      const { line, col } = lineCounter.linePos(offsetOf(doc, path, g.services ? 'value' : 'key'));
      problems.push(
        `${file}:${line}:${col}: ${formatFieldPath(path)}: no service ${svc} in ${scenario.cluster.compose} ` +
          `(services: ${[...services].join(', ')})`,
      );
    });
  }
  const groups = composeGroups(model, scenario.cluster.groups ?? {});
  // A declared group needs a health probe, or a healthcheck on each of its services in the Compose file.
  for (const g of groups.filter((x) => x.declared && !scenario.cluster.groups?.[x.name]?.probes?.health)) {
    const bare = g.services.filter((s) => s.healthcheck === undefined).map((s) => s.name);
    if (bare.length === 0 || scenario.cluster.groups?.[g.name]?.probes === undefined) continue;
    const path = ['cluster', 'groups', g.name, 'probes'];
    const { line, col } = lineCounter.linePos(offsetOf(doc, path, 'key'));
    problems.push(
      `${file}:${line}:${col}: ${formatFieldPath([...path, 'health'])}: missing required field health ` +
        `(${bare.join(', ')} ${bare.length > 1 ? 'have' : 'has'} no healthcheck in ${scenario.cluster.compose})`,
    );
  }
  // {{groups.<name>.*}} must name a group, which with Compose means one of its services or declared groups.
  const groupNames = groups.map((g) => g.name);
  for (const m of JSON.stringify(scenario.cluster.groups ?? {}).matchAll(/\{\{\s*groups\.([a-z][a-z0-9_-]*)\./g)) {
    if (groupNames.includes(m[1]!)) continue;
    const { line, col } = lineCounter.linePos(offsetOf(doc, ['cluster', 'groups'], 'key'));
    problems.push(
      `${file}:${line}:${col}: cluster.groups: a template names group ${m[1]}, which is neither a group nor a ` +
        `service of ${scenario.cluster.compose} (groups: ${groupNames.join(', ')})`,
    );
  }
  const nodesOf = Object.fromEntries(groups.map((g) => [g.name, g.services.flatMap(composeNodeNames)]));
  const data = groups.find((g) => g.declared && isDataGroup(scenario.cluster.groups?.[g.name]));
  const known: KnownNodes = {
    names: Object.values(nodesOf).flat(),
    groups: nodesOf,
    ...(data !== undefined ? { dataGroup: data.name } : {}),
    from: scenario.cluster.compose!,
  };
  const steps = rawSteps(doc);
  for (const i of [...nodeRefIssues(steps, known), ...composeDiskIssues(steps, groups, data?.name)]) {
    const { line, col } = lineCounter.linePos(offsetOf(doc, i.path, 'value'));
    problems.push(`${file}:${line}:${col}: ${formatFieldPath(i.path)}: ${i.message}`);
  }
  if (problems.length > 0) throw new ScenarioError(problems);
}

/** disk-full fills a node's named volumes: every service of the group it strikes needs one in the Compose file. */
function composeDiskIssues(
  steps: unknown,
  groups: readonly { name: string; services: readonly ComposeService[] }[],
  dataGroup: string | undefined,
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  if (!Array.isArray(steps)) return out;
  steps.forEach((s: unknown, i) => {
    const f = typeof s === 'object' && s !== null ? (s as Record<string, unknown>)['fault'] : undefined;
    if (typeof f !== 'object' || f === null || (f as Record<string, unknown>)['kind'] !== 'disk-full') return;
    const named = (f as Record<string, unknown>)['group'];
    const g = groups.find((x) => x.name === (typeof named === 'string' ? named : dataGroup));
    const bare = (g?.services ?? []).filter((svc) => !svc.volumes.some((v) => v.type === 'volume'));
    if (bare.length > 0)
      out.push({
        path: ['steps', i, 'fault', 'kind'],
        message:
          `disk-full fills the node's named volumes: ${bare.map((b) => b.name).join(', ')} ` +
          `${bare.length > 1 ? 'have' : 'has'} none in the Compose file`,
      });
  });
  return out;
}

function rawSteps(doc: ReturnType<typeof parseDocument>): unknown {
  const js: unknown = doc.toJS({ maxAliasCount: 100 });
  return typeof js === 'object' && js !== null ? (js as Record<string, unknown>)['steps'] : undefined;
}

export interface ExpandOptions {
  /** A directory without scenario files is an error unless this is set. */
  allowEmptyDir?: boolean;
}

/**
 * Files for the given paths: a file stays as given; a directory becomes its *.yaml and
 * *.yml files but Compose files (not recursive), sorted by name. UsageError for a path that does not exist.
 */
export async function expandScenarioPaths(paths: readonly string[], options: ExpandOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`${p}: no such file`);
      throw new UsageError(`${p}: cannot read (${code ?? String(e)})`);
    }
    if (!isDir) {
      out.push(p);
      continue;
    }
    const entries = await readdir(p, { withFileTypes: true });
    const files = entries
      .filter(
        (e) => (e.isFile() || e.isSymbolicLink()) && SCENARIO_FILE_RE.test(e.name) && !COMPOSE_FILE_RE.test(e.name),
      )
      .map((e) => e.name)
      .sort();
    if (files.length === 0 && options.allowEmptyDir !== true) {
      throw new UsageError(`${p}: no scenario files (*.yaml, *.yml) in this directory`);
    }
    out.push(...files.map((f) => join(p, f)));
  }
  return out;
}

export type ScenarioCheck =
  { path: string; ok: true; scenario: Scenario } | { path: string; ok: false; problems: string[] };

/** Validates each file (directories expanded) and reports per file; throws only UsageError for bad paths. */
export async function checkScenarioFiles(
  paths: readonly string[],
  options: ExpandOptions = {},
): Promise<ScenarioCheck[]> {
  const files = await expandScenarioPaths(paths, options);
  const out: ScenarioCheck[] = [];
  for (const path of files) {
    try {
      const { scenario } = await loadScenarioFile(path);
      out.push({ path, ok: true, scenario });
    } catch (e) {
      if (e instanceof ScenarioError) out.push({ path, ok: false, problems: e.problems });
      else if (e instanceof UsageError) out.push({ path, ok: false, problems: [e.message] });
      else throw e;
    }
  }
  return out;
}

/**
 * Loads every scenario of the given files and directories. If any file is invalid,
 * throws one ScenarioError with the problems of all files.
 */
export async function loadScenarios(paths: readonly string[]): Promise<ScenarioFile[]> {
  const checks = await checkScenarioFiles(paths);
  const problems = checks.flatMap((c) => (c.ok ? [] : c.problems));
  if (problems.length > 0) throw new ScenarioError(problems);
  return checks.map((c) => ({ path: c.path, scenario: (c as Extract<ScenarioCheck, { ok: true }>).scenario }));
}
