// cluster.custom in scenario files: the shape, and errors with file:line for bad definitions.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../src/core/errors.js';
import { parseScenario } from '../../../src/scenario/load.js';

const root = resolve(import.meta.dirname, '../../..');
const example = readFileSync(resolve(root, 'examples/etcd/primary-down.yaml'), 'utf8');

function problems(text: string): string[] {
  try {
    parseScenario(text, 's.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  return [];
}

describe('cluster.custom', () => {
  it('the etcd example parses: defaults applied, kv workload', () => {
    const s = parseScenario(example, 'primary-down.yaml');
    expect(s.cluster.target).toBe('custom');
    const c = s.cluster.custom!;
    expect(c.name).toBe('etcd');
    expect(c.boot_timeout).toBe(60_000);
    expect(c.probes.write?.http?.method).toBe('POST');
    expect(c.probes.read?.ids.json).toBe('kvs[].key');
    expect(c.probes.health.exec).toBeUndefined();
    expect(s.workload.kind).toBe('kv');
  });

  it('a missing probe is an error at its parent, with file:line', () => {
    const text = example.replace(/ {6}write:\n(?: {8}.*\n)+/, '');
    const p = problems(text);
    expect(
      p.some((l) => /^s\.yaml:\d+:\d+: cluster\.custom\.probes\.write: missing required field/.test(l)),
      p.join('\n'),
    ).toBe(true);
  });

  it('an unknown template variable names the field and the variables available', () => {
    const p = problems(example.replace('--name={{node.name}}', '--name={{node.nmae}}'));
    expect(p.join('\n')).toMatch(/s\.yaml:\d+:\d+: cluster\.custom\.command\[1\]: unknown variable \{\{node\.nmae\}\}/);
  });

  it('a write probe may use {{id}}, a health probe may not', () => {
    const p = problems(example.replace('path: /health,', "path: '/health/{{id}}',"));
    expect(p.join('\n')).toMatch(/cluster\.custom\.probes\.health\.http\.path: unknown variable \{\{id\}\}/);
  });

  it('an invalid regex, both http and exec, and an unpublished port', () => {
    const p = problems(
      example
        .replace(`match: '"health":"true"'`, `match: '(unclosed', port: 9999`)
        .replace('      role:\n', '      role:\n        exec: { command: [/bin/true] }\n'),
    ).join('\n');
    expect(p).toMatch(/probes\.health\.http\.match: invalid regular expression/);
    expect(p).toMatch(/probes\.health\.http\.port: port 9999 is not published/);
    expect(p).toMatch(/probes\.role\.exec: a probe is either http, exec, redis or sql: this one has http and exec/);
  });

  describe('native client probes (issue 14)', () => {
    const sqlWrite = `write: { sql: { statement: 'INSERT INTO t (id) VALUES ($1)', params: ['{{id}}'] } }`;
    const withWrite = (w: string, extra = '') =>
      // (replacer functions: a `$'` in a probe's match would be a replacement pattern)
      example
        .replace(/ {6}write:\n(?: {8}.*\n)+/, () => `      ${w}\n`)
        .replace('    probes:\n', () => `${extra}    probes:\n`);

    it('a redis probe with a misspelt field names file:line and the field', () => {
      const p = problems(withWrite(`write: { redis: { comand: [SET, '{{id}}', x] } }`)).join('\n');
      expect(p).toMatch(/s\.yaml:\d+:\d+: cluster\.custom\.probes\.write\.redis/);
      expect(p).toMatch(/comand/);
    });

    it('an unknown SQL driver, and an sql probe without client.sql', () => {
      const bad = problems(withWrite(sqlWrite, '    client: { sql: { driver: oracle } }\n')).join('\n');
      expect(bad).toMatch(/s\.yaml:\d+:\d+: cluster\.custom\.client\.sql\.driver: .*postgres.*mysql/);
      const none = problems(withWrite(sqlWrite)).join('\n');
      expect(none).toMatch(/cluster\.custom\.probes\.write\.sql: an sql probe needs cluster\.custom\.client\.sql/);
    });

    it('a template in a bound parameter that does not exist, and values spliced into the statement', () => {
      const client = '    client: { sql: { driver: postgres, user: postgres } }\n';
      const p = problems(
        withWrite(`write: { sql: { statement: 'INSERT INTO t VALUES ($1)', params: ['{{nope}}'] } }`, client),
      ).join('\n');
      expect(p).toMatch(
        /s\.yaml:\d+:\d+: cluster\.custom\.probes\.write\.sql\.params\[0\]: unknown variable \{\{nope\}\}/,
      );
      const spliced = problems(
        withWrite(`write: { sql: { statement: "INSERT INTO t VALUES ('{{id}}')" } }`, client),
      ).join('\n');
      expect(spliced).toMatch(/probes\.write\.sql\.statement: the statement is fixed text: put values in params/);
    });

    it('a valid redis and sql definition, and a client module in place of write and read', () => {
      const client = '    client: { sql: { driver: postgres, user: postgres } }\n';
      expect(problems(withWrite(sqlWrite, client))).toEqual([]);
      expect(problems(withWrite(`write: { redis: { command: [SET, '{{id}}', '{{value}}'], match: '^OK$' } }`))).toEqual(
        [],
      );
      const moduleOnly = example
        .replace(/ {6}write:\n(?: {8}.*\n)+/, '')
        .replace(/ {6}read:\n(?: {8}.*\n)+/, '')
        .replace('    probes:\n', '    client: { module: ./client.mjs }\n    probes:\n');
      expect(problems(moduleOnly)).toEqual([]);
    });
  });

  it('target custom without a custom block, and image with build', () => {
    expect(problems('name: x\ncluster: { target: custom }\nsteps: [{ wait: 1s }]\n').join('\n')).toMatch(
      /cluster: target custom needs a custom block/,
    );
    expect(problems(example.replace('    build: .', '    image: foo\n    build: .')).join('\n')).toMatch(
      /cluster\.custom\.build: use either image or build/,
    );
  });

  it('a backup step needs a backup probe; custom targets take workload kind kv', () => {
    const p = problems(
      example
        .replace('  - wait: 3s\n', '  - wait: 3s\n  - backup: { type: full, name: b1 }\n')
        .replace('kind: kv', 'kind: graph'),
    ).join('\n');
    expect(p).toMatch(/steps\[1\]\.backup: a backup step needs cluster\.custom\.probes\.backup/);
    expect(p).toMatch(/workload\.kind: custom targets take workload kind kv/);
  });
});

describe('recovery points', () => {
  const withSteps = (steps: string, probes = '') =>
    example
      .replace(/ {4}probes:\n/, `    probes:\n${probes}`)
      .replace(/\nsteps:\n[\s\S]*?\nthresholds:/, `\nsteps:\n${steps}thresholds:`);
  const POINT = "      point: { exec: { command: [sh, -c, 'echo {{point.name}}'] } }\n";

  it('a point step needs probes.point, and a restore to point:<name> needs that point made earlier', () => {
    expect(problems(withSteps('  - point: p1\n'))).toEqual([
      expect.stringMatching(/^s\.yaml:\d+:\d+: steps\[0\]\.point: .*probes\.point/),
    ]);
    expect(problems(withSteps('  - point: p1\n', POINT))).toEqual([]);
    const early = problems(withSteps('  - restore: { position: "point:p1" }\n  - point: p1\n', POINT));
    expect(
      early.some((l) => /steps\[0\]\.restore\.position: .*p1/.test(l)),
      early.join('\n'),
    ).toBe(true);
    const twice = problems(withSteps('  - point: p1\n  - point: p1\n', POINT));
    expect(twice).toEqual([
      expect.stringMatching(/steps\[1\]\.point: recovery point "p1" is already made by steps\[0\]/),
    ]);
  });

  it('graph-agent has no point step: it restores to log positions', () => {
    const p = problems('name: s\ncluster: { target: graph-agent }\nsteps:\n  - point: p1\n');
    expect(p).toEqual([
      expect.stringMatching(/^s\.yaml:4:\d+: steps\[0\]\.point: recovery points are made by a custom/),
    ]);
  });
});
