// delay: slow everything the node sends to its peers by `delay` (+- `jitter`). tc netem
// delay on the node's eth0 where the kernel has netem; otherwise the harness's link proxy
// on the node-to-node links (graph-agent starts it when a scenario has a delay fault).
// In effect when netem is listed back, or when the proxy has delivered traffic from the
// node held for at least delay - jitter. Heal: remove the qdisc / set the links' delay to 0.
import { FaultNotInEffectError, confirmWithin, need, type FaultKind } from './fault.js';
import { mechanismFor } from './host-caps.js';
import { installQdisc } from './qdisc.js';

export const delay: FaultKind = {
  name: 'delay',
  // A delay above the election timeout forces a failover, so recovery from it is measured (RTO).
  disruptive: true,
  lasting: true,
  async apply(spec, nodes, ctx) {
    const net = need(ctx.net, 'delay', 'network access to the nodes');
    const d = spec.delayMs ?? 0;
    const j = spec.jitterMs ?? 0;
    const caps = await ctx.caps();
    if (mechanismFor('delay', caps).mechanism.startsWith('tc netem')) {
      const args = ['netem', 'delay', `${d}ms`, ...(j > 0 ? [`${j}ms`] : [])];
      return installQdisc(net, nodes, args, 'netem', ctx, `tc netem delay ${d}ms${j > 0 ? ` ${j}ms` : ''} on eth0`, {
        delay_ms: d,
        jitter_ms: j,
      });
    }
    const links = net.links;
    if (!links) {
      throw new FaultNotInEffectError(
        `delay needs tc netem (this kernel lacks it: ${caps.netem.err || 'probe failed'}) or the link proxy, which this target did not start`,
      );
    }
    const pairs = nodes.flatMap((n) => ctx.nodeNames.filter((p) => p !== n).map((p) => [n, p] as const));
    const minHeld = Math.max(0, d - j) * 0.95;
    const since = performance.now();
    for (const [a, b] of pairs) links.setDelay(a, b, d, j);
    const heal = async () => {
      for (const [a, b] of pairs) links.setDelay(a, b, 0, 0);
    };
    let confirmedT: number;
    try {
      const firstHeld = () => {
        const ts = pairs
          .map(([a, b]) => links.firstHeldSince(a, b, minHeld, since))
          .filter((t): t is number => t !== null);
        return ts.length > 0 ? Math.min(...ts) : null;
      };
      await confirmWithin(
        ctx,
        `traffic from ${nodes.join(', ')} held >= ${minHeld.toFixed(0)} ms by the link proxy`,
        async () => firstHeld() !== null,
      );
      // Verified once held traffic came out the other side (>= delay later); the fault took
      // hold when that traffic entered the queue, so t_f is that instant on the harness clock.
      confirmedT = ctx.clock.now() - (performance.now() - firstHeld()!);
    } catch (e) {
      await heal();
      throw e;
    }
    return {
      confirmedT,
      mechanism: `link proxy in the harness on the node-to-node links (no netem on this kernel): ${d} ms${j > 0 ? ` +- ${j} ms` : ''} on bytes from ${nodes.join(', ')} to peers; observed delayed traffic`,
      detail: { delay_ms: d, jitter_ms: j, via: 'link-proxy' },
      heal,
    };
  },
};
