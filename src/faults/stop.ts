// stop: a graceful stop (SIGTERM, then SIGKILL after Docker's grace period), confirmed
// when the container is observed exited. Heal: start it again.

import { confirmWithin, defineFault, noParams } from './fault.js';
import { startAll } from './kill.js';

export const stop = defineFault({
  name: 'stop',
  summary: 'graceful stop',
  disruptive: true,
  lasting: true,
  selects: 'nodes',
  needs: [],
  params: noParams,
  mechanism: () => ({ mechanism: 'Docker API (stop: SIGTERM, grace period, SIGKILL)', available: true }),
  async apply(_spec, nodes, ctx) {
    await Promise.all(nodes.map((n) => ctx.lifecycle.stop(n)));
    const confirmedT = await confirmWithin(ctx, `${nodes.join(', ')} stopped`, async () => {
      const states = await Promise.all(nodes.map((n) => ctx.lifecycle.inspect(n)));
      return states.every((s) => !s.running);
    });
    return {
      confirmedT,
      mechanism: 'docker stop (SIGTERM, grace period, SIGKILL); container observed exited',
      heal: () => startAll(ctx.lifecycle, nodes),
    };
  },
});
