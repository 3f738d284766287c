// Resolve a fault's target selector to node names at the moment it is applied.
// `primary` asks the SUT who leads; `random` and `replica` use the run's seeded RNG.
// `minority` is the largest minority (floor((n-1)/2) nodes) and `majority` the smallest
// majority (floor(n/2)+1 nodes); both include the primary when there is one (so a
// partition of the minority strands the leader, and killing the majority takes it down),
// the other members drawn with the seeded RNG.

import { pick, type Rng } from '../core/random.js';
import type { FaultSpecBase } from './fault.js';

export class NoTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoTargetError';
  }
}

export async function selectNodes(
  spec: Pick<FaultSpecBase, 'target' | 'node'>,
  nodes: readonly string[],
  leader: () => Promise<string | null>,
  rng: Rng,
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
      const l = await leader();
      if (l === null) throw new NoTargetError('no primary to target: the cluster has no leader right now');
      return [l];
    }
    case 'minority':
    case 'majority': {
      const size = spec.target === 'minority' ? Math.floor((nodes.length - 1) / 2) : Math.floor(nodes.length / 2) + 1;
      if (size === 0) throw new NoTargetError(`a cluster of ${nodes.length} has no minority to target`);
      const l = await leader();
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
      if (replicas.length === 0) throw new NoTargetError('no replica to target');
      return [pick(rng, replicas)];
    }
  }
}
