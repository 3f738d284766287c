// The marks of a run, on the harness clock: the scenario's own `mark` steps, and during a
// game day the people in the room saying "detected", "mitigated" or a note, from the live
// page (src/live/) or from keys in the terminal. Each mark goes into history.jsonl (the same
// timeline as the operations) and result.json, and wakes whoever waits for it (an `await`
// step with condition mark, the live page).

import type { HistoryWriter } from '../client/history-writer.js';
import type { Clock } from '../core/clock.js';
import type { MarkKind, MarkRecord } from '../core/result.js';

export type MarkSource = NonNullable<MarkRecord['source']>;

export class MarkBoard {
  readonly marks: MarkRecord[] = [];
  private readonly listeners = new Set<(m: MarkRecord) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly history?: HistoryWriter,
  ) {}

  /** Record a mark now; returns it (its t_s is the harness time it was received). */
  add(kind: MarkKind, label: string, source: MarkSource, operator?: string): MarkRecord {
    const t = this.clock.now();
    const m: MarkRecord = { t_s: t / 1000, label, kind, source, ...(operator ? { operator } : {}) };
    this.marks.push(m);
    try {
      this.history?.append({ type: 'mark', t, kind, label, source, ...(operator ? { operator } : {}) });
    } catch {
      // A history closed at the very end of a run: the mark is still in result.json.
    }
    for (const l of this.listeners) l(m);
    return m;
  }

  /** Call `fn` for every mark made from now on; returns the unsubscribe function. */
  subscribe(fn: (m: MarkRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The first mark of `kind` made at or after `sinceS` (harness seconds). */
  firstSince(kind: MarkKind, sinceS: number): MarkRecord | undefined {
    return this.marks.find((m) => m.kind === kind && m.t_s >= sinceS);
  }
}
