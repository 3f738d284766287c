// clock skew against the real engine: the node's own clock (/status clock_ms) is off by
// +120 s +- 1 s while skewed, back within 1 s after heal; the host clock never moves and
// the other nodes are not skewed. Nothing is left afterwards (offset files back to +0, gone).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockError } from '../../src/faults/clock-skew.js';
import { audit, auditContainers } from '../support/audit.js';
import { until } from '../targets/graph-agent/support.js';
import { bootHarness, type Harness } from './net-probes.js';

describe('clock-skew (docker)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await bootHarness('skew');
  });
  afterAll(async () => {
    const id = h?.runId;
    await h?.close();
    if (id) expect(await audit([id])).toEqual([]);
  });

  it('+120 s on n2: its clock is off by 120 s +- 1 s, back within 1 s after heal', async () => {
    const clocks = h.target.clocks;
    const before = (await clockError(clocks, 'n2'))!;
    expect(Math.abs(before)).toBeLessThan(1000);
    const rec = await h.faults.apply({ kind: 'clock-skew', name: 'c1', node: 'n2', offsetS: 120 });
    expect(rec.mechanism).toMatch(/libfaketime.*read back/);
    const during = (await clockError(clocks, 'n2'))!;
    expect(Math.abs(during - 120_000)).toBeLessThanOrEqual(1000);
    expect(Math.abs((await clockError(clocks, 'n1'))!)).toBeLessThan(1000);
    await h.faults.heal('c1');
    const after = (await clockError(clocks, 'n2'))!;
    expect(Math.abs(after)).toBeLessThanOrEqual(1000);
    console.log(
      `n2 clock error: before ${before.toFixed(0)} ms, +120 s: ${(during - 120_000).toFixed(0)} ms off target, ` +
        `after heal ${after.toFixed(0)} ms`,
    );
    expect(await auditContainers([h.runId])).toEqual([]);
  });

  it('-300 s on the leader keeps the cluster serving (monotonic clock untouched)', async () => {
    const leader = await until('a leader', 15_000, () => h.target.leader());
    await h.faults.apply({ kind: 'clock-skew', name: 'c2', node: leader, offsetS: -300 });
    expect(Math.abs((await clockError(h.target.clocks, leader))! + 300_000)).toBeLessThanOrEqual(1000);
    expect((await h.target.inspect(leader)).running).toBe(true);
    await h.faults.heal('c2');
  });
});
