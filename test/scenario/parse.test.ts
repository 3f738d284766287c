import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/core/errors.js';
import { parseDuration, formatDuration } from '../../src/scenario/duration.js';
import { parseScenario } from '../../src/scenario/load.js';

const FULL = new URL('./fixtures/full.yaml', import.meta.url);

const MINIMAL = `name: tiny
cluster:
  target: graph-agent
steps:
  - wait: 1s
`;

describe('parseScenario: valid files', () => {
  it('parses the full example: ms conversion, tagged steps, default fault names', () => {
    const s = parseScenario(readFileSync(FULL, 'utf8'), 'full.yaml');
    expect(s.name).toBe('primary-down');
    expect(s.tags).toEqual(['failover', 'kill']);
    expect(s.seed).toBe(42);
    expect(s.cluster).toEqual({
      target: 'graph-agent',
      nodes: 3,
      agent: { heartbeat: 100, election_timeout: 1000, replication: 'sync', fsync: 'on', failover: 'raft' },
    });
    expect(s.workload).toEqual({
      kind: 'graph',
      rate: 200,
      concurrency: 8,
      edge_share: 0.3,
      read_share: 0,
      timeout: 1000,
      probe: { enabled: true, interval: 20, timeout: 250 },
    });
    expect(s.steps).toEqual([
      { kind: 'wait', ms: 3000 },
      { kind: 'mark', label: 'killing the primary' },
      { kind: 'fault', fault: { name: 'f1', kind: 'kill', target: 'primary', signal: 'SIGKILL', duration: 10_000 } },
      { kind: 'await', condition: 'recovered', timeoutMs: 15_000 },
      { kind: 'fault', fault: { name: 'freeze', kind: 'pause', node: 'n2' } },
      { kind: 'wait', ms: 1500 },
      { kind: 'heal', name: 'freeze' },
      // the third fault: default names count every fault, named or not
      { kind: 'fault', fault: { name: 'f3', kind: 'stop', target: 'replica' } },
      { kind: 'heal', name: 'all' },
    ]);
    expect(s.thresholds).toEqual({
      rto: 5000,
      rpo: { lost: 0, window: 0 },
      availability: 0.5,
      p99_latency: 1000,
      integrity: true,
    });
    expect(s.expect).toEqual({ verdict: 'pass' });
  });

  it('applies every default to a minimal file', () => {
    const s = parseScenario(MINIMAL, 'tiny.yaml');
    expect(s).toEqual({
      name: 'tiny',
      description: '',
      tags: [],
      cluster: {
        target: 'graph-agent',
        nodes: 3,
        agent: { heartbeat: 100, election_timeout: 1000, replication: 'sync', fsync: 'on', failover: 'raft' },
      },
      workload: {
        rate: 200,
        concurrency: 8,
        edge_share: 0.3,
        read_share: 0,
        timeout: 1000,
        probe: { enabled: true, interval: 20, timeout: 250 },
      },
      steps: [{ kind: 'wait', ms: 1000 }],
      thresholds: {},
      expect: undefined,
    });
    expect(s.seed).toBeUndefined();
  });

  it('defaults await timeout to 30s and kill signal to SIGKILL, keeps other signals', () => {
    const s = parseScenario(
      `${MINIMAL}  - await: { condition: leader }\n  - fault: { kind: kill, node: n3, signal: SIGTERM }\n  - ` +
        `fault: { kind: kill, target: random }\n`,
      'x.yaml',
    );
    expect(s.steps[1]).toEqual({ kind: 'await', condition: 'leader', timeoutMs: 30_000 });
    expect(s.steps[2]).toEqual({ kind: 'fault', fault: { name: 'f1', kind: 'kill', node: 'n3', signal: 'SIGTERM' } });
    expect(s.steps[3]).toEqual({
      kind: 'fault',
      fault: { name: 'f2', kind: 'kill', target: 'random', signal: 'SIGKILL' },
    });
  });

  it.each([
    ['on', 'on'],
    ['off', 'off'],
    ['"on"', 'on'],
    ['"off"', 'off'],
    ['true', 'on'],
    ['false', 'off'],
  ])('fsync: %s -> %s', (raw, want) => {
    const s = parseScenario(
      MINIMAL.replace('target: graph-agent', `target: graph-agent\n  agent: { fsync: ${raw} }`),
      'x.yaml',
    );
    expect(s.cluster.agent.fsync).toBe(want);
  });

  it('accepts bare on/off under a YAML 1.1 directive (where they are booleans)', () => {
    for (const [raw, want] of [
      ['on', 'on'],
      ['off', 'off'],
    ] as const) {
      const withFsync = MINIMAL.replace('target: graph-agent', `target: graph-agent\n  agent:\n    fsync: ${raw}`);
      const text = `%YAML 1.1\n---\n${withFsync}`;
      expect(parseScenario(text, 'x.yaml').cluster.agent.fsync).toBe(want);
    }
  });

  it('normalises expect', () => {
    const withExpect = (e: string) => parseScenario(`${MINIMAL}expect: ${e}\n`, 'x.yaml').expect;
    expect(withExpect('fail')).toEqual({ verdict: 'fail' });
    expect(withExpect('{ verdict: fail, reason: "rpo.lost > 0" }')).toEqual({
      verdict: 'fail',
      reason: 'rpo.lost > 0',
    });
    expect(withExpect('{ verdict: pass }')).toEqual({ verdict: 'pass' });
  });

  it('accepts availability as a share or a percentage', () => {
    const av = (v: string) =>
      parseScenario(`${MINIMAL}thresholds: { availability: ${v} }\n`, 'x.yaml').thresholds.availability;
    expect(av('0.25')).toBe(0.25);
    expect(av('"50%"')).toBe(0.5);
    expect(av('100%')).toBe(1);
    expect(av('0')).toBe(0);
  });

  it('parses durations to ms', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('1.1s')).toBe(1100);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration(3)).toBe(3000);
    expect(parseDuration(0.25)).toBe(250);
    expect(parseDuration('3')).toBe(3000);
    expect(parseDuration('0s')).toBe(0);
    for (const bad of [
      'fast',
      '-1s',
      '1h',
      '',
      's',
      '1.s',
      '1 s',
      -1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      true,
      null,
      {},
    ]) {
      expect(parseDuration(bad), String(bad)).toBeUndefined();
    }
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(120_000)).toBe('2m');
  });

  it('throws only ScenarioError for an invalid file', () => {
    expect(() => parseScenario('name: [', 'x.yaml')).toThrow(ScenarioError);
  });
});
