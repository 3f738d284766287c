// memory: limit the node's container to `limit` bytes of memory (no swap beyond it), or to
// `headroom` above the anonymous memory it uses when the fault starts, through the Docker
// API, as a deployment's memory limit would: a process that needs more is killed by the
// kernel's OOM killer, under load or in the middle of a backup. In effect when the cgroup's
// limit (memory.limit_in_bytes, v1) reads back as set. Every OOM kill while the fault is in
// effect is observed (Docker's oom events, on the harness clock) and lands in the fault
// record's detail. Heal: the limits as they were, read back from the cgroup; a node the OOM
// killer stopped is started again, as a supervisor would. Docker cannot set "no limit" back
// (0 means unchanged, -1 is refused): heal sets the kernel's own unlimited value, so the
// cgroup reads exactly as before and `docker inspect` shows 9223372036854771712. Everything
// happens on the node's host, through its resource operations (resource-ops.ts): this process
// on one Docker host, the host's fault agent on a swarm (there, a node restarted is a new
// task's container, which has the service's limits, not this fault's).
import { counter, FILES } from '../docker/cgroup.js';
import { size } from '../scenario/fields.js';
import { confirmWithin, defineFault, FaultNotInEffectError, faultParams, mechanismOrThrow } from './fault.js';
import { cgroupMechanism, runningContainers, type NodeContainer } from './containers.js';
import type { HostCaps } from './host-caps.js';
import { startAll } from './kill.js';

export interface MemoryParams {
  /** The limit, bytes. */
  limitBytes?: number | undefined;
  /** Instead: the node's anonymous memory when the fault starts plus this many bytes. */
  headroomBytes?: number | undefined;
}

/** The kernel's "no limit" (v1 shows it; Docker takes it, where it refuses -1 and ignores 0). */
const UNLIMITED = 9223372036854771712n;
const PAGE = 4096;
const MiB = 1024 * 1024;

const mechanism = (caps: HostCaps) =>
  cgroupMechanism(caps, 'memory', 'memory', 'Docker API update (Memory, MemorySwap); the cgroup limit read back');

/** The node's limits as the cgroup shows them (what heal restores exactly), and its anonymous memory. */
async function memoryOf(c: NodeContainer): Promise<{ limit: bigint; swap: bigint | null; anon: number | null }> {
  const v = (await c.ops.cgroupVersion()) ?? 1;
  const files = [FILES[v].memoryLimit, FILES[v].memswLimit, 'memory.stat'].filter((f): f is string => f !== null);
  const got = await c.ops.readCgroup(c, 'memory', files);
  const read = (file: string | null) => (file === null ? null : (got[file] ?? null));
  const asBytes = (s: string | null) => (s === null ? null : s === 'max' ? UNLIMITED : BigInt(s));
  const limit = asBytes(read(FILES[v].memoryLimit));
  if (limit === null) throw new FaultNotInEffectError(`memory: cannot read ${FILES[v].memoryLimit} of ${c.node}`);
  const anon = counter(read('memory.stat'), v === 1 ? 'total_rss' : 'anon');
  return { limit, swap: asBytes(read(FILES[v].memswLimit)), anon };
}

const pageDown = (n: number) => Math.floor(n / PAGE) * PAGE;

