// pause: freeze every process of the node (cgroup freezer via docker pause), confirmed
// when Docker reports the container paused. Heal: unpause.

import { confirmWithin, defineFault, noParams } from './fault.js';

export const pause = defineFault({
  name: 'pause',
  summary: 'freeze the process',
  disruptive: true,
  lasting: true,
  selects: 'nodes',
  needs: [],
  params: noParams,
  mechanism: () => ({ mechanism: 'Docker API (pause: cgroup freezer)', available: true }),
  async apply(_spec, nodes, ctx) {
    await Promise.all(nodes.map((n) => ctx.lifecycle.pause(n)));
    const confirmedT = await confirmWithin(ctx, `${nodes.join(', ')} paused`, async () => {
      const states = await Promise.all(nodes.map((n) => ctx.lifecycle.inspect(n)));
      return states.every((s) => s.paused);
    });
    return {
      confirmedT,
      mechanism: 'docker pause (cgroup freezer); container observed paused',
      heal: async () => {
        await Promise.all(
          nodes.map(async (n) => {
            const s = await ctx.lifecycle.inspect(n);
            if (s.paused) await ctx.lifecycle.unpause(n);
          }),
        );
      },
    };
  },
});
