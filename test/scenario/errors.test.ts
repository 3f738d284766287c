import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/core/errors.js';
import { parseScenario } from '../../src/scenario/load.js';
import { FAULT_KINDS } from '../../src/scenario/schema.js';

/** The problem lines for a file's text, or [] if it is valid. */
function problemsOf(text: string, file = 's.yaml'): string[] {
  try {
    parseScenario(text, file);
    return [];
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return e.problems;
  }
}

const HEAD = `name: t
cluster:
  target: graph-agent
steps:
`;
// HEAD is 4 lines: the first step is on line 5.

describe('scenario errors: exact file:line:col and field path', () => {
  it('YAML syntax error', () => {
    expect(problemsOf('name: t\ncluster: {target: graph-agent\nsteps: []\n')).toEqual([
      's.yaml:3:1: YAML syntax: Flow map in block collection must be sufficiently indented and end with a }',
    ]);
    expect(problemsOf('name: t\nname: u\n')).toEqual([
      's.yaml:2:1: YAML syntax: duplicate key: map keys must be unique',
    ]);
    expect(problemsOf('x: "open\n')[0]).toMatch(/^s\.yaml:2:1: YAML syntax: Missing closing "quote$/);
  });

  it('wrong type', () => {
    expect(problemsOf(`${HEAD}  - wait: 1s\nworkload:\n  rate: fast\n`)).toEqual([
      's.yaml:7:9: workload.rate: expected a number, got "fast"',
    ]);
    expect(problemsOf(`${HEAD}  - wait: 1s\ntags: critical\n`)).toEqual([
      's.yaml:6:7: tags: expected a list, got "critical"',
    ]);
    expect(problemsOf(HEAD.replace('name: t', 'name: 5') + '  - wait: 1s\n')).toEqual([
      's.yaml:1:7: name: expected a string, got 5',
    ]);
    expect(problemsOf(`${HEAD}  - mark: { a: 1 }\n`)).toEqual([
      's.yaml:5:11: steps[0].mark: expected a string, got a map',
    ]);
    expect(problemsOf(`name: t\ncluster:\n  target: graph-agent\n  nodes: 2.5\nsteps:\n  - wait: 1s\n`)).toEqual([
      's.yaml:4:10: cluster.nodes: expected an integer, got 2.5',
    ]);
  });

  it('unknown field at top level, and deep inside a step (with a suggestion or the allowed list)', () => {
    expect(problemsOf(`${HEAD}  - wait: 1s\ndescripton: x\n`)).toEqual([
      's.yaml:6:1: descripton: unknown field "descripton" (did you mean "description"?)',
    ]);
    expect(
      problemsOf(`${HEAD}  - wait: 1s\n  - fault:\n      kind: kill\n      target: primary\n      jitter: 3\n`),
    ).toEqual(['s.yaml:9:15: steps[1].fault.jitter: jitter applies only to kind: delay, not kill']);
    expect(problemsOf(`${HEAD}  - waitt: 3s\n`)).toEqual([
      's.yaml:5:5: steps[0].waitt: unknown field "waitt" (did you mean "wait"?)',
    ]);
    expect(problemsOf(`${HEAD}  - wait: 1s\nthresholds:\n  rpo: { lost: 0, windw: 1s }\n`)).toEqual([
      's.yaml:7:19: thresholds.rpo.windw: unknown field "windw" (did you mean "window"?)',
    ]);
  });

  it('bad duration', () => {
    expect(problemsOf(`${HEAD}  - wait: fast\n`)).toEqual([
      's.yaml:5:11: steps[0].wait: expected a duration such as "500ms" or "3s", got "fast"',
    ]);
    expect(problemsOf(`${HEAD}  - wait: -2\n  - wait: 5h\n  - wait: .nan\n  - wait: [1]\n`)).toEqual([
      's.yaml:5:11: steps[0].wait: expected a duration such as "500ms" or "3s", got -2',
      's.yaml:6:11: steps[1].wait: expected a duration such as "500ms" or "3s", got "5h"',
      's.yaml:7:11: steps[2].wait: expected a duration such as "500ms" or "3s", got NaN',
      's.yaml:8:11: steps[3].wait: expected a duration such as "500ms" or "3s", got a list',
    ]);
    expect(problemsOf(`${HEAD}  - wait: 1s\nthresholds: { rto: soon }\n`)).toEqual([
      's.yaml:6:20: thresholds.rto: expected a duration such as "500ms" or "3s", got "soon"',
    ]);
  });

  it('unknown fault kind', () => {
    expect(problemsOf(`${HEAD}  - fault: { kind: explode, target: primary }\n`)).toEqual([
      `s.yaml:5:20: steps[0].fault.kind: expected one of ${FAULT_KINDS.join(', ')}; got "explode"`,
    ]);
  });

  it('node out of range (also reported alongside errors that stop zod early)', () => {
    expect(problemsOf(`${HEAD}  - fault: { kind: kill, node: n4 }\n`)).toEqual([
      's.yaml:5:32: steps[0].fault.node: node "n4" does not exist: cluster.nodes is 3 (n1..n3)',
    ]);
    expect(
      problemsOf(
        `${HEAD}  - fault: { kind: kill, node: n2 }\nworkload: { concurrency: 1.5 }\n`.replace(
          'target: graph-agent',
          'target: graph-agent\n  nodes: 1',
        ),
      ),
    ).toEqual([
      's.yaml:6:32: steps[0].fault.node: node "n2" does not exist: cluster.nodes is 1 (n1)',
      's.yaml:7:26: workload.concurrency: expected an integer, got 1.5',
    ]);
    expect(problemsOf(`${HEAD}  - fault: { kind: kill, node: node2 }\n`)).toEqual([
      's.yaml:5:32: steps[0].fault.node: node "node2" does not exist: cluster.nodes is 3 (n1..n3)',
    ]);
    expect(problemsOf(`${HEAD}  - fault: { kind: kill, node: "n 2" }\n`)).toEqual([
      's.yaml:5:32: steps[0].fault.node: expected a node name (n1..n9, <group>-<i> or a Compose service), got "n 2"',
    ]);
  });

  it('heal of an unknown fault, and of a fault defined later', () => {
    expect(problemsOf(`${HEAD}  - fault: { kind: stop, target: replica }\n  - heal: f2\n`)).toEqual([
      's.yaml:6:11: steps[1].heal: unknown fault "f2"; faults defined before this step: f1 (or use "all")',
    ]);
    expect(problemsOf(`${HEAD}  - heal: x\n  - fault: { kind: stop, target: replica, name: x }\n`)).toEqual([
      's.yaml:5:11: steps[0].heal: fault "x" is defined later, at steps[1]; heal must come after its fault',
    ]);
  });

  it('duplicate fault names, including a clash with a default name', () => {
    expect(
      problemsOf(
        `${HEAD}  - fault: { kind: stop, target: replica, name: a }\n  - fault: { kind: stop, target: replica, ` +
          `name: a }\n`,
      ),
    ).toEqual(['s.yaml:6:49: steps[1].fault.name: duplicate fault name "a", already used by steps[0]']);
    expect(
      problemsOf(
        `${HEAD}  - fault: { kind: stop, target: replica, name: f2 }\n  - fault: { kind: stop, target: replica }\n`,
      ),
    ).toEqual([
      's.yaml:6:12: steps[1].fault: this fault\'s default name "f2" is already used by steps[0]; give it a name',
    ]);
  });

  it('missing required field: points at the parent map', () => {
    expect(problemsOf('cluster:\n  target: graph-agent\nsteps:\n  - wait: 1s\n')).toEqual([
      's.yaml:1:1: name: missing required field',
    ]);
    expect(problemsOf(`name: t\ncluster:\n  nodes: 3\nsteps:\n  - wait: 1s\n`)).toEqual([
      's.yaml:3:3: cluster.target: missing required field',
    ]);
    expect(problemsOf(`${HEAD}  - await:\n      timeout: 3s\n`)).toEqual([
      's.yaml:6:7: steps[0].await.condition: missing required field',
    ]);
    expect(problemsOf(`${HEAD}  - fault:\n      kind: kill\n`)).toEqual([
      's.yaml:6:7: steps[0].fault: missing target: set target (primary | replica | random | all | minority | ' +
        'majority) or node (a node name)',
    ]);
  });

  it('election_timeout <= heartbeat names both values', () => {
    expect(
      problemsOf(
        `name: t\ncluster:\n  target: graph-agent\n  agent:\n    heartbeat: 1s\n    election_timeout: ` +
          `1000ms\nsteps:\n  - wait: 1s\n`,
      ),
    ).toEqual([
      's.yaml:6:23: cluster.agent.election_timeout: election_timeout (1s) must be greater than heartbeat (1s)',
    ]);
  });

  it('a step map with two keys, or none', () => {
    expect(problemsOf(`${HEAD}  - wait: 1s\n    mark: hello\n`)).toEqual([
      's.yaml:5:5: steps[0]: a step must have exactly one of wait, mark, fault, heal, await, exec, backup, point, ' +
        'destroy, restore, verify; this one has wait and mark (split it into 2 steps)',
    ]);
    expect(problemsOf(`${HEAD}  - {}\n`)).toEqual([
      's.yaml:5:5: steps[0]: a step must have exactly one of wait, mark, fault, heal, await, exec, backup, point, ' +
        'destroy, restore, verify',
    ]);
    expect(problemsOf(`${HEAD}  - wait\n`)).toEqual([
      's.yaml:5:5: steps[0]: expected a step: a map with one key (wait, mark, fault, heal, await, exec, backup, ' +
        'point, destroy, restore, verify), such as "wait: 3s", got "wait"',
    ]);
  });

  it('empty steps, and no steps', () => {
    expect(problemsOf(`${HEAD.replace('steps:\n', 'steps: []\n')}`)).toEqual(['s.yaml:4:8: steps: must not be empty']);
    expect(problemsOf(HEAD)).toEqual(['s.yaml:4:1: steps: expected a list, got an empty value']);
  });

  it('unsupported target lists the supported ones', () => {
    expect(problemsOf(`name: t\ncluster:\n  target: postgres\nsteps:\n  - wait: 1s\n`)).toEqual([
      's.yaml:3:11: cluster.target: unsupported target "postgres"; supported targets: graph-agent, custom',
    ]);
  });

  it('fault rules: target and node, signal on a non-kill, duration on restart', () => {
    expect(
      problemsOf(
        `${HEAD}  - fault: { kind: kill, target: primary, node: n1 }\n  - fault: { kind: stop, target: all, ` +
          `signal: SIGTERM }\n  - fault: { kind: restart, target: all, duration: 3s }\n`,
      ),
    ).toEqual([
      's.yaml:5:49: steps[0].fault.node: use either target or node, not both',
      's.yaml:6:47: steps[1].fault.signal: signal applies only to kind: kill, not stop',
      's.yaml:7:52: steps[2].fault.duration: duration is not allowed for kind: restart',
    ]);
  });

  it('expect and thresholds values', () => {
    expect(problemsOf(`${HEAD}  - wait: 1s\nexpect: { verdict: maybe }\n`)).toEqual([
      's.yaml:6:20: expect.verdict: expected one of pass, fail; got "maybe"',
    ]);
    expect(problemsOf(`${HEAD}  - wait: 1s\nexpect: ok\n`)).toEqual([
      's.yaml:6:9: expect: expected pass, fail, or a map { verdict: pass | fail, reason: "..." }, got "ok"',
    ]);
    expect(problemsOf(`${HEAD}  - wait: 1s\nthresholds:\n  availability: 120%\n  rpo: { lost: -1 }\n`)).toEqual([
      's.yaml:7:17: thresholds.availability: expected a share between 0 and 1, or a percentage such as "50%", got ' +
        '"120%"',
      's.yaml:8:16: thresholds.rpo.lost: must be at least 0, got -1',
    ]);
  });

  it('empty file, comment-only file, non-map document', () => {
    const empty =
      's.yaml:1:1: (root): the file is empty; a scenario needs at least name, cluster and steps (see ' +
      'docs/scenario-format.md)';
    expect(problemsOf('')).toEqual([empty]);
    expect(problemsOf('# nothing yet\n')).toEqual([empty]);
    expect(problemsOf('- a\n- b\n')).toEqual([
      's.yaml:1:1: (root): expected a map of scenario fields (name, cluster, steps, ...), got a list',
    ]);
  });

  it('collects every problem of a file, in file order', () => {
    const p = problemsOf(`name: Bad Name
cluster:
  target: graph-agent
  nodes: 12
steps:
  - wait: soon
  - heal: nope
extra: 1
`);
    expect(p).toEqual([
      's.yaml:1:7: name: expected a name of lower-case letters, digits, ".", "_", "-" (starting with a letter or ' +
        'digit), got "Bad Name"',
      's.yaml:4:10: cluster.nodes: must be at most 9, got 12',
      's.yaml:6:11: steps[0].wait: expected a duration such as "500ms" or "3s", got "soon"',
      's.yaml:7:11: steps[1].heal: unknown fault "nope"; no fault is defined before this step (or use "all")',
      's.yaml:8:1: extra: unknown field "extra"; allowed: name, description, tags, seed, cluster, workload, ' +
        'steps, thresholds, expect, repeat',
    ]);
  });
});
