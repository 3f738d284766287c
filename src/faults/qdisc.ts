// A root qdisc fault (netem, tbf) on each node's eth0: install with our handle, confirm the
// qdisc is listed with the expected kind, heal by deleting the root qdisc only if it is ours.
import type { NodeNetwork } from '../targets/target.js';
import { FaultNotInEffectError, type AppliedFault, type FaultContextBase } from './fault.js';
import { addRootQdisc, isOurQdisc, removeRootQdisc, rootQdisc } from './netfilter.js';

export async function installQdisc(
  net: NodeNetwork,
  nodes: string[],
  spec: string[],
  kind: string,
  ctx: FaultContextBase,
  what: string,
  detail: Record<string, unknown>,
): Promise<AppliedFault> {
  const heal = async () => {
    for (const n of nodes) {
      const pid = await net.pid(n).catch(() => null);
      if (pid !== null) await removeRootQdisc(pid);
    }
  };
  try {
    for (const n of nodes) {
      const pid = await net.pid(n);
      await addRootQdisc(pid, spec);
      const line = await rootQdisc(pid);
      if (!isOurQdisc(line) || !line.startsWith(`qdisc ${kind} `)) {
        throw new FaultNotInEffectError(
          `${n}: ${kind} qdisc not listed after tc qdisc add (tc shows: ${line || 'nothing'})`,
        );
      }
    }
  } catch (e) {
    await heal().catch(() => undefined);
    throw e;
  }
  return {
    confirmedT: ctx.clock.now(),
    mechanism: `${what} (nsenter; qdisc listed back)`,
    detail: { ...detail, via: `tc ${kind}` },
    heal,
  };
}
