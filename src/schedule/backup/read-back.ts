// Every element id the cluster holds, read from its leader, for comparison with the
// acknowledged writes (restore verification, the verify step).

import { sleep } from '../../core/clock.js';
import type { Target } from '../../targets/target.js';

export async function readAll(target: Target): Promise<Set<string>> {
  const src = target.finalReadSource();
  let last: unknown;
  for (let i = 0; i < 20; i++) {
    try {
      const leader = await src.leader();
      if (leader !== null) {
        const r = await src.scanAll(leader, false);
        return new Set([...r.vertices, ...r.edges.map((e) => e.id)]);
      }
    } catch (e) {
      last = e;
    }
    await sleep(250);
  }
  throw new Error(`could not read the data back: ${last instanceof Error ? last.message : 'no leader'}`);
}
