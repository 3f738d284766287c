// kill, stop and restart against the real engine: each is confirmed from the node's own
// process (seen exited from the host) or the engine's die event, never by polling inspect
// where either is available, and the container really is down at the confirmed instant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monotonicClock } from '../../src/core/clock.js';
import { confirmExited } from '../../src/faults/exit-confirm.js';
import { audit } from '../support/audit.js';
import { bootHarness, type Harness } from './net-probes.js';

describe('process faults (docker)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await bootHarness('kill');
  });
  afterAll(async () => {
    const id = h?.runId;
    await h?.close();
    if (id) expect(await audit([id])).toEqual([]);
  });

  it('kill is confirmed from the process or the die event, and the node is down then', async () => {
    const rec = await h.faults.apply({ kind: 'kill', name: 'k1', node: 'n1', signal: 'SIGKILL' });
    expect(rec.mechanism).toMatch(
      /docker kill --signal SIGKILL; container observed exited \((process exit|die event)\)/,
    );
    expect(rec.detail?.['seen_by']).toEqual({ n1: expect.stringMatching(/^(process exit|die event)$/) });
    expect((await h.target.inspect('n1')).running).toBe(false);
    await h.faults.heal('k1');
    expect((await h.target.inspect('n1')).running).toBe(true);
  });

  it('without a visible process, the die event confirms (no inspect polling)', async () => {
    const t = h.target;
    // A harness in another pid namespace sees no pid of the node: only the engine's events remain.
    const ctx = {
      lifecycle: { ...t, inspect: async (n: string) => ({ ...(await t.inspect(n)), pid: null }) },
      resources: t.resources,
      clock: monotonicClock(),
      confirmTimeoutMs: 15_000,
      runId: h.runId,
      faultId: 'k2',
      nodeNames: t.nodeNames,
      caps: () => Promise.reject(new Error('not needed')),
    };
    const c = await confirmExited(ctx, ['n2'], (n) => t.kill(n, 'SIGKILL'), 'n2 killed');
    expect(c.by).toEqual({ n2: 'die event' });
    expect((await t.inspect('n2')).running).toBe(false);
    await t.start('n2');
  });

  it('stop and restart are confirmed the same way; restart leaves the node running', async () => {
    const stop = await h.faults.apply({ kind: 'stop', name: 's1', node: 'n3' });
    expect(stop.mechanism).toMatch(/container observed exited \((process exit|die event)\)/);
    expect((await h.target.inspect('n3')).running).toBe(false);
    await h.faults.heal('s1');
    const r = await h.faults.apply({ kind: 'restart', name: 'r1', node: 'n3' });
    expect(r.mechanism).toMatch(/down instant observed \((process exit|die event)\)/);
    expect((await h.target.inspect('n3')).running).toBe(true);
  });
});
