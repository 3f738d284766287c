// kill: send a signal to each node's main process (docker kill) and confirm the container
// is observed exited. Heal: start the node again (it recovers from its own data).

import { confirmWithin, type FaultKind } from './fault.js';

export const kill: FaultKind = {
  name: 'kill',
  disruptive: true,
  lasting: true,
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
};

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
