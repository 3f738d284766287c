import { pairHistory, type HistoryEvent } from '../../../src/client/history.js';

/** Every invoke has exactly one completion, per process, in order; returns the ops. */
export function assertWellFormed(events: readonly HistoryEvent[]): void {
  const open = new Map<number, HistoryEvent>();
  let lastT = -Infinity;
  for (const e of events) {
    if (e.t < lastT - 1e-9) throw new Error(`time went backwards at ${JSON.stringify(e)}`);
    lastT = e.t;
    if (e.type === 'invoke') {
      if (open.has(e.process)) throw new Error(`process ${e.process} invoked twice without completion`);
      open.set(e.process, e);
    } else {
      const inv = open.get(e.process);
      if (!inv) throw new Error(`completion without invoke: ${JSON.stringify(e)}`);
      if (inv.id !== e.id || inv.f !== e.f || inv.node !== e.node)
        throw new Error(`mismatched completion ${JSON.stringify(e)}`);
      open.delete(e.process);
    }
  }
  if (open.size > 0) throw new Error(`${open.size} invokes without completion`);
  // And the shared pairing agrees.
  const ops = pairHistory(events);
  if (ops.some((o) => o.error === 'no completion recorded')) throw new Error('pairHistory found open ops');
}

export function counts(events: readonly HistoryEvent[]): Record<string, number> {
  const c: Record<string, number> = { invoke: 0, ok: 0, fail: 0, info: 0 };
  for (const e of events) c[e.type] = (c[e.type] ?? 0) + 1;
  return c;
}
