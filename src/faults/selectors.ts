// Resolve a fault's target selector to node names at the moment it is applied.
// `primary` asks the SUT who leads; `random` and `replica` use the run's seeded RNG.

import { pick, type Rng } from '../core/random.js';
import type { FaultSpec } from './fault.js';

export class NoTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoTargetError';
  }
}

export async function selectNodes(
  spec: Pick<FaultSpec, 'target' | 'node'>,
  nodes: readonly string[],
  leader: () => Promise<string | null>,
  rng: Rng,
): Promise<string[]> {
  if (spec.node !== undefined) {
    if (!nodes.includes(spec.node)) throw new NoTargetError(`node ${spec.node} is not in the cluster (${nodes.join(', ')})`);
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
    case 'replica': {
      const l = await leader();
      const replicas = nodes.filter((n) => n !== l);
      if (replicas.length === 0) throw new NoTargetError('no replica to target');
      return [pick(rng, replicas)];
    }
  }
}
