// loss: drop a share of what the node sends to its peers. tc netem loss where the kernel
// has netem; otherwise iptables' statistic match (random DROP, tagged drill:<run>:<fault>)
// on the node's traffic to each peer (and its legs of the link proxy, when there is one).
// In effect when the qdisc / every rule is listed back. Heal: remove exactly those.
import { defineFault, faultParams, mechanismOrThrow } from './fault.js';
import { missingTool, type HostCaps } from './host-caps.js';
import { applyTaggedRules, peerPath, percentField } from './net-common.js';
import { faultTag, lossRules, type Rule } from './netfilter.js';
import { installQdisc } from './qdisc.js';

export interface LossParams {
  /** Percent of packets, (0, 100]. */
  percent?: number | undefined;
}

function mechanism(caps: HostCaps) {
  const missing = missingTool(caps, ['nsenter']);
  if (missing !== null) return { mechanism: 'none', available: false, why: `loss: ${missing}` };
  if (caps.netem.ok && caps.tools.tc) return { mechanism: 'tc netem loss on the node interface', available: true };
  return caps.statistic.ok && caps.tools.iptables
    ? { mechanism: 'iptables statistic match (random DROP) towards peers', available: true }
    : {
        mechanism: 'none',
        available: false,
        why: `loss needs tc netem or the iptables statistic match: ${caps.statistic.err}`,
      };
}

export const loss = defineFault({
  name: 'loss',
  summary: 'drop a percent of its packets',
  // Enough loss breaks heartbeats and forces a failover, so recovery from it is measured (RTO).
  disruptive: true,
  lasting: true,
  selects: 'nodes',
  needs: ['network'],
  params: faultParams({ percent: percentField }, { required: 'percent', toSpec: (p): LossParams => p }),
  mechanism,
  async apply(spec, nodes, ctx) {
    const net = ctx.network;
    const pct = spec.percent ?? 0;
    const m = mechanismOrThrow(mechanism(await ctx.caps()), 'loss');
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
      mechanism:
        `iptables statistic match (random DROP p=${pct / 100}) towards peers (no netem on this kernel), ` +
        `${rules} rule(s) tagged ${tag} listed back`,
      detail: { percent: pct, rules, tag, via: 'iptables-statistic' },
      heal,
    };
  },
});
