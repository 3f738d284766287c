// The conditions an `await` step waits for. Each is polled until true or the step's
// timeout, which fails the step with the reason.

import type { HistoryEvent } from '../client/history.js';
import type { RoleProbe } from '../targets/target.js';

/** How many consecutive acknowledged writes, invoked after the await began, count as "recovered". */
export const RECOVERED_STREAK = 5;

/**
 * Watches the history as it is written and answers "have writes succeeded again since t?"
 * A streak is consecutive ok completions of writes invoked at or after t; any fail or info
 * resets it.
 */
export class RecoveryWatcher {
  private since = Infinity;
  private streak = 0;
  private readonly invokeT = new Map<number, number>();

  observe(e: HistoryEvent): void {
    if (e.type === 'mark' || e.f === 'read') return;
    if (e.type === 'invoke') {
      this.invokeT.set(e.process, e.t);
      return;
    }
    const t0 = this.invokeT.get(e.process);
    this.invokeT.delete(e.process);
    if (t0 === undefined || t0 < this.since) return;
    this.streak = e.type === 'ok' ? this.streak + 1 : 0;
  }

  reset(since: number): void {
    this.since = since;
    this.streak = 0;
  }

  recovered(): boolean {
    return this.streak >= RECOVERED_STREAK;
  }
}

export async function allHealthy(probe: RoleProbe, nodes: readonly string[]): Promise<{ ok: boolean; down: string[] }> {
  const res = await Promise.all(nodes.map(async (n) => [n, await probe.health(n).catch(() => false)] as const));
  const down = res.filter(([, ok]) => !ok).map(([n]) => n);
  return { ok: down.length === 0, down };
}
