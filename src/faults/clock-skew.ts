// clock-skew: shift one node's wall clock by `offset` seconds, live, through libfaketime
// (the node reads its offset from a per-node file the harness writes; the monotonic clock
// and the host clock are never touched). In effect when the node's own clock, read from
// the SUT (graph-agent /status clock_ms), is off the harness's wall clock by the offset
// +- 1 s. A target whose clock cannot be read is skewed but flagged with a warning; a
// target libfaketime cannot reach (a static binary) fails the step: "skew not in effect".
// Heal: offset 0, confirmed the same way.
import { z } from 'zod';
import { describeValue, parseDuration } from '../scenario/duration.js';
import type { NodeClock } from '../targets/target.js';
import { confirmWithin, defineFault, FaultNotInEffectError, faultParams, type FaultContextBase } from './fault.js';
import type { HostCaps } from './host-caps.js';

const TOLERANCE_MS = 1000;
const OFFSET_PATTERN = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:ms|s|m)?$/;

export interface ClockSkewParams {
  /** Offset of the node's wall clock, seconds (may be negative). */
  offsetS?: number | undefined;
}

const offsetMessage = (v: unknown) =>
  `expected a signed clock offset such as "+120s", "-300s", "5m" or a number of seconds, got ${describeValue(v)}`;
/** A signed offset: "-300s", "+2m", or a number of seconds; seconds out. */
const offsetField = z
  .union(
    [
      z.number({ error: (iss) => offsetMessage(iss.input) }),
      z.string().regex(OFFSET_PATTERN, { error: (iss) => offsetMessage(iss.input) }),
    ],
    {
      error: (iss) => offsetMessage(iss.input),
    },
  )
  .transform((v, ctx) => {
    if (typeof v === 'number') return v;
    const neg = v.startsWith('-');
    const ms = parseDuration(v.replace(/^[+-]/, ''));
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: offsetMessage(v), input: v });
      return z.NEVER;
    }
    return ((neg ? -1 : 1) * ms) / 1000;
  })
  .describe('shift of the node\'s wall clock, e.g. "+120s", "-300s" (or seconds).');

function mechanism(caps: HostCaps) {
  return caps.faketime !== null
    ? {
        mechanism: `libfaketime offset file per node, LD_PRELOAD (${caps.faketime}); monotonic clock untouched`,
        available: true,
      }
    : { mechanism: 'none', available: false, why: 'clock-skew needs libfaketime (apt-get install libfaketime)' };
}

/** The node's clock minus the harness wall clock (ms), from a read bracketed by two host reads. */
export async function clockError(clocks: NodeClock, node: string): Promise<number | null> {
  const t0 = Date.now();
  const c = await clocks.readClock(node);
  const t1 = Date.now();
  return c === null ? null : c - (t0 + t1) / 2;
}

async function setAndConfirm(clocks: NodeClock, nodes: string[], offsetS: number, ctx: FaultContextBase) {
  await Promise.all(nodes.map((n) => clocks.setClockOffset(n, offsetS)));
  const errors = new Map<string, number | null>();
  const confirmedT = await confirmWithin(
    ctx,
    `clock of ${nodes.join(', ')} at ${offsetS >= 0 ? '+' : ''}${offsetS} s (+- ${TOLERANCE_MS} ms)`,
    async () => {
      for (const n of nodes) {
        const e = await clockError(clocks, n).catch(() => null);
        errors.set(n, e);
        if (e !== null && Math.abs(e - offsetS * 1000) > TOLERANCE_MS) return false;
      }
      return true;
    },
    50,
  );
  return { confirmedT, errors };
}

export const clockSkew = defineFault({
  name: 'clock-skew',
  summary: 'shift its wall clock (offset)',
  disruptive: false,
  lasting: true,
  selects: 'nodes',
  needs: ['clocks'],
  params: faultParams(
    { offset: offsetField },
    { required: 'offset', toSpec: (p): ClockSkewParams => ({ offsetS: p.offset }) },
  ),
  mechanism,
  bootNeeds: () => ['faketime'],
  async apply(spec, nodes, ctx) {
    const clocks = ctx.clocks;
    const blocker = await clocks.skewBlocker();
    if (blocker !== null) throw new FaultNotInEffectError(`skew not in effect: ${blocker}`);
    const offsetS = spec.offsetS ?? 0;
    const heal = async () => {
      await setAndConfirm(clocks, nodes, 0, ctx);
    };
    let r: Awaited<ReturnType<typeof setAndConfirm>>;
    try {
      r = await setAndConfirm(clocks, nodes, offsetS, ctx);
    } catch (e) {
      await Promise.all(nodes.map((n) => clocks.setClockOffset(n, 0).catch(() => undefined)));
      throw e;
    }
    const unread = nodes.filter((n) => r.errors.get(n) == null);
    const measured = Object.fromEntries(
      nodes.map((n) => [n, r.errors.get(n) == null ? null : Math.round(r.errors.get(n)!)]),
    );
    const detail: Record<string, unknown> = { offset_s: offsetS, measured_offset_ms: measured, via: 'libfaketime' };
    if (unread.length > 0) {
      detail['warning'] = `clock of ${unread.join(', ')} could not be read: skew set but not verified`;
    }
    return {
      confirmedT: r.confirmedT,
      mechanism:
        `libfaketime offset file ${offsetS >= 0 ? '+' : ''}${offsetS} s (LD_PRELOAD, monotonic clock untouched); ` +
        (unread.length === nodes.length
          ? 'clock could not be read: NOT verified'
          : `node clock read back within +- ${TOLERANCE_MS} ms`),
      detail,
      heal,
    };
  },
});
