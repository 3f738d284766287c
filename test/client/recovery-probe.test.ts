import { describe, expect, it } from 'vitest';
import { pairHistory } from '../../src/client/history.js';
import { HistoryWriter } from '../../src/client/history-writer.js';
import { RecoveryProbe } from '../../src/client/recovery-probe.js';
import type { OpRequest, OpResult, WriteClient } from '../../src/client/write-client.js';
import { checkRto } from '../../src/checkers/rto.js';
import { monotonicClock, sleep } from '../../src/core/clock.js';

/** A store that is down (requests hang until the client's timeout) until `upAt`, then answers in 2 ms. */
function outage(clock: { now(): number }, upAt: number, deadNode?: string): WriteClient & { sentTo: string[] } {
  const sentTo: string[] = [];
  return {
    sentTo,
    nodes: () => ['n1', 'n2', 'n3'],
    async perform(node: string, _op: OpRequest, timeoutMs: number): Promise<OpResult> {
      sentTo.push(node);
      if (node === deadNode) return { outcome: 'fail', error: 'ECONNREFUSED' };
      const wait = clock.now() < upAt ? timeoutMs : 2;
      await sleep(wait);
      return wait === timeoutMs ? { outcome: 'info', error: 'timeout' } : { outcome: 'ok' };
    },
    async close() {},
  };
}

describe('RecoveryProbe', () => {
  it('probes at its own cadence during an outage, whatever the timeouts, and stops after a streak', async () => {
    const clock = monotonicClock();
    const writer = HistoryWriter.inMemory();
    const client = outage(clock, 1000, 'n1');
    const probe = new RecoveryProbe({
      client,
      clock,
      writer,
      kind: 'kv',
      processBase: 10_000,
      intervalMs: 20,
      timeoutMs: 250,
    });
    probe.start();
    await sleep(2500);
    expect(probe.active).toBe(false); // 25 acknowledged in a row ended the session
    await probe.stop();
    const ops = pairHistory(writer.events);
    expect(ops.length).toBe(probe.sent);
    expect(ops.every((o) => o.probe === true && o.f === 'put' && o.process >= 10_000 && o.process < 10_032)).toBe(true);
    expect(new Set(ops.map((o) => o.id)).size).toBe(ops.length);
    // invoked every ~20 ms while every earlier probe was still waiting on its 250 ms timeout
    // (bounds are loose: a loaded machine delays timers, but never to the 250 ms timeout's pace)
    const during = ops.filter((o) => o.invokeT < 1000).map((o) => o.invokeT);
    expect(during.length).toBeGreaterThanOrEqual(10);
    const gaps = during.slice(1).map((t, i) => t - during[i]!);
    expect(Math.max(...gaps)).toBeLessThan(200);
    // the dead node is left after its first refusal
    expect(client.sentTo.filter((n) => n === 'n1').length).toBeLessThanOrEqual(2);
    // RTO from the probe alone: recovery at 1 s, resolved far finer than the 250 ms timeout
    const m = checkRto(ops, { id: 'f', confirmedT: 0 });
    expect(m.rto_s).not.toBeNull();
    expect(m.rto_s!).toBeGreaterThanOrEqual(1);
    expect(m.rto_s!).toBeLessThan(1.2);
    expect(m.error_bar_s!).toBeLessThan(0.2);
  });

  it('closes writes still in flight at stop as info, and never starts after stop', async () => {
    const clock = monotonicClock();
    const writer = HistoryWriter.inMemory();
    // a client that ignores its timeout and never answers
    const hung: WriteClient = { nodes: () => ['n1'], perform: () => new Promise(() => {}), close: async () => {} };
    const probe = new RecoveryProbe({
      client: hung,
      clock,
      writer,
      kind: 'graph',
      processBase: 500,
      intervalMs: 10,
      timeoutMs: 100,
    });
    probe.start();
    await sleep(50);
    await probe.stop();
    probe.start();
    expect(probe.active).toBe(false);
    const ops = pairHistory(writer.events);
    expect(ops.length).toBeGreaterThan(0);
    expect(ops.every((o) => o.f === 'add-vertex' && o.outcome === 'info' && o.error === 'abandoned at stop')).toBe(
      true,
    );
  });
});