export const memory = defineFault({
  name: 'memory',
  summary: 'limit its memory (limit or headroom; the process is OOM-killed when it needs more)',
  disruptive: true,
  lasting: true,
  selects: 'nodes',
  needs: ['resources'],
  params: faultParams(
    {
      limit: size("the node's container may use this much memory, swap included; at least 8MiB.", 8 * MiB),
      headroom: size(
        'instead of limit: the memory the node uses when the fault starts (anonymous, not page cache) plus this.',
      ),
    },
    {
      refine(f, issue) {
        if (f['kind'] !== 'memory' || (f['limit'] === undefined) !== (f['headroom'] === undefined)) return;
        if (f['limit'] === undefined) issue('', 'missing limit: kind memory needs limit (or headroom)');
        else issue('headroom', 'use either limit or headroom, not both');
      },
      toSpec: ({ limit, headroom }): MemoryParams =>
        limit !== undefined ? { limitBytes: limit } : { headroomBytes: headroom },
    },
  ),
  mechanism,
  async apply(spec, nodes, ctx) {
    mechanismOrThrow(mechanism(await ctx.caps()), 'memory');
    const cs = await runningContainers(ctx, nodes, 'memory');
    const before = new Map(await Promise.all(cs.map(async (c) => [c.node, await memoryOf(c)] as const)));
    const limitOf = (c: NodeContainer): number => {
      if (spec.limitBytes !== undefined) return pageDown(spec.limitBytes);
      const anon = before.get(c.node)!.anon;
      if (anon === null) throw new FaultNotInEffectError(`memory: cannot read how much memory ${c.node} uses`);
      return pageDown(anon + (spec.headroomBytes ?? 0) + PAGE - 1);
    };
    const limits = new Map(cs.map((c) => [c.node, Math.max(8 * MiB, limitOf(c))]));
    const oomEvents: { node: string; t_s: number }[] = [];
    const detail: Record<string, unknown> = {
      limit_bytes: Object.fromEntries(limits),
      ...(spec.headroomBytes !== undefined
        ? {
            headroom_bytes: spec.headroomBytes,
            anon_bytes_before: Object.fromEntries(cs.map((c) => [c.node, before.get(c.node)!.anon])),
          }
        : {}),
      before_bytes: Object.fromEntries(cs.map((c) => [c.node, String(before.get(c.node)!.limit)])),
      oom_kills: 0,
      oom_events: oomEvents,
      via: 'docker update',
    };
    const nodeOf = new Map(cs.map((c) => [c.id, c.node]));
    const onOom = (id: string, at: number | undefined) => {
      oomEvents.push({ node: nodeOf.get(id) ?? id, t_s: (at ?? ctx.clock.now()) / 1000 });
      detail['oom_kills'] = oomEvents.length;
    };
    // One watch per host (a swarm's nodes are on several).
    const byOps = new Map<NodeContainer['ops'], string[]>();
    for (const c of cs) byOps.set(c.ops, [...(byOps.get(c.ops) ?? []), c.id]);
    const stops = await Promise.all([...byOps].map(([ops, ids]) => ops.watchOom(ids, onOom)));
    const stopWatching = () => Promise.all(stops.map((s) => s())).then(() => undefined);
    let healed = false;
    const heal = async () => {
      if (healed) return;
      try {
        const killed: string[] = [];
        for (const c of cs) {
          const b = before.get(c.node)!;
          const st = await c.ops.containerResources(c.id).catch(() => null);
          if (st === null) continue; // destroyed: nothing left to limit
          await c.ops.updateResources(c.id, { Memory: b.limit, MemorySwap: b.swap ?? -1 });
          if (st.oomKilled && !st.running) killed.push(c.node);
        }
        if (killed.length > 0) detail['main_process_oom_killed'] = killed;
        await startAll(ctx.lifecycle, killed);
        // Read back on the running nodes: their cgroups show exactly the limits they had.
        for (const c of await runningContainers(ctx, nodes, 'memory').catch(() => [])) {
          const now = (await memoryOf(c)).limit;
          if (now !== before.get(c.node)!.limit)
            throw new Error(`memory: ${c.node}'s limit reads ${now} after heal, not ${before.get(c.node)!.limit}`);
        }
        healed = true;
      } finally {
        await stopWatching();
      }
    };
    let confirmedT: number;
    try {
      for (const c of cs)
        await c.ops.updateResources(c.id, { Memory: limits.get(c.node)!, MemorySwap: limits.get(c.node)! });
      confirmedT = await confirmWithin(ctx, `memory limits on ${nodes.join(', ')}`, async () => {
        for (const c of cs) if ((await memoryOf(c)).limit !== BigInt(limits.get(c.node)!)) return false;
        return true;
      });
    } catch (e) {
      await heal().catch(() => undefined);
      const usage = await Promise.all(
        cs.map(async (c) => {
          const u = await c.ops.readCgroup(c, 'memory', ['memory.usage_in_bytes']).catch(() => null);
          return `${c.node} uses ${u?.['memory.usage_in_bytes'] ?? '?'}`;
        }),
      );
      throw new FaultNotInEffectError(
        `memory: limit not in effect (${usage.join(', ')} bytes): ${(e as Error).message}`,
      );
    }
    const shown = [...limits].map(([n, l]) => `${n} ${(l / MiB).toFixed(1)} MiB`).join(', ');
    return {
      confirmedT,
      mechanism: `docker update --memory --memory-swap (${shown}); the cgroup limit reads back the same`,
      detail,
      heal,
    };
  },
});
