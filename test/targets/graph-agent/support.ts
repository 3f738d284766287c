// Shared helpers for the graph-agent Docker tests.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { listDrillResources } from '../../../src/docker/cleanup.js';
import { inNetns, splitRule } from '../../../src/docker/netns.js';
import type { Cluster } from '../../../src/targets/graph-agent/cluster.js';

export function testRunId(label: string): string {
  return `t-${label}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
}

/** Nothing labelled with these run ids remains (containers, networks, volumes). */
export async function expectNoLeftovers(runIds: string[]): Promise<void> {
  for (const id of runIds) {
    const r = await listDrillResources(id);
    expect({
      run: id,
      containers: r.containers.map((c) => c.name),
      networks: r.networks.map((n) => n.name),
      volumes: r.volumes.map((v) => v.name),
    }).toEqual({
      run: id,
      containers: [],
      networks: [],
      volumes: [],
    });
  }
}

export async function until<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T | undefined | null | false>,
  pollMs = 50,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (e) {
      lastErr = e;
    }
    if (performance.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${String(lastErr)})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

// -- a partition by hand, for tests that drive a Cluster without the fault manager ----------
// (The drill's partition fault is src/faults/partition.ts; these stay out of the production
// Cluster class.)

const testTag = (runId: string) => `drill:${runId}`;

/** Our tagged rules in the namespace of `pid`, as `iptables -S` argument lists (table filter). */
export async function listTaggedRules(pid: number, runId: string): Promise<string[][]> {
  const { stdout } = await inNetns(pid, 'iptables', ['-w', '-S']);
  return stdout
    .split('\n')
    .map(splitRule)
    .filter((a) => a[0] === '-A' && a.some((t, i) => t === testTag(runId) && a[i - 1] === '--comment'));
}

async function blockPeers(pid: number, peerIps: string[], runId: string): Promise<void> {
  const c = ['-m', 'comment', '--comment', testTag(runId), '-j', 'DROP'];
  for (const ip of peerIps) {
    await inNetns(pid, 'iptables', ['-w', '-I', 'INPUT', '-s', ip, ...c]);
    await inNetns(pid, 'iptables', ['-w', '-I', 'OUTPUT', '-d', ip, ...c]);
  }
}

/** Drop traffic between `node` and every other node (both sides), tagged drill:<runId>. */
export async function isolate(c: Cluster, node: string): Promise<void> {
  const target = await c.refresh(node);
  const others = c.nodes.filter((n) => n.name !== target.name);
  await Promise.all(others.map((o) => c.refresh(o)));
  await blockPeers(
    await c.pid(target),
    others.map((o) => o.ip).filter((ip) => ip !== ''),
    c.runId,
  );
  for (const o of others) {
    const st = await c.inspect(o);
    if (st.pid !== null && target.ip !== '') await blockPeers(st.pid, [target.ip], c.runId);
  }
}

/** Remove every drill:<runId> rule in every running node. Returns rules removed. */
export async function healIsolation(c: Cluster): Promise<number> {
  let removed = 0;
  for (const n of c.nodes) {
    const st = await c.inspect(n).catch(() => null);
    if (st?.pid == null) continue;
    const rules = await listTaggedRules(st.pid, c.runId);
    for (const r of rules) await inNetns(st.pid, 'iptables', ['-w', '-D', ...r.slice(1)]);
    removed += rules.length;
  }
  return removed;
}
