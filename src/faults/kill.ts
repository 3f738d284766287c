// kill: send a signal to each node's main process (docker kill) and confirm the container
// is observed exited. Heal: start the node again (it recovers from its own data).

import { z } from 'zod';
import { confirmWithin, defineFault, faultParams } from './fault.js';

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
  mechanism: () => ({ mechanism: 'Docker API (kill with the signal); container observed exited', available: true }),
  async apply(spec, nodes, ctx) {
    const signal = spec.signal ?? 'SIGKILL';
    await Promise.all(nodes.map((n) => ctx.lifecycle.kill(n, signal)));
    const confirmedT = await confirmWithin(ctx, `${nodes.join(', ')} exited after ${signal}`, async () => {
      const states = await Promise.all(nodes.map((n) => ctx.lifecycle.inspect(n)));
      return states.every((s) => !s.running);
    });
    return {
      confirmedT,
      mechanism: `docker kill --signal ${signal}; container observed exited`,
      detail: { signal },
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
