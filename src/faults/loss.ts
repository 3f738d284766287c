// loss: drop a share of what the node sends to its peers. tc netem loss where the kernel
// has netem; otherwise iptables' statistic match (random DROP, tagged drill:<run>:<fault>)
// on the node's traffic to each peer (and its legs of the link proxy, when there is one).
// In effect when the qdisc / every rule is listed back. Heal: remove exactly those.
import { FaultNotInEffectError, need, type FaultKind } from './fault.js';
import { mechanismFor } from './host-caps.js';
import { applyTaggedRules, peerPath } from './net-common.js';
import { faultTag, lossRules, type Rule } from './netfilter.js';
import { installQdisc } from './qdisc.js';

export const loss: FaultKind = {
  name: 'loss',
  // Enough loss breaks heartbeats and forces a failover, so recovery from it is measured (RTO).
  disruptive: true,
  lasting: true,
  async apply(spec, nodes, ctx) {
    const net = need(ctx.net, 'loss', 'network access to the nodes');
    const pct = spec.percent ?? 0;
    const m = mechanismFor('loss', await ctx.caps());
    if (!m.available) throw new FaultNotInEffectError(m.why ?? 'loss is not available on this host');
    if (m.mechanism.startsWith('tc netem')) {
      return installQdisc(net, nodes, ['netem', 'loss', `${pct}%`], 'netem', ctx, `tc netem loss ${pct}% on eth0`, {
        percent: pct,
      });
    }
    const tag = faultTag(ctx.runId, ctx.faultId);
    const path = await peerPath(net, ctx.nodeNames);
    const perNode = new Map<string, Rule[]>();
    for (const n of nodes)
      perNode.set(
        n,
        lossRules(
          n,
          ctx.nodeNames.filter((p) => p !== n),
          pct / 100,
          path,
        ),
      );
    const { rules, heal } = await applyTaggedRules(net, perNode, nodes, tag);
    return {
      confirmedT: ctx.clock.now(),
      mechanism: `iptables statistic match (random DROP p=${pct / 100}) towards peers (no netem on this kernel), ${rules} rule(s) tagged ${tag} listed back`,
      detail: { percent: pct, rules, tag, via: 'iptables-statistic' },
      heal,
    };
  },
};
