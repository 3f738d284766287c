// Hand-written histories, Jepsen checker_test style.
import type { Op, OpFunction, Outcome } from '../../src/client/history.js';

let seq = 0;
export function op(invokeT: number, outcome: Outcome, o: Partial<Op> & { latency?: number } = {}): Op {
  const { latency = 10, ...rest } = o;
  return {
    process: 0,
    f: 'add-vertex' as OpFunction,
    id: `w${seq++}`,
    node: 'n1',
    invokeT,
    completeT: invokeT + latency,
    outcome,
    ...rest,
  };
}

/** One write every `step` ms in [from, to), all with the same outcome. */
export function writes(from: number, to: number, outcome: Outcome, step = 100): Op[] {
  const out: Op[] = [];
  for (let t = from; t < to; t += step) out.push(op(t, outcome));
  return out;
}
