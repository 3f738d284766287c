// clock-skew: shift one node's wall clock by `offset` seconds, live, through libfaketime
// (the node reads its offset from a per-node file the harness writes; the monotonic clock
// and the host clock are never touched). In effect when the node's own clock, read from
// the SUT (graph-agent /status clock_ms), is off the harness's wall clock by the offset
// +- 1 s. A target whose clock cannot be read is skewed but flagged with a warning; a
// target libfaketime cannot reach (a static binary) fails the step: "skew not in effect".
// Heal: offset 0, confirmed the same way.
import { confirmWithin, FaultNotInEffectError, need, type FaultContext, type FaultKind } from './fault.js';
import type { NodeClock } from '../targets/target.js';

const TOLERANCE_MS = 1000;

/** The node's clock minus the harness wall clock (ms), from a read bracketed by two host reads. */
export async function clockError(clocks: NodeClock, node: string): Promise<number | null> {
  const t0 = Date.now();
  const c = await clocks.readClock(node);
  const t1 = Date.now();
  return c === null ? null : c - (t0 + t1) / 2;
}

async function setAndConfirm(clocks: NodeClock, nodes: string[], offsetS: number, ctx: FaultContext) {
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

export const clockSkew: FaultKind = {
  name: 'clock-skew',
  disruptive: false,
  lasting: true,
  async apply(spec, nodes, ctx) {
    const clocks = need(ctx.clocks, 'clock-skew', 'per-node clock control');
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
};
