// The fault journal: one JSON line per event, written (and fsynced) BEFORE a fault is
// applied, so that after a crash of the harness `drill cleanup` knows what may still be
// in effect. Plain data with a fixed set of events.

import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';

export type JournalEvent =
  | {
      event: 'apply';
      id: string;
      kind: string;
      nodes: string[];
      /** The host of each node, when they are spread over hosts: `drill cleanup` reaches those. */
      hosts?: Record<string, string>;
      t: number;
      run_id: string;
      spec: unknown;
    }
  | { event: 'confirmed'; id: string; t: number; mechanism: string; detail?: Record<string, unknown> }
  | { event: 'apply-failed'; id: string; t: number; error: string }
  | { event: 'heal'; id: string; t: number }
  | { event: 'healed'; id: string; t: number; detail?: Record<string, unknown> }
  | { event: 'heal-failed'; id: string; t: number; error: string };

export class FaultJournal {
  private fd: number | null;
  readonly events: JournalEvent[] = [];

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  record(e: JournalEvent): void {
    this.events.push(e);
    if (this.fd === null) return;
    writeSync(this.fd, JSON.stringify(e) + '\n');
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

export function readJournal(path: string): JournalEvent[] {
  const out: JournalEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalEvent);
    } catch {
      // a torn last line after a crash
    }
  }
  return out;
}
