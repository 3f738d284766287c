// The registry is the one list of fault kinds: each kind's file declares its name, fields,
// needs and mechanism, and the scenario schema is assembled from them.
import { describe, expect, it } from 'vitest';
import { FAULT_KIND_LIST, faultKind, faultKinds } from '../../src/faults/registry.js';
import { descriptionOf } from '../../src/scenario/fields.js';
import { parseScenario } from '../../src/scenario/load.js';
import { FAKE_CAPS } from './fake-lifecycle.js';

const scenario = (fault: string) => `name: t\ncluster: { target: graph-agent }\nsteps:\n  - fault: ${fault}\n`;

describe('fault registry', () => {
  it('registers every kind under its own name, each with a summary, a mechanism and described fields', () => {
    for (const [key, k] of Object.entries(faultKinds)) {
      expect(k.name, key).toBe(key);
      expect(k.summary.length, key).toBeGreaterThan(3);
      expect(typeof k.mechanism(FAKE_CAPS).mechanism, key).toBe('string');
      if (k.params.required !== undefined) expect(Object.keys(k.params.fields), key).toContain(k.params.required);
      for (const [field, s] of Object.entries(k.params.fields))
        expect(descriptionOf(s), `${key}.${field}`).not.toBe('');
    }
    expect(FAULT_KIND_LIST.map((k) => k.name)).toEqual(Object.keys(faultKinds));
  });

  it('never resolves a prototype key from a file as a kind', () => {
    expect(faultKind('constructor')).toBeUndefined();
    expect(faultKind('toString')).toBeUndefined();
  });

  it("turns a kind's fields into its spec fields (names and units of the runner)", () => {
    const step = (f: string) => parseScenario(scenario(f), 's.yaml').steps[0];
    expect(step('{ kind: delay, node: n1, delay: 200ms, jitter: 50ms }')).toEqual({
      kind: 'fault',
      fault: { name: 'f1', kind: 'delay', node: 'n1', delayMs: 200, jitterMs: 50 },
    });
    expect(step('{ kind: kill, target: primary }')).toMatchObject({ fault: { signal: 'SIGKILL' } });
    expect(step('{ kind: partition, groups: [[n1], [n2, n3]], one_way: true }')).toMatchObject({
      fault: { groups: [['n1'], ['n2', 'n3']], oneWay: true },
    });
    expect(step('{ kind: clock-skew, node: n2, offset: -5m }')).toMatchObject({ fault: { offsetS: -300 } });
    expect(step('{ kind: backup-storage, mode: corrupt }')).toMatchObject({ fault: { mode: 'corrupt' } });
  });

  it("names a field used with the wrong kind, and the kind's missing required field", () => {
    expect(() => parseScenario(scenario('{ kind: loss, target: primary, rate: 1mbit }'), 's.yaml')).toThrow(
      /steps\[0\]\.fault\.rate: rate applies only to kind: bandwidth, not loss/,
    );
    expect(() => parseScenario(scenario('{ kind: loss, target: primary }'), 's.yaml')).toThrow(
      /steps\[0\]\.fault: missing percent: kind loss needs it/,
    );
  });
});
