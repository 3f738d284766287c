// cpu against the real engine: the quota goes through the Docker API and reads back from the
// node's cgroup; a busy loop in the throttled container gets no more CPU time than the quota
// allows; heal restores the cgroup's quota; nothing is left throttled. The library scenario
// cpu-throttle shows the gray failure it makes: p99 latency breached, nothing lost.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCgroup } from '../../src/docker/cgroup.js';
import { docker } from '../../src/docker/engine.js';
import { audit, auditContainers } from '../support/audit.js';
import { RunTracker } from '../support/drill-cli.js';
import { bootHarness, type Harness } from './net-probes.js';

/** CPU seconds a busy loop gets in 2 s of wall time. */
const BUSY = 'const t = Date.now(); while (Date.now() - t < 2000); console.log(process.cpuUsage().user / 1e6);';

describe('cpu (docker)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await bootHarness('cpu');
  });
  afterAll(async () => {
    const id = h?.runId;
    await h?.close();
    if (id) expect(await audit([id])).toEqual([]);
  });

  const quotaOf = async (node: string) => readCgroup((await h.target.inspect(node)).pid!, 'cpu', 'cpu.cfs_quota_us');

  it('0.1 CPUs on n2: read back from cgroup and Docker; a busy loop gets at most its quota; healed', async () => {
    expect(await quotaOf('n2')).toBe('-1');
    const rec = await h.faults.apply({ kind: 'cpu', name: 'c1', node: 'n2', cpus: 0.1 });
    expect(rec.mechanism).toMatch(/docker update --cpu-quota 10000 --cpu-period 100000/);
    expect(await quotaOf('n2')).toBe('10000');
    expect((await docker().getContainer(h.container('n2')).inspect()).HostConfig.CpuQuota).toBe(10_000);
    expect(await quotaOf('n1')).toBe('-1');
    const busy = await execa('docker', ['exec', h.container('n2'), '/usr/bin/node', '-e', BUSY]);
    const cpuS = Number(busy.stdout.trim());
    // 2 s at 10% of a CPU is 0.2 s; the loop shares the quota with the node itself.
    expect(cpuS).toBeLessThan(0.3);
    await h.faults.heal('c1');
    expect(await quotaOf('n2')).toBe('-1');
    expect((rec.detail?.['periods_throttled'] as Record<string, number>)['n2']).toBeGreaterThan(0);
    console.log(`busy loop on n2 at 0.1 CPUs: ${cpuS.toFixed(3)} CPU s in 2 s`);
    expect(await auditContainers([h.runId])).toEqual([]);
  });
});

describe('scenario cpu-throttle', () => {
  const runs = new RunTracker();
  afterAll(() => runs.cleanup());

  it('the throttled primary breaches p99 latency and nothing else: the expected fail is met', async () => {
    const out = mkdtempSync(join(tmpdir(), 'drill-cpu-'));
    const { code, result, output } = await runs.run('scenarios/cpu-throttle.yaml', out);
    expect(code, output).toBe(0);
    expect(result.expect).toMatchObject({ verdict: 'fail', met: true });
    expect(result.thresholds.filter((t) => t.verdict === 'fail').map((t) => t.name)).toEqual(['p99_latency']);
    expect(result.metrics.rpo.lost).toBe(0);
    const fault = result.faults.find((f) => f.id === 'starve')!;
    expect(fault.healed_s).not.toBeNull();
    expect((fault.detail?.['periods_throttled'] as Record<string, number>)[fault.nodes[0]!]).toBeGreaterThan(0);
  });
});
