// Leader changes as the harness observed them (polling each node's role). A change is a
// different non-null leader than the previous non-null one: "no leader" between two
// observations of the same leader is an election that the old leader won again, not a change.
import type { LeaderObservation } from './leader-phases.js';

export interface LeaderMeasurement {
  /** Null when no leader was ever observed. */
  changes: number | null;
  /** Harness ms of each change. */
  change_times: number[];
  /** At least `flapCount` changes within `flapWindowMs`. */
  flapping: boolean;
}

export function checkLeader(
  timeline: readonly LeaderObservation[],
  opts: { flapCount?: number; flapWindowMs?: number } = {},
): LeaderMeasurement {
  const flapCount = opts.flapCount ?? 3;
  const flapWindowMs = opts.flapWindowMs ?? 10_000;
  const sorted = [...timeline].sort((a, b) => a.t - b.t);
  let prev: string | null = null;
  let seen = false;
  const times: number[] = [];
  for (const o of sorted) {
    if (o.leader === null) continue;
    if (seen && o.leader !== prev) times.push(o.t);
    prev = o.leader;
    seen = true;
  }
  let flapping = false;
  for (let i = 0; i + flapCount - 1 < times.length; i++) {
    if (times[i + flapCount - 1]! - times[i]! <= flapWindowMs) flapping = true;
  }
  return { changes: seen ? times.length : null, change_times: times, flapping };
}

/**
 * Split brain from a leader timeline: the most nodes that claimed leadership at once, and for
 * how long (s) two or more did; null when the target could not list claimants.
 */
export function splitBrainOf(
  timeline: readonly LeaderObservation[],
  endT: number,
): { max_leaders: number; seconds: number } | null {
  if (!timeline.some((o) => o.claimants !== undefined)) return null;
  let max = 0;
  let ms = 0;
  timeline.forEach((o, i) => {
    const n = o.claimants?.length ?? 0;
    max = Math.max(max, n);
    if (n >= 2) ms += (timeline[i + 1]?.t ?? endT) - o.t;
  });
  return { max_leaders: max, seconds: Math.round(ms) / 1000 };
}
