// The exit code CI acts on, from the results of the drills run (SPEC section 2).

import type { DrillResult } from '../core/result.js';

/** 130 interrupted; 3 a run could not be carried out; 1 an expectation not met; else 0. */
export function exitCodeFor(results: readonly DrillResult[], interrupted: boolean): number {
  if (interrupted || results.some((r) => r.status === 'interrupted')) return 130;
  if (results.some((r) => r.status === 'aborted')) return 3;
  // No `expect` in the scenario means a pass is expected.
  const met = (r: DrillResult) => (r.expect ? r.expect.met : r.verdict === 'pass');
  return results.every(met) ? 0 : 1;
}
