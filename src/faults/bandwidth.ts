// bandwidth: cap what the node sends (tc tbf on its eth0, root handle dd00:). In effect
// when the tbf qdisc is listed back. Heal: delete our root qdisc.
import { FaultNotInEffectError, need, type FaultKind } from './fault.js';
import { mechanismFor } from './host-caps.js';
import { installQdisc } from './qdisc.js';

const UNITS: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 };

/** "1mbit" -> 1e6 bits/s; undefined when it is not a rate. */
export function parseRate(rate: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit)$/.exec(rate);
  if (!m) return undefined;
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** tbf arguments: the bucket holds at least 10 ms of traffic (and one full-size frame burst). */
export function tbfArgs(rate: string): string[] {
  const bps = parseRate(rate);
  if (bps === undefined)
    throw new FaultNotInEffectError(`bandwidth: bad rate ${JSON.stringify(rate)} (expected e.g. 1mbit)`);
  const burstBytes = Math.max(16_000, Math.ceil(bps / 8 / 100));
  return ['tbf', 'rate', rate, 'burst', String(burstBytes), 'latency', '400ms'];
}

export const bandwidth: FaultKind = {
  name: 'bandwidth',
  disruptive: false,
  lasting: true,
  async apply(spec, nodes, ctx) {
    const net = need(ctx.net, 'bandwidth', 'network access to the nodes');
    const m = mechanismFor('bandwidth', await ctx.caps());
    if (!m.available) throw new FaultNotInEffectError(m.why ?? 'bandwidth is not available on this host');
    const rate = spec.rate ?? '1mbit';
    return installQdisc(net, nodes, tbfArgs(rate), 'tbf', ctx, `tc tbf rate ${rate} on eth0`, { rate });
  },
};
