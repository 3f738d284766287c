// Shared by the resource faults (memory, cpu, io-limit), as qdisc.ts is by the network ones:
// the chosen nodes' containers and main processes (where their cgroups are found), the
// operations of each one's host (resource-ops.ts), and the mechanism check every resource
// fault makes.
import { FaultNotInEffectError, type FaultContext, type Mechanism } from './fault.js';
import type { HostCaps } from './host-caps.js';
import type { ResourceOps } from './resource-ops.js';

export interface NodeContainer {
  node: string;
  /** Docker container id, on its host. */
  id: string;
  /** Pid of its main process, on its host. */
  pid: number;
  /** The resource operations of its host. */
  ops: ResourceOps;
}

/** Each node's running container, or FaultNotInEffectError naming a node that has none. */
export async function runningContainers(
  ctx: FaultContext<'resources'>,
  nodes: readonly string[],
  fault: string,
): Promise<NodeContainer[]> {
  return Promise.all(
    nodes.map(async (node) => {
      const id = ctx.resources.containerId(node);
      const st = await ctx.lifecycle.inspect(node);
      if (id === undefined || !st.running || st.pid === null) {
        throw new FaultNotInEffectError(`${fault}: ${node} is not running (no container process to limit)`);
      }
      return { node, id, pid: st.pid, ops: ctx.resources.ops(node) };
    }),
  );
}

/** The mechanism of a resource fault: `how` when the cgroup controller is there, else why not. */
export function cgroupMechanism(
  caps: HostCaps,
  controller: 'memory' | 'cpu' | 'io',
  fault: string,
  how: string,
): Mechanism {
  const cg = caps.cgroup;
  if (cg.version === null)
    return { mechanism: 'none', available: false, why: `${fault}: no cgroup hierarchy under /sys/fs/cgroup` };
  if (!cg[controller])
    return {
      mechanism: 'none',
      available: false,
      why: `${fault}: the ${controller} cgroup controller is not available (cgroup v${cg.version})`,
    };
  return { mechanism: `${how} (cgroup v${cg.version})`, available: true };
}
