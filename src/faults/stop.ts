// stop: a graceful stop (SIGTERM, then SIGKILL after Docker's grace period), confirmed
// when the container is observed exited (its process gone, or the engine's die event:
// exit-confirm.ts). Heal: start it again.

import { confirmExited, seenBy } from './exit-confirm.js';
import { defineFault, noParams } from './fault.js';
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
    const { confirmedT, by } = await confirmExited(
      ctx,
      nodes,
      (n) => ctx.lifecycle.stop(n),
      `${nodes.join(', ')} stopped`,
    );
    return {
      confirmedT,
      mechanism: `docker stop (SIGTERM, grace period, SIGKILL); container observed exited (${seenBy(by)})`,
      detail: { seen_by: by },
      heal: () => startAll(ctx.lifecycle, nodes),
    };
  },
});
