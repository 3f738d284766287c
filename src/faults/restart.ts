// restart: stop then start at once. The fault instant is when the node was observed down;
// it heals itself, so `heal` only makes sure the node is running again.

import { confirmWithin, defineFault, noParams } from './fault.js';
import { startAll } from './kill.js';

export const restart = defineFault({
  name: 'restart',
  summary: 'stop then start',
  disruptive: true,
  lasting: false,
  selects: 'nodes',
  needs: [],
  params: noParams,
  mechanism: () => ({ mechanism: 'Docker API (stop, then start)', available: true }),
  async apply(_spec, nodes, ctx) {
    await Promise.all(nodes.map((n) => ctx.lifecycle.stop(n)));
    const confirmedT = await confirmWithin(ctx, `${nodes.join(', ')} stopped for restart`, async () => {
      const states = await Promise.all(nodes.map((n) => ctx.lifecycle.inspect(n)));
      return states.every((s) => !s.running);
    });
    await startAll(ctx.lifecycle, nodes);
    return {
      confirmedT,
      mechanism: 'docker stop then start; down instant observed, node started again',
      heal: () => startAll(ctx.lifecycle, nodes),
    };
  },
});
