// cpu: throttle the node's container to `cpus` CPUs' worth of time (a CFS quota per 100 ms
// period) through the Docker API, like a noisy neighbour or a tight CPU limit. In effect when
// the cgroup's quota and period (cpu.cfs_quota_us / cpu.cfs_period_us, v1) read back as set.
// How often the node was throttled while it lasted (cpu.stat nr_throttled) goes in the record.
// Heal: quota and period as the cgroup had them, read back. All on the node's host, through
// its resource operations (resource-ops.ts): this process, or the host's fault agent.
import { z } from 'zod';
import { counter, FILES } from '../docker/cgroup.js';
import { confirmWithin, defineFault, FaultNotInEffectError, faultParams, mechanismOrThrow } from './fault.js';
import { cgroupMechanism, runningContainers, type NodeContainer } from './containers.js';
import type { HostCaps } from './host-caps.js';

export interface CpuParams {
  /** CPUs' worth of time per period, e.g. 0.1. */
  cpus?: number | undefined;
}

const PERIOD_US = 100_000;
const CPU_V1 = { quota: FILES[1].cpuQuota, period: FILES[1].cpuPeriod, stat: FILES[1].cpuStat };

const mechanism = (caps: HostCaps) =>
  cgroupMechanism(caps, 'cpu', 'cpu', 'Docker API update (CpuQuota per CpuPeriod); the cgroup quota read back');

/** Quota (-1: none) and period in microseconds, and the throttle count, as the cgroup shows them. */
async function cpuOf(c: NodeContainer): Promise<{ quota: number; period: number; throttled: number | null }> {
  const v = (await c.ops.cgroupVersion()) ?? 1;
  const got = await c.ops.readCgroup(c, 'cpu', v === 2 ? [FILES[2].cpuStat, FILES[2].cpuQuota] : Object.values(CPU_V1));
  const read = (file: string) => got[file] ?? null;
  const throttled = counter(read(FILES[v].cpuStat), 'nr_throttled');
  if (v === 2) {
    const [q, p] = (read(FILES[2].cpuQuota) ?? '').split(' ');
    if (p === undefined) throw new FaultNotInEffectError(`cpu: cannot read cpu.max of ${c.node}`);
    return { quota: q === 'max' ? -1 : Number(q), period: Number(p), throttled };
  }
  const quota = read(FILES[1].cpuQuota);
  const period = read(FILES[1].cpuPeriod);
  if (quota === null || period === null) throw new FaultNotInEffectError(`cpu: cannot read the CFS quota of ${c.node}`);
  return { quota: Number(quota), period: Number(period), throttled };
}

export const cpu = defineFault({
  name: 'cpu',
  summary: 'throttle its CPU time (cpus)',
  disruptive: true,
  lasting: true,
  selects: 'nodes',
  needs: ['resources'],
  params: faultParams(
    {
      cpus: z
        .number()
        .min(0.01)
        .max(64)
        .describe("CPUs' worth of time the node's container gets per 100 ms period, e.g. 0.1; 0.01 to 64."),
    },
    { required: 'cpus', toSpec: (p): CpuParams => p },
  ),
  mechanism,
  async apply(spec, nodes, ctx) {
    mechanismOrThrow(mechanism(await ctx.caps()), 'cpu');
    const quota = Math.round((spec.cpus ?? 1) * PERIOD_US);
    const cs = await runningContainers(ctx, nodes, 'cpu');
    const before = new Map(await Promise.all(cs.map(async (c) => [c.node, await cpuOf(c)] as const)));
    // A container created with --cpus has NanoCpus set, and Docker then refuses a quota.
    const nano = new Map(
      await Promise.all(cs.map(async (c) => [c.node, (await c.ops.containerResources(c.id)).nanoCpus] as const)),
    );
    const detail: Record<string, unknown> = {
      cpus: spec.cpus,
      quota_us: quota,
      period_us: PERIOD_US,
      before: Object.fromEntries(
        cs.map((c) => [c.node, { quota_us: before.get(c.node)!.quota, period_us: before.get(c.node)!.period }]),
      ),
      via: 'docker update',
    };
    let healed = false;
    const heal = async () => {
      if (healed) return;
      for (const c of cs) {
        const b = before.get(c.node)!;
        if ((await c.ops.containerResources(c.id).catch(() => null)) === null) continue; // destroyed
        const n = nano.get(c.node)!;
        await c.ops.updateResources(c.id, n > 0 ? { NanoCpus: n } : { CpuPeriod: b.period, CpuQuota: b.quota });
      }
      const throttled: Record<string, number> = {};
      for (const c of await runningContainers(ctx, nodes, 'cpu').catch(() => [])) {
        const now = await cpuOf(c);
        const b = before.get(c.node)!;
        if (now.quota !== b.quota || now.period !== b.period)
          throw new Error(
            `cpu: ${c.node}'s quota reads ${now.quota}/${now.period} us after heal, not ${b.quota}/${b.period}`,
          );
        if (now.throttled !== null && b.throttled !== null) throttled[c.node] = now.throttled - b.throttled;
      }
      detail['periods_throttled'] = throttled;
      healed = true;
    };
    let confirmedT: number;
    try {
      for (const c of cs) {
        const n = nano.get(c.node)!;
        await c.ops.updateResources(
          c.id,
          n > 0 ? { NanoCpus: Math.round((spec.cpus ?? 1) * 1e9) } : { CpuPeriod: PERIOD_US, CpuQuota: quota },
        );
      }
      confirmedT = await confirmWithin(ctx, `cpu quota ${quota}/${PERIOD_US} us on ${nodes.join(', ')}`, async () => {
        for (const c of cs) {
          const now = await cpuOf(c);
          if (now.quota !== quota || now.period !== PERIOD_US) return false;
        }
        return true;
      });
    } catch (e) {
      await heal().catch(() => undefined);
      throw new FaultNotInEffectError(`cpu: quota not in effect: ${(e as Error).message}`);
    }
    return {
      confirmedT,
      mechanism:
        `docker update --cpu-quota ${quota} --cpu-period ${PERIOD_US} (${spec.cpus} CPUs); ` +
        'the cgroup quota reads back the same',
      detail,
      heal,
    };
  },
});
