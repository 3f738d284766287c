// memory against the real engine: the limit goes through the Docker API and reads back from
// the node's cgroup; an OOM kill inside the limited container is observed and lands in the
// fault record; heal restores the cgroup's limit exactly; nothing is left limited. The
// library scenario backup-under-memory-pressure runs a backup into that limit.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCgroup } from '../../src/docker/cgroup.js';
import { docker } from '../../src/docker/engine.js';
import { parseScenario } from '../../src/scenario/load.js';
import { audit, auditContainers } from '../support/audit.js';
import { RunTracker } from '../support/drill-cli.js';
import { until } from '../targets/graph-agent/support.js';
import { bootHarness, type Harness } from './net-probes.js';

const UNLIMITED = '9223372036854771712';
const GREEDY = 'const a = []; setInterval(() => a.push(Buffer.alloc(4e6, 1)), 10);';

describe('memory (docker)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await bootHarness('mem');
  });
  afterAll(async () => {
    const id = h?.runId;
    await h?.close();
    if (id) expect(await audit([id])).toEqual([]);
  });

  const limitOf = async (node: string) =>
    readCgroup((await h.target.inspect(node)).pid!, 'memory', 'memory.limit_in_bytes');

  it('64MiB on n2: read back from the cgroup and Docker; an OOM kill inside is reported; heal undoes it', async () => {
    expect(await limitOf('n2')).toBe(UNLIMITED);
    const rec = await h.faults.apply({ kind: 'memory', name: 'm1', node: 'n2', limitBytes: 64 * 1024 * 1024 });
    expect(rec.mechanism).toMatch(/docker update --memory --memory-swap \(n2 64\.0 MiB\)/);
    expect(await limitOf('n2')).toBe(String(64 * 1024 * 1024));
    expect((await docker().getContainer(h.container('n2')).inspect()).HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(await limitOf('n1')).toBe(UNLIMITED);
    // A process that grows without bound inside the limited container is killed by the kernel.
    const greedy = await execa('docker', ['exec', h.container('n2'), '/usr/bin/node', '-e', GREEDY], { reject: false });
    expect(greedy.exitCode).toBe(137);
    await until('the OOM kill in the fault record', 5000, async () => (rec.detail?.['oom_kills'] as number) >= 1);
    expect(rec.detail?.['oom_events']).toEqual([expect.objectContaining({ node: 'n2' })]);
    await h.faults.heal('m1');
    expect(await limitOf('n2')).toBe(UNLIMITED);
    expect((await h.target.inspect('n2')).running).toBe(true);
    expect(await auditContainers([h.runId])).toEqual([]);
  });

  it('headroom on the leader: the limit is what the node uses plus the headroom; heal restores it', async () => {
    const leader = await until('a leader', 15_000, () => h.target.leader());
    const rec = await h.faults.apply({ kind: 'memory', name: 'm2', node: leader, headroomBytes: 16 * 1024 * 1024 });
    const d = rec.detail as { anon_bytes_before: Record<string, number>; limit_bytes: Record<string, number> };
    expect(d.limit_bytes[leader]! - d.anon_bytes_before[leader]!).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    expect(d.limit_bytes[leader]! - d.anon_bytes_before[leader]!).toBeLessThan(16 * 1024 * 1024 + 4096);
    expect(await limitOf(leader)).toBe(String(d.limit_bytes[leader]));
    await h.faults.heal('m2');
    expect(await limitOf(leader)).toBe(UNLIMITED);
  });

  it('validates its fields with the messages users see', () => {
    const scenario = (f: string) => `name: t\ncluster: { target: graph-agent }\nsteps:\n  - fault: ${f}\n`;
    const problems = (f: string) => {
      try {
        parseScenario(scenario(f), 's.yaml');
        return [];
      } catch (e) {
        return (e as { problems: string[] }).problems;
      }
    };
    expect(problems('{ kind: memory, target: primary }')).toEqual([
      's.yaml:4:12: steps[0].fault: missing limit: kind memory needs limit (or headroom)',
    ]);
    expect(problems('{ kind: memory, target: primary, limit: 1MiB }')).toEqual([
      's.yaml:4:52: steps[0].fault.limit: expected a size such as "64MiB", "512KiB" or a number of bytes, got "1MiB" ' +
        '(at least 8388608 bytes)',
    ]);
    expect(problems('{ kind: memory, target: primary, limit: 64MiB, headroom: 4MiB }')[0]).toMatch(
      /fault\.headroom: use either limit or headroom, not both/,
    );
    expect(problems('{ kind: kill, target: primary, limit: 64MiB }')[0]).toMatch(
      /fault\.limit: limit applies only to kind: memory, not kill/,
    );
  });
});

describe('scenario backup-under-memory-pressure', () => {
  const runs = new RunTracker();
  afterAll(() => runs.cleanup());

  it('the backup fails loudly (OOM kill reported) or completes; the repository verifies; restore whole', async () => {
    const out = mkdtempSync(join(tmpdir(), 'drill-memory-'));
    const { code, result, output } = await runs.run('scenarios/backup-under-memory-pressure.yaml', out);
    expect(code, output).toBe(0);
    expect(result.verdict).toBe('pass');
    const fault = result.faults.find((f) => f.id === 'squeeze')!;
    expect(fault.confirmed_s).not.toBeNull();
    expect(fault.healed_s).not.toBeNull();
    const backups = result.metrics.restore!.backups as Array<{ name: string; status: string; error?: string }>;
    const squeezed = backups.find((b) => b.name === 'squeezed')!;
    if (squeezed.status === 'failed') {
      expect(squeezed.error).toBeTruthy();
      expect(fault.detail?.['oom_kills']).toBeGreaterThanOrEqual(1);
    } else {
      expect(squeezed.status).toBe('completed');
    }
    expect(backups.find((b) => b.name === 'after')?.status).toBe('completed');
    expect(result.steps.find((s) => s.kind === 'verify')?.status).toBe('completed');
    expect(result.metrics.restore!.missing_before_position).toBe(0);
    expect(result.metrics.restore!.checksum_match).toBe(true);
    expect(result.metrics.integrity.ok).toBe(true);
    console.log(
      `backup under memory pressure: squeezed ${squeezed.status}${squeezed.error ? ` (${squeezed.error})` : ''}, ` +
        `OOM kills ${String(fault.detail?.['oom_kills'])}`,
    );
  });
});
