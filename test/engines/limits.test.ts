// What cannot run on a swarm yet is refused by field, from the scenario alone; what can
// (nodes, groups, command probes, offline restores, clock, disk and resource faults) is not.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateScenarios } from '../../src/cli/commands/validate.js';
import { ScenarioError, UsageError } from '../../src/core/errors.js';
import { parseScenario } from '../../src/scenario/load.js';
import { assertEngineSupports, engineRefusal } from '../../src/engines/limits.js';

const examples = resolve(import.meta.dirname, '../../examples');
const load = (file: string) => parseScenario(readFileSync(join(examples, file), 'utf8'), file);

describe('custom targets on an engine other than one Docker host', () => {
  it.each([
    'etcd/primary-down.yaml',
    'etcd/backup-restore.yaml',
    'redis-sentinel/primary-down.yaml',
    'redis-sentinel/isolate-primary.yaml',
  ])('%s runs on a swarm', (file) => {
    expect(engineRefusal(load(file), 'swarm')).toBeUndefined();
  });

  it.each(['etcd/clock-skew.yaml', 'etcd/disk-full.yaml'])('%s runs on a swarm (through the fault agents)', (file) => {
    expect(engineRefusal(load(file), 'swarm')).toBeUndefined();
  });

  it.each([
    '{ kind: memory, target: replica, headroom: 64MiB }',
    '{ kind: cpu, target: replica, cpus: 0.2 }',
    '{ kind: io-limit, target: replica, write_rate: 64KiB }',
  ])('a custom target takes resource faults on a swarm (its host agent does them): %s', (fault) => {
    const text = readFileSync(join(examples, 'etcd/primary-down.yaml'), 'utf8');
    const kill = /- fault:\n(\s+\w+: .*\n)+/.exec(text)![0];
    const limited = fault.replace('{ ', '{ name: leader-kill, ');
    const scenario = parseScenario(text.replace(kill, `- fault: ${limited}\n`), 'etcd/resources.yaml');
    expect(scenario.steps.some((s) => s.kind === 'fault' && fault.includes(s.fault.kind))).toBe(true);
    expect(engineRefusal(scenario, 'swarm')).toBeUndefined();
  });

  it('a Compose stack is refused, naming the field', async () => {
    const file = 'postgres-patroni/kill-primary.yaml';
    expect(engineRefusal(load(file), 'swarm')).toMatch(/^cluster\.compose: /);
    await expect(assertEngineSupports(load(file), 'swarm', file)).rejects.toThrow(UsageError);
    expect(engineRefusal(load(file), 'docker')).toBeUndefined();
  });
});

describe('graph-agent on a swarm, and drill validate', () => {
  const scenarios = resolve(import.meta.dirname, '../../scenarios');
  const lib = (file: string) => parseScenario(readFileSync(join(scenarios, file), 'utf8'), file);

  it('refuses backup-storage but corrupt, which acts on this machine, and nothing else', () => {
    const repo = 'backup-repository-faults.yaml';
    expect(engineRefusal(lib(repo), 'swarm')).toMatch(/^steps\[\d+\]\.fault\.kind: backup-storage: modes read-only/);
    expect(engineRefusal(lib(repo), 'docker')).toBeUndefined();
    // The resource faults (cpu-throttle, slow-disk, backup-under-memory-pressure) go through the hosts' agents.
    const resources = ['cpu-throttle.yaml', 'slow-disk.yaml', 'backup-under-memory-pressure.yaml'];
    const files = [
      'disk-full.yaml',
      'clock-skew.yaml',
      'backup-restore-full.yaml',
      'partition-primary.yaml',
      ...resources,
    ];
    for (const f of [...files, 'corrupt-backup.yaml']) expect(engineRefusal(lib(f), 'swarm'), f).toBeUndefined();
  });

  it("delay is refused only where it would run through this machine's link proxy (a kernel without netem)", () => {
    const s = lib('heartbeat-delay.yaml');
    expect(engineRefusal(s, 'swarm', { linkProxy: true })).toMatch(/^steps\[\d+\]\.fault\.kind: delay: .*link proxy/);
    expect(engineRefusal(s, 'swarm', { linkProxy: false })).toBeUndefined();
    expect(engineRefusal(s, 'docker', { linkProxy: true })).toBeUndefined();
  });

  it('drill validate refuses what the engine would, with --engine or the scenario its own cluster.engine', async () => {
    const lines: string[] = [];
    const file = join(scenarios, 'backup-repository-faults.yaml');
    await expect(validateScenarios([file], (l) => lines.push(l), 'swarm')).rejects.toThrow(ScenarioError);
    expect(lines).toEqual([`bad ${file}  (1 problem)`]);
    await expect(validateScenarios([file], () => undefined)).resolves.toBeUndefined();
  });
});
