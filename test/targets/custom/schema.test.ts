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
    expect(c.probes.write.http?.method).toBe('POST');
    expect(c.probes.read.ids.json).toBe('kvs[].key');
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
    expect(p).toMatch(/probes\.role\.exec: a probe is either http or exec, not both/);
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
