// Shared helpers for the graph-agent Docker tests.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { listDrillResources } from '../../../src/docker/cleanup.js';

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
