// Custom targets' clock-skew and disk-full plumbing, without Docker: the clock probe's
// answer parsed to ms, the optional probes.clock in the schema, disk-full needing volumes.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../src/core/errors.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { parseClockValue } from '../../../src/targets/custom/probes/parse.js';

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

describe('clock probe answers', () => {
  it('epoch seconds, fractional seconds, milliseconds, RFC 3339', () => {
    expect(parseClockValue('1700000000\n')).toBe(1_700_000_000_000);
    expect(parseClockValue('1700000000.250')).toBe(1_700_000_000_250);
    expect(parseClockValue('1700000000123')).toBe(1_700_000_000_123);
    expect(parseClockValue('2023-11-14T22:13:20Z')).toBe(1_700_000_000_000);
    expect(parseClockValue('2023-11-14T23:13:20.5+01:00')).toBe(1_700_000_000_500);
    expect(parseClockValue('2023-11-14 22:13:20Z')).toBe(1_700_000_000_000);
  });
  it('anything else is unreadable (null)', () => {
    expect(parseClockValue('')).toBeNull();
    expect(parseClockValue('soon')).toBeNull();
    expect(parseClockValue('-5')).toBeNull();
  });
});

describe('probes.clock and disk-full in cluster.custom', () => {
  it('an optional clock probe, http or exec, with a capture', () => {
    const text = example.replace(
      '      write:\n',
      "      clock:\n        exec: { command: [date, '+%s.%N'] }\n        capture: '([\\d.]+)'\n      write:\n",
    );
    const s = parseScenario(text, 's.yaml');
    expect(s.cluster.custom!.probes.clock?.exec?.command).toEqual(['date', '+%s.%N']);
    expect(s.cluster.custom!.probes.clock?.capture).toBe('([\\d.]+)');
    expect(parseScenario(example, 's.yaml').cluster.custom!.probes.clock).toBeUndefined();
  });
  it('a clock probe with a bad regex is a scenario error', () => {
    const text = example.replace(
      '      write:\n',
      "      clock:\n        http: { path: /time }\n        capture: '(['\n      write:\n",
    );
    expect(problems(text).join('\n')).toMatch(/probes\.clock\.capture.*invalid regular expression/);
  });
  it('disk-full on a custom target without volumes is a scenario error', () => {
    const text = readFileSync(resolve(root, 'examples/etcd/disk-full.yaml'), 'utf8').replace(
      '    volumes: [/data]\n',
      '',
    );
    expect(problems(text).join('\n')).toMatch(
      /disk-full fills the node's data volumes: cluster\.custom\.volumes lists none/,
    );
    expect(problems(readFileSync(resolve(root, 'examples/etcd/disk-full.yaml'), 'utf8'))).toEqual([]);
    expect(problems(readFileSync(resolve(root, 'examples/etcd/clock-skew.yaml'), 'utf8'))).toEqual([]);
  });
});
