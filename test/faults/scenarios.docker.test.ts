// The four fault scenarios end to end (`drill run`, real engine): exit 0 and the figures
// each one is about; afterwards the audit finds nothing. Then a harness killed with
// SIGKILL while a clock skew is in effect: `drill cleanup` leaves nothing behind either.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { DrillResult } from '../../src/core/result.js';
import { audit } from '../support/audit.js';
import { until } from '../targets/graph-agent/support.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/drill.js');
const out = mkdtempSync(join(tmpdir(), 'drill-faults-e2e-'));

function drill(args: string[]) {
  return execa('node', [bin, ...args], { cwd: root, reject: false, timeout: 170_000, env: { FORCE_COLOR: '0' } });
}

async function run(name: string): Promise<DrillResult> {
  const r = await drill(['run', `scenarios/${name}.yaml`, '--out', out]);
  const dir = join(out, name);
  const last = readdirSync(dir).sort().at(-1)!;
  const result = JSON.parse(readFileSync(join(dir, last, 'result.json'), 'utf8')) as DrillResult;
  expect(await audit([result.run_id])).toEqual([]);
  expect({ exit: r.exitCode, verdict: result.verdict, error: result.error }).toEqual({
    exit: 0,
    verdict: 'pass',
    error: undefined,
  });
  return result;
}

describe('fault scenarios (docker)', () => {
  it('partition-primary: a new leader in the majority, nothing lost', async () => {
    const r = await run('partition-primary');
    expect(r.faults[0]!.mechanism).toMatch(/iptables DROP/);
    expect(r.metrics.leader_changes).toBeGreaterThanOrEqual(1);
    expect(r.metrics.rpo.lost).toBe(0);
    expect(r.metrics.rto_s).not.toBeNull();
  });

  it('heartbeat-delay: the report counts leader changes and says whether they flap', async () => {
    const r = await run('heartbeat-delay');
    expect(r.faults[0]!.mechanism).toMatch(/link proxy|netem/);
    expect(r.metrics.leader_changes).toBeGreaterThanOrEqual(1);
    expect(typeof r.metrics.leader_flapping).toBe('boolean');
    expect(r.metrics.rpo.lost).toBe(0);
  });

  it('clock-skew: +300 s on a follower, -300 s on the leader, verified, nothing lost', async () => {
    const r = await run('clock-skew');
    const measured = r.faults.map(
      (f) => Object.values((f.detail?.['measured_offset_ms'] ?? {}) as Record<string, number>)[0]!,
    );
    expect(Math.abs(measured[0]! - 300_000)).toBeLessThanOrEqual(1000);
    expect(Math.abs(measured[1]! + 300_000)).toBeLessThanOrEqual(1000);
    expect(r.metrics.rpo.lost).toBe(0);
  });

  it('disk-full: the primary volume fills (statfs ~0), writes fail over, nothing lost', async () => {
    const r = await run('disk-full');
    expect(r.faults[0]!.mechanism).toMatch(/balloon/);
    const filled = Object.values(r.faults[0]!.detail?.['filled'] as Record<string, { free_bytes: number }>)[0]!;
    expect(filled.free_bytes).toBeLessThan(64 * 1024);
    expect(r.metrics.rpo.lost).toBe(0);
  });

  it('SIGKILL of the harness during a skew: drill cleanup undoes everything', async () => {
    const child = execa('node', [bin, 'run', 'scenarios/clock-skew.yaml', '--out', join(out, 'killed')], {
      cwd: root,
      reject: false,
    });
    const journal = await until(
      'the skew journaled as confirmed',
      90_000,
      async () => {
        const base = join(out, 'killed', 'clock-skew');
        if (!existsSync(base)) return false;
        const d = readdirSync(base).sort().at(-1);
        const f = d && join(base, d, 'faults.jsonl');
        return f && existsSync(f) && readFileSync(f, 'utf8').includes('"confirmed"') ? f : false;
      },
      200,
    );
    child.kill('SIGKILL');
    await child;
    const runId = (JSON.parse(readFileSync(journal, 'utf8').split('\n')[0]!) as { run_id: string }).run_id;
    expect((await audit([runId])).length).toBeGreaterThan(0); // the skew and the cluster are still there
    const c = await drill(['cleanup', '--run', runId]);
    expect(c.exitCode).toBe(0);
    expect(await audit([runId])).toEqual([]);
  });
});
