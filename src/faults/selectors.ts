// Resolve a fault's target selector to node names at the moment it is applied.
// `primary` asks the SUT who leads; `random` and `replica` use the run's seeded RNG.
// `minority` is the largest minority (floor((n-1)/2) nodes) and `majority` the smallest
// majority (floor(n/2)+1 nodes); both include the primary when there is one (so a
// partition of the minority strands the leader, and killing the majority takes it down),
// the other members drawn with the seeded RNG.

import { pick, type Rng } from '../core/random.js';
import type { Target } from '../targets/target.js';
import type { FaultSpecBase } from './fault.js';

export class NoTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoTargetError';
  }
}

/** How long `primary` waits for a leader before it gives up (an election may be under way). */
export const LEADER_WAIT_MS = 5000;

/**
 * The leader, asked until one answers or `waitMs` passes: a role probe that flakes once (a
 * slow exec under load) or an election in progress must not fail the step. Null after that.
 */
export async function awaitLeader(leader: () => Promise<string | null>, waitMs: number): Promise<string | null> {
  const end = performance.now() + waitMs;
  for (;;) {
    const l = await leader().catch(() => null);
    if (l !== null || performance.now() >= end) return l;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The nodes a fault's selector chooses among: every node for `node:`, the named group's for `group:`, else the
 * nodes that carry the data (all of them but for node groups, where the consensus store or the proxies are
 * reached only by naming their group).
 */
export function selectionPool(
  spec: Pick<FaultSpecBase, 'node' | 'group'>,
  target: Pick<Target, 'nodeNames' | 'dataNodes' | 'nodeGroups'>,
): readonly string[] {
  if (spec.node !== undefined) return target.nodeNames;
  if (spec.group !== undefined) {
    const g = target.nodeGroups?.()[spec.group];
    if (g === undefined) throw new NoTargetError(`no node group ${spec.group} in this cluster`);
    return g;
  }
  return target.dataNodes ?? target.nodeNames;
}

export async function selectNodes(
  spec: Pick<FaultSpecBase, 'target' | 'node'>,
  nodes: readonly string[],
  leader: () => Promise<string | null>,
  rng: Rng,
  opts: { leaderWaitMs?: number; describeRoles?: () => Promise<string> } = {},
): Promise<string[]> {
  if (spec.node !== undefined) {
    if (!nodes.includes(spec.node))
      throw new NoTargetError(`node ${spec.node} is not in the cluster (${nodes.join(', ')})`);
    return [spec.node];
  }
  switch (spec.target ?? 'primary') {
    case 'all':
      return [...nodes];
    case 'random':
      return [pick(rng, nodes)];
    case 'primary': {
      const wait = opts.leaderWaitMs ?? LEADER_WAIT_MS;
      const l = await awaitLeader(leader, wait);
      if (l === null) {
        const seen = opts.describeRoles ? await opts.describeRoles().catch(() => '') : '';
        throw new NoTargetError(
          `no primary to target: no node claimed the leader role within ${wait / 1000} s` + (seen ? ` (${seen})` : ''),
        );
      }
      return [l];
    }
    case 'minority':
    case 'majority': {
      const size = spec.target === 'minority' ? Math.floor((nodes.length - 1) / 2) : Math.floor(nodes.length / 2) + 1;
      if (size === 0) throw new NoTargetError(`a cluster of ${nodes.length} has no minority to target`);
      const found = await leader();
      const l = found !== null && nodes.includes(found) ? found : null;
      const rest = nodes.filter((n) => n !== l);
      const chosen = l !== null ? [l] : [];
      while (chosen.length < size) {
        const i = Math.floor(rng() * rest.length);
        chosen.push(rest.splice(i, 1)[0]!);
      }
      return chosen;
    }
    case 'replica': {
      const l = await leader();
      const replicas = nodes.filter((n) => n !== l);
      if (l !== null && !nodes.includes(l))
        throw new NoTargetError(`replica: the primary ${l} is not among ${nodes.join(', ')}`);
      if (replicas.length === 0) throw new NoTargetError('no replica to target');
      return [pick(rng, replicas)];
    }
  }
}
