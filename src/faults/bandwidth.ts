// bandwidth: cap what the node sends (tc tbf on its eth0, root handle dd00:). In effect
// when the tbf qdisc is listed back. Heal: delete our root qdisc.
import { z } from 'zod';
import { describeValue } from '../scenario/duration.js';
import { FaultNotInEffectError, defineFault, faultParams, mechanismOrThrow } from './fault.js';
import { missingTool, type HostCaps } from './host-caps.js';
import { installQdisc } from './qdisc.js';

const UNITS: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 };
const RATE_PATTERN = /^\d+(?:\.\d+)?(?:bit|kbit|mbit|gbit)$/;

export interface BandwidthParams {
  /** A tc rate, e.g. "1mbit". */
  rate?: string | undefined;
}

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

function mechanism(caps: HostCaps) {
  const missing = missingTool(caps, ['nsenter', 'tc']);
  if (missing !== null) return { mechanism: 'none', available: false, why: `bandwidth: ${missing}` };
  return caps.tbf.ok
    ? { mechanism: 'tc tbf on the node interface', available: true }
    : { mechanism: 'none', available: false, why: `bandwidth needs tc tbf: ${caps.tbf.err}` };
}

export const bandwidth = defineFault({
  name: 'bandwidth',
  summary: 'cap its rate',
  disruptive: false,
  lasting: true,
  selects: 'nodes',
  needs: ['network'],
  params: faultParams(
    {
      rate: z
        .string()
        .regex(RATE_PATTERN, {
          error: (iss) => `expected a rate such as "1mbit", "512kbit", got ${describeValue(iss.input)}`,
        })
        .describe('the cap on what the node sends, e.g. 1mbit.'),
    },
    { required: 'rate', toSpec: (p): BandwidthParams => p },
  ),
  mechanism,
  async apply(spec, nodes, ctx) {
    mechanismOrThrow(mechanism(await ctx.caps()), 'bandwidth');
    const rate = spec.rate ?? '1mbit';
    return installQdisc(ctx.network, nodes, tbfArgs(rate), 'tbf', ctx, `tc tbf rate ${rate} on eth0`, { rate });
  },
});
