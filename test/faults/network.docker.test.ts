// delay (link proxy: this kernel has no netem), loss (iptables statistic) and bandwidth
// (tc tbf), measured between real nodes; after each heal the effect is gone and nothing
// of ours is left in the namespaces; after teardown nothing at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostCaps } from '../../src/faults/host-caps.js';
import { audit, auditContainers } from '../support/audit.js';
import { bootHarness, peerRtt, udpLoss, type Harness } from './net-probes.js';

describe('delay, loss, bandwidth (docker)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await bootHarness('net', { linkProxy: !(await hostCaps()).netem.ok });
  });
  afterAll(async () => {
    const id = h?.runId;
    await h?.close();
    if (id) expect(await audit([id])).toEqual([]);
  });

  it('delay 200 ms: the round trip n1 -> n2 rises into 200-260 ms, and falls back after heal', async () => {
    const before = await peerRtt(h, 'n1', 'n2');
    expect(before.median).toBeLessThan(50);
    const rec = await h.faults.apply({ kind: 'delay', name: 'd1', node: 'n1', delayMs: 200 });
    expect(rec.mechanism).toMatch(/link proxy|netem/);
    const during = await peerRtt(h, 'n1', 'n2');
    expect(during.median).toBeGreaterThanOrEqual(200);
    expect(during.median).toBeLessThanOrEqual(260);
    // the other nodes' links are not slowed
    expect((await peerRtt(h, 'n2', 'n3')).median).toBeLessThan(50);
    await h.faults.heal('d1');
    const after = await peerRtt(h, 'n1', 'n2');
    expect(after.median).toBeLessThan(50);
    console.log(
      `rtt n1->n2 median: before ${before.median.toFixed(1)} ms, delay 200 ms ${during.median.toFixed(1)} ms, ` +
        `after heal ${after.median.toFixed(1)} ms`,
    );
    expect(await auditContainers([h.runId])).toEqual([]);
  });

  it('loss 30%: the observed loss lies within 20-40%, and is gone after heal', async () => {
    const base = await udpLoss(h, 'n1', 'n2');
    expect(base).toBeLessThan(0.02);
    const rec = await h.faults.apply({ kind: 'loss', name: 'l1', node: 'n1', percent: 30 });
    expect(rec.mechanism).toMatch(/statistic|netem/);
    const during = await udpLoss(h, 'n1', 'n2');
    expect(during).toBeGreaterThanOrEqual(0.2);
    expect(during).toBeLessThanOrEqual(0.4);
    await h.faults.heal('l1');
    const after = await udpLoss(h, 'n1', 'n2');
    expect(after).toBeLessThan(0.02);
    console.log(
      `udp loss n1->n2 (3000 datagrams): before ${(base * 100).toFixed(1)}%, loss 30% ` +
        `${(during * 100).toFixed(1)}%, after heal ${(after * 100).toFixed(1)}%`,
    );
    expect(await auditContainers([h.runId])).toEqual([]);
  });

  it('bandwidth: tbf is installed on the node and removed on heal', async () => {
    const rec = await h.faults.apply({ kind: 'bandwidth', name: 'b1', node: 'n2', rate: '1mbit' });
    expect(rec.mechanism).toMatch(/tbf rate 1mbit/);
    await h.faults.heal('b1');
    expect(await auditContainers([h.runId])).toEqual([]);
  });

  it('duplicate fails with the reason where netem is missing', async () => {
    if ((await hostCaps()).netem.ok) return; // netem hosts apply it (covered by the qdisc path)
    await expect(h.faults.apply({ kind: 'duplicate', name: 'x1', node: 'n1', percent: 5 })).rejects.toThrow(
      'duplicate needs tc netem, which this kernel lacks',
    );
  });
});
