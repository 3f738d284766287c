// delay: slow everything the node sends to its peers by `delay` (+- `jitter`). tc netem
// delay on the node's eth0 where the kernel has netem; otherwise the harness's link proxy
// on the node-to-node links (graph-agent starts it when a scenario has a delay fault).
// In effect when netem is listed back, or when the proxy has delivered traffic from the
// node held for at least delay - jitter. Heal: remove the qdisc / set the links' delay to 0.
import { duration } from '../scenario/fields.js';
import { formatDuration } from '../scenario/duration.js';
import { FaultNotInEffectError, confirmWithin, defineFault, faultParams } from './fault.js';
import { missingTool, type HostCaps } from './host-caps.js';
import { installQdisc } from './qdisc.js';

export interface DelayParams {
  /** Added to what the node sends to its peers, ms. */
  delayMs?: number | undefined;
  /** The delay varies by up to +- this many ms. */
  jitterMs?: number | undefined;
}

function mechanism(caps: HostCaps) {
  return caps.netem.ok && missingTool(caps, ['nsenter', 'tc']) === null
    ? { mechanism: 'tc netem delay on the node interface', available: true }
    : {
        mechanism: 'userspace link proxy in the harness on the node-to-node links (no netem on this kernel)',
        available: true,
      };
}

/** Whether delay goes through the harness's link proxy here (the target must start it at boot). */
export function delayNeedsLinkProxy(caps: HostCaps): boolean {
  return !mechanism(caps).mechanism.startsWith('tc netem');
}

export const delay = defineFault({
  name: 'delay',
  summary: 'slow what the node sends (delay, jitter)',
  // A delay above the election timeout forces a failover, so recovery from it is measured (RTO).
  disruptive: true,
  lasting: true,
  selects: 'nodes',
  needs: ['network'],
  params: faultParams(
    {
      delay: duration('added to what the node sends to its peers.'),
      jitter: duration('the delay varies by up to +- this much; at most delay.'),
    },
    {
      required: 'delay',
      refine(f, issue) {
        const d = f['delay'];
        const j = f['jitter'];
        if (typeof d === 'number' && typeof j === 'number' && j > d) {
          issue('jitter', `jitter (${formatDuration(j)}) must not exceed delay (${formatDuration(d)})`);
        }
      },
      toSpec: ({ delay, jitter }): DelayParams => ({
        delayMs: delay,
        ...(jitter !== undefined ? { jitterMs: jitter } : {}),
      }),
    },
  ),
  mechanism,
  // Without netem the link proxy carries the delay; it must be in the path from boot.
  bootNeeds: (caps) => (delayNeedsLinkProxy(caps) ? ['link-proxy'] : []),
  async apply(spec, nodes, ctx) {
    const net = ctx.network;
    const d = spec.delayMs ?? 0;
    const j = spec.jitterMs ?? 0;
    const caps = await ctx.caps();
    if (mechanism(caps).mechanism.startsWith('tc netem')) {
      const args = ['netem', 'delay', `${d}ms`, ...(j > 0 ? [`${j}ms`] : [])];
      return installQdisc(net, nodes, args, 'netem', ctx, `tc netem delay ${d}ms${j > 0 ? ` ${j}ms` : ''} on eth0`, {
        delay_ms: d,
        jitter_ms: j,
      });
    }
    const links = net.links;
    if (!links) {
      throw new FaultNotInEffectError(
        `delay needs tc netem (this kernel lacks it: ${caps.netem.err || 'probe failed'}) ` +
          'or the link proxy, which this target did not start',
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
      mechanism:
        'link proxy in the harness on the node-to-node links (no netem on this kernel): ' +
        `${d} ms${j > 0 ? ` +- ${j} ms` : ''} on bytes from ${nodes.join(', ')} to peers; observed delayed traffic`,
      detail: { delay_ms: d, jitter_ms: j, via: 'link-proxy' },
      heal,
    };
  },
});
