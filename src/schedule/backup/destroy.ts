// The destroy step: nodes, volumes, the cluster or the region, gone for real; its time is
// t_destroy, where a restore's RTO starts.

import { dataNodesOf } from '../../targets/target.js';
import type { DestroyStepSpec } from '../backup-step-types.js';
import { control, type BackupStepDeps } from './state.js';

export async function runDestroy(step: DestroyStepSpec, deps: BackupStepDeps): Promise<void> {
  const ctl = control(deps.target);
  await deps.state.settled();
  let nodes: string[] = [];
  if (step.what === 'nodes') {
    if (step.node) nodes = [step.node];
    else if (step.target === 'all') nodes = [...dataNodesOf(deps.target)];
    else {
      const leader = await deps.target.leader();
      nodes =
        step.target === 'primary'
          ? leader
            ? [leader]
            : []
          : dataNodesOf(deps.target)
              .filter((n) => n !== leader)
              .slice(0, 1);
      if (nodes.length === 0) throw new Error(`no ${step.target} to destroy`);
    }
  }
  const r = await ctl.destroy(step.what, nodes);
  deps.state.destroyT = deps.clock.now();
  deps.onEvent?.(`destroyed ${step.what}: ${r.mechanism}`);
}
