// duplicate: send a share of the node's packets twice. tc netem only: there is no sound
// fallback, so without netem the step fails with the reason instead of passing silently.
import { defineFault, faultParams, mechanismOrThrow } from './fault.js';
import { missingTool, type HostCaps } from './host-caps.js';
import { percentField } from './net-common.js';
import { installQdisc } from './qdisc.js';

export interface DuplicateParams {
  /** Percent of packets, (0, 100]. */
  percent?: number | undefined;
}

function mechanism(caps: HostCaps) {
  const missing = missingTool(caps, ['nsenter', 'tc']);
  if (missing !== null) return { mechanism: 'none', available: false, why: `duplicate: ${missing}` };
  return caps.netem.ok
    ? { mechanism: 'tc netem duplicate on the node interface', available: true }
    : { mechanism: 'none', available: false, why: 'duplicate needs tc netem, which this kernel lacks' };
}

export const duplicate = defineFault({
  name: 'duplicate',
  summary: 'send a percent of its packets twice',
  disruptive: false,
  lasting: true,
  selects: 'nodes',
  needs: ['network'],
  params: faultParams({ percent: percentField }, { required: 'percent', toSpec: (p): DuplicateParams => p }),
  mechanism,
  async apply(spec, nodes, ctx) {
    mechanismOrThrow(mechanism(await ctx.caps()), 'duplicate');
    const pct = spec.percent ?? 0;
    return installQdisc(
      ctx.network,
      nodes,
      ['netem', 'duplicate', `${pct}%`],
      'netem',
      ctx,
      `tc netem duplicate ${pct}% on eth0`,
      { percent: pct },
    );
  },
});
