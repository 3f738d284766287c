// duplicate: send a share of the node's packets twice. tc netem only: there is no sound
// fallback, so without netem the step fails with the reason instead of passing silently.
import { FaultNotInEffectError, need, type FaultKind } from './fault.js';
import { mechanismFor } from './host-caps.js';
import { installQdisc } from './qdisc.js';

export const duplicate: FaultKind = {
  name: 'duplicate',
  disruptive: false,
  lasting: true,
  async apply(spec, nodes, ctx) {
    const net = need(ctx.net, 'duplicate', 'network access to the nodes');
    const m = mechanismFor('duplicate', await ctx.caps());
    if (!m.available) throw new FaultNotInEffectError(m.why ?? 'duplicate needs tc netem');
    const pct = spec.percent ?? 0;
    return installQdisc(
      net,
      nodes,
      ['netem', 'duplicate', `${pct}%`],
      'netem',
      ctx,
      `tc netem duplicate ${pct}% on eth0`,
      { percent: pct },
    );
  },
};
