// Generated mutations of a valid scenario: every one either loads or throws a
// ScenarioError whose every line is `file:line:col: ...`, never another exception.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ScenarioError } from '../../src/core/errors.js';
import { parseScenario } from '../../src/scenario/load.js';
import { seededRng } from '../../src/core/random.js';

const BASE = readFileSync(new URL('./fixtures/full.yaml', import.meta.url), 'utf8');
const LINE = /^.+:\d+:\d+: .+/;

// The project's seeded PRNG, so a failure reproduces.
const rng = seededRng;

type Json = unknown;
type Path = (string | number)[];

function paths(v: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

function parentOf(root: Json, path: Path): { parent: any; key: string | number } | undefined {
  if (path.length === 0) return undefined;
  let cur: any = root;
  for (const seg of path.slice(0, -1)) cur = cur[seg];
  return { parent: cur, key: path[path.length - 1]! };
}

const VALUES: Json[] = [
  0,
  -1,
  1.5,
  1e9,
  'x',
  '',
  '3s',
  'fast',
  'n7',
  'f1',
  'all',
  true,
  false,
  null,
  [],
  [1, 'a'],
  {},
  { a: 1 },
  'SIGKILL',
  'kill',
];
const KEYS = ['jitter', 'kind', 'name', 'node', 'target', 'wait', 'heal', 'mark', 'timeout', 'zz', 'Name', 'steps'];

function mutateData(data: Json, r: () => number): Json {
  const copy = structuredClone(data);
  const all = paths(copy);
  const path = all[Math.floor(r() * all.length)]!;
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const op = Math.floor(r() * 3);
  const loc = parentOf(copy, path);
  if (op === 0 && loc) {
    // delete a key / list item
    if (Array.isArray(loc.parent)) loc.parent.splice(loc.key as number, 1);
    else delete loc.parent[loc.key];
  } else if (op === 1 && loc) {
    // change a value's type
    loc.parent[loc.key] = structuredClone(pick(VALUES));
  } else {
    // add an unknown (or duplicate-kind) key to a map
    let target: any = copy;
    for (const seg of path) target = target[seg];
    if (target !== null && typeof target === 'object' && !Array.isArray(target))
      target[pick(KEYS)] = structuredClone(pick(VALUES));
    else if (Array.isArray(target)) target.push(structuredClone(pick(VALUES)));
  }
  return copy;
}

const NOISE = [
  ':',
  '{',
  '}',
  '[',
  ']',
  '-',
  '"',
  "'",
  '\t',
  '\n',
  '#',
  '&a',
  '*a',
  '!!int',
  '|',
  '>',
  '%',
  '@',
  ' ',
  '?',
  ',',
  '---\n',
];

function corruptText(text: string, r: () => number): string {
  const pos = Math.floor(r() * (text.length + 1));
  const lines = text.split('\n');
  switch (Math.floor(r() * 6)) {
    case 0:
      return text.slice(0, pos) + text.slice(pos + 1 + Math.floor(r() * 3));
    case 1:
      return text.slice(0, pos) + NOISE[Math.floor(r() * NOISE.length)]! + text.slice(pos);
    case 2:
      return text.slice(0, pos);
    case 3: {
      const i = Math.floor(r() * lines.length);
      lines.splice(i, 0, lines[i] ?? '');
      return lines.join('\n');
    }
    case 4: {
      const i = Math.floor(r() * lines.length);
      lines[i] = ` ${lines[i] ?? ''}`;
      return lines.join('\n');
    }
    default: {
      const i = Math.floor(r() * lines.length);
      const j = Math.floor(r() * lines.length);
      [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
      return lines.join('\n');
    }
  }
}

function check(text: string, label: string): 'ok' | 'invalid' {
  try {
    parseScenario(text, 'fuzz.yaml');
    return 'ok';
  } catch (e) {
    if (!(e instanceof ScenarioError)) {
      throw new Error(
        `${label}: threw ${e instanceof Error ? e.name : typeof e} instead of ScenarioError: ${String(e)}\n--- ` +
          `input ---\n${text}`,
        { cause: e },
      );
    }
    expect(e.problems.length, label).toBeGreaterThan(0);
    const lineCount = text.split('\n').length;
    for (const p of e.problems) {
      expect(p, `${label}\n${text}`).toMatch(LINE);
      expect(p.includes('\n'), label).toBe(false);
      const [, line, col] = /^fuzz\.yaml:(\d+):(\d+): /.exec(p) ?? [];
      expect(Number(line), p).toBeGreaterThanOrEqual(1);
      expect(Number(line), p).toBeLessThanOrEqual(lineCount + 1);
      expect(Number(col), p).toBeGreaterThanOrEqual(1);
    }
    return 'invalid';
  }
}

describe('fuzz: mutated scenarios load or fail with positioned problems', () => {
  const base = parse(BASE) as Json;

  it('the base scenario is valid', () => {
    expect(check(BASE, 'base')).toBe('ok');
  });

  it('data mutations: delete a key, change a type, add an unknown key (400 cases)', () => {
    const r = rng(20240601);
    const tally = { ok: 0, invalid: 0 };
    for (let i = 0; i < 400; i++) {
      let data = base;
      const n = 1 + Math.floor(r() * 3);
      for (let k = 0; k < n; k++) data = mutateData(data, r);
      tally[check(stringify(data), `data case ${i}`)]++;
    }
    expect(tally.invalid).toBeGreaterThan(200);
    expect(tally.ok).toBeGreaterThan(0);
  });

  it('text corruption: deleted, inserted, duplicated, shifted and swapped characters and lines (400 cases)', () => {
    const r = rng(7);
    const tally = { ok: 0, invalid: 0 };
    for (let i = 0; i < 400; i++) {
      let text = BASE;
      const n = 1 + Math.floor(r() * 3);
      for (let k = 0; k < n; k++) text = corruptText(text, r);
      tally[check(text, `text case ${i}`)]++;
    }
    expect(tally.invalid).toBeGreaterThan(100);
  });

  it('hostile inputs', () => {
    for (const text of [
      '',
      '\n\n',
      '---\n',
      '...',
      '~',
      '42',
      '"just a string"',
      '[]',
      '{}',
      'a: &a [*a, *a]\n',
      'x: *missing\n',
      'a: &a [1,2]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: ' +
        '[*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
      '? [complex, key]\n: value\n',
      '!!binary aGVsbG8=\n',
      'name: !custom tag\n',
      '\uFEFFname: bom\n',
      'name: t\n---\nname: u\n',
      'steps: [{wait: 1s}, {wait: 1s}]\n'.repeat(3),
      `name: t\ncluster: {target: graph-agent}\nsteps:\n${'  - wait: 1ms\n'.repeat(2000)}`,
      'name: t\ncluster: {target: graph-agent, nodes: 1e400}\nsteps: [{wait: .inf}]\n',
      'name: t\ncluster: {target: graph-agent}\nsteps: [{fault: {kind: kill, node: n9999999999999999999}}]\n',
      '__proto__: {polluted: true}\nconstructor: 1\n',
    ]) {
      check(text, JSON.stringify(text.slice(0, 40)));
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
