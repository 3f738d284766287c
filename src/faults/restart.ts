// restart: stop then start at once. The fault instant is when the node was observed down
// (its process gone, or the engine's die event: exit-confirm.ts); it heals itself, so
// `heal` only makes sure the node is running again.

import { confirmExited, seenBy } from './exit-confirm.js';
import { defineFault, noParams } from './fault.js';
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
    const { confirmedT, by } = await confirmExited(
      ctx,
      nodes,
      (n) => ctx.lifecycle.stop(n),
      `${nodes.join(', ')} stopped for restart`,
    );
    await startAll(ctx.lifecycle, nodes);
    return {
      confirmedT,
      mechanism: `docker stop then start; down instant observed (${seenBy(by)}), node started again`,
      detail: { seen_by: by },
      heal: () => startAll(ctx.lifecycle, nodes),
    };
  },
});
