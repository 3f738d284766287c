// partition: cut the network between groups of nodes. `target`/`node` isolates the chosen
// node(s) from the rest; `groups` splits the cluster into named groups; `one_way` cuts only
// the first group's (or the target's) way to the others. iptables DROP rules inside the
// node namespaces, tagged drill:<run>:<fault>, one iptables-restore per namespace, every
// namespace at once; in effect when one listing per namespace shows every rule.
// Heal: delete exactly the rules with this fault's tag.
import { z } from 'zod';
import { defineFault, FaultNotInEffectError, faultParams, mechanismOrThrow } from './fault.js';
import { missingTool, type HostCaps } from './host-caps.js';
import { applyTaggedRules, nodePids, peerPath } from './net-common.js';
import { faultTag, partitionRules } from './netfilter.js';

export interface PartitionParams {
  /** Only the target / first group is cut off from the others. Default false. */
  oneWay?: boolean | undefined;
}

function mechanism(caps: HostCaps) {
  const missing = missingTool(caps, ['nsenter', 'iptables']);
  return missing !== null
    ? { mechanism: 'none', available: false, why: `partition: ${missing}` }
    : {
        mechanism:
          'iptables DROP rules in the node network namespaces (nsenter, iptables-restore), tagged drill:<run>:<fault>',
        available: true,
      };
}

export const partition = defineFault({
  name: 'partition',
  summary: 'cut the network (target/node vs the rest, or groups)',
  disruptive: true,
  lasting: true,
  selects: 'nodes-or-groups',
  needs: ['network'],
  params: faultParams(
    {
      one_way: z
        .boolean()
        .describe(
          'true: only the target (or the first group) cannot reach the others; they still reach it. Default false.',
        ),
    },
    { toSpec: ({ one_way }): PartitionParams => ({ oneWay: one_way ?? false }) },
  ),
  mechanism,
  async apply(spec, nodes, ctx) {
    const net = ctx.network;
    mechanismOrThrow(mechanism(await ctx.caps()), 'partition');
    const groups = spec.groups ?? [nodes, ctx.nodeNames.filter((n) => !nodes.includes(n))];
    const unknown = groups.flat().filter((n) => !ctx.nodeNames.includes(n));
    if (unknown.length > 0)
      throw new FaultNotInEffectError(
        `partition: ${unknown.join(', ')} not in the cluster (${ctx.nodeNames.join(', ')})`,
      );
    if (groups.filter((g) => g.length > 0).length < 2)
      throw new FaultNotInEffectError('partition: nothing to cut off (needs two non-empty sides)');
    const oneWay = spec.oneWay ?? false;
    const tag = faultTag(ctx.runId, ctx.faultId);
    const involved = groups.flat();
    const [path, pids] = await Promise.all([peerPath(net, involved), nodePids(net, involved)]);
    const perNode = partitionRules(groups, oneWay, path);
    const { rules, heal } = await applyTaggedRules(net, perNode, involved, tag, pids);
    const shown = groups.map((g) => `[${g.join(',')}]`).join(oneWay ? ' -/-> ' : ' | ');
    return {
      confirmedT: ctx.clock.now(),
      mechanism:
        `iptables DROP in node namespaces (nsenter, one iptables-restore each), ${rules} rule(s) tagged ${tag} ` +
        `listed back; ${shown}` +
        (net.links ? ' (incl. link-proxy legs)' : ''),
      detail: { groups, one_way: oneWay, rules, tag, via: 'iptables' },
      heal,
    };
  },
});
