// Everything the HTML report draws, read from a run directory: the history, the fault
// journal, the leader timeline and the node logs. Reading from disk (not from the live
// drill's memory) is what lets `drill report <run-dir>` re-render the page of an old run.
// Missing files give empty data: a run aborted before boot still gets a page.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHistory } from '../../client/history-writer.js';
import { pairHistory, type Op } from '../../client/history.js';
import { readJournal, type JournalEvent } from '../../faults/journal.js';
import type { LeaderObservation } from '../../run/leader-watch.js';

export interface RunData {
  ops: Op[];
  journal: JournalEvent[];
  leaders: LeaderObservation[];
  /** Node name -> raw log text. */
  logs: Record<string, string>;
  /** Ids present in the final read (final-read.json), null when there was none. */
  finalIds: string[] | null;
}

export async function readRunData(runDir: string): Promise<RunData> {
  const historyPath = join(runDir, 'history.jsonl');
  const events = existsSync(historyPath) ? await readHistory(historyPath) : [];
  const journalPath = join(runDir, 'faults.jsonl');
  const leadersPath = join(runDir, 'leaders.json');
  const finalPath = join(runDir, 'final-read.json');
  const logs: Record<string, string> = {};
  const logDir = join(runDir, 'logs');
  if (existsSync(logDir)) {
    for (const f of readdirSync(logDir).sort()) {
      if (f.endsWith('.log')) logs[f.slice(0, -'.log'.length)] = readFileSync(join(logDir, f), 'utf8');
    }
  }
  return {
    ops: pairHistory(events),
    journal: existsSync(journalPath) ? readJournal(journalPath) : [],
    leaders: existsSync(leadersPath) ? (JSON.parse(readFileSync(leadersPath, 'utf8')) as LeaderObservation[]) : [],
    logs,
    finalIds: existsSync(finalPath) ? (JSON.parse(readFileSync(finalPath, 'utf8')) as { ids: string[] }).ids : null,
  };
}
