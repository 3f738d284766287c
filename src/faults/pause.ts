// pause: freeze every process of the node (cgroup freezer via docker pause), confirmed
// when Docker reports the container paused. Heal: unpause.

import { confirmWithin, defineFault, noParams, seenAt, type FaultContext } from './fault.js';

/**
 * runc gives up freezing a cgroup v1 whose tasks keep forking or sit in the kernel on a loaded host ("unable to
 * freeze") and thaws it again; the container is then unchanged, so asking again is safe. Other errors stand.
 */
async function pauseNode(ctx: FaultContext, node: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.lifecycle.pause(node);
    } catch (e) {
      if (attempt >= 4 || !/unable to freeze/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

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
    await Promise.all(nodes.map((n) => pauseNode(ctx, n)));
    const confirmedT = await confirmWithin(ctx, `${nodes.join(', ')} paused`, async () => {
      const states = await Promise.all(nodes.map((n) => ctx.lifecycle.inspect(n)));
      return states.every((s) => s.paused) && seenAt(states, ctx.clock.now());
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
