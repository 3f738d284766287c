// kill: send a signal to each node's main process (docker kill) and confirm the container
// is observed exited: its process seen gone from the host, or the engine's die event,
// whichever comes first (exit-confirm.ts; no polling of the engine). Heal: start the node
// again (it recovers from its own data).

import { z } from 'zod';
import { confirmExited, seenBy } from './exit-confirm.js';
import { defineFault, faultParams } from './fault.js';

export const SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const;
export type Signal = (typeof SIGNALS)[number];

export interface KillParams {
  /** Default SIGKILL. */
  signal?: Signal | undefined;
}

export const kill = defineFault({
  name: 'kill',
  summary: 'the process dies (signal)',
  disruptive: true,
  lasting: true,
  selects: 'nodes',
  needs: [],
  params: faultParams(
    { signal: z.enum(SIGNALS).describe('Default SIGKILL.') },
    { toSpec: ({ signal }): KillParams => ({ signal: signal ?? 'SIGKILL' }) },
  ),
  mechanism: () => ({
    mechanism: 'Docker API (kill with the signal); container observed exited (process gone or die event)',
    available: true,
  }),
  async apply(spec, nodes, ctx) {
    const signal = spec.signal ?? 'SIGKILL';
    const { confirmedT, by } = await confirmExited(
      ctx,
      nodes,
      (n) => ctx.lifecycle.kill(n, signal),
      `${nodes.join(', ')} exited after ${signal}`,
    );
    return {
      confirmedT,
      mechanism: `docker kill --signal ${signal}; container observed exited (${seenBy(by)})`,
      detail: { signal, seen_by: by },
      heal: () => startAll(ctx.lifecycle, nodes),
    };
  },
});

export async function startAll(
  lifecycle: { inspect(n: string): Promise<{ running: boolean }>; start(n: string): Promise<void> },
  nodes: string[],
): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      const s = await lifecycle.inspect(n);
      if (!s.running) await lifecycle.start(n);
    }),
  );
}
