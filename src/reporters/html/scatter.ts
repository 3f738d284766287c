// The latency scatter: one point per operation, capped so that a long history still
// makes a small page. Sampling is deterministic (the same run renders the same page) and
// keeps rare outcomes whole: failures and timeouts are what a reader looks for, so the
// smaller classes get their full share first and the bulk of ok operations is thinned,
// evenly over time.

import type { Op, Outcome } from '../../client/history.js';

/** An operation's outcome as drawn: `lost` is an acknowledged write absent after recovery. */
export type DrawnOutcome = Outcome | 'lost';

export interface ScatterPoint {
  /** Invoke time, ms since the run's origin. */
  t: number;
  /** Latency, ms (completion - invoke). */
  ms: number;
  outcome: DrawnOutcome;
}

/** The class an operation is drawn in. */
export function drawnOutcome(op: Op, lostIds: ReadonlySet<string>): DrawnOutcome {
  return op.outcome === 'ok' && op.f !== 'read' && lostIds.has(op.id) ? 'lost' : op.outcome;
}

export const MAX_SCATTER_POINTS = 5000;

/** Evenly spaced picks of k items out of `items` (all of them when k >= length). */
function evenly<T>(items: readonly T[], k: number): T[] {
  if (k >= items.length) return [...items];
  const out: T[] = [];
  for (let i = 0; i < k; i++) out.push(items[Math.floor(((i + 0.5) * items.length) / k)]!);
  return out;
}

export function sampleScatter(
  ops: readonly Op[],
  cap = MAX_SCATTER_POINTS,
  lostIds: ReadonlySet<string> = new Set(),
): { points: ScatterPoint[]; total: number } {
  const byOutcome: Record<DrawnOutcome, Op[]> = { ok: [], fail: [], info: [], lost: [] };
  for (const op of ops) byOutcome[drawnOutcome(op, lostIds)].push(op);
  const classes = (Object.keys(byOutcome) as DrawnOutcome[]).sort((a, b) => byOutcome[a].length - byOutcome[b].length);
  let budget = cap;
  const picked: Op[] = [];
  classes.forEach((c, i) => {
    const share = Math.floor(budget / (classes.length - i));
    const take = evenly(byOutcome[c], share);
    budget -= take.length;
    picked.push(...take);
  });
  picked.sort((a, b) => a.invokeT - b.invokeT);
  return {
    points: picked.map((op) => ({
      t: op.invokeT,
      ms: Math.max(0, op.completeT - op.invokeT),
      outcome: drawnOutcome(op, lostIds),
    })),
    total: ops.length,
  };
}
