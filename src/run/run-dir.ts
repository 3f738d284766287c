// The store: one directory per run (<out>/<scenario>/<timestamp>/) holding result.json,
// history.jsonl, the fault journal, node logs and the reports, plus `<out>/latest`
// pointing at the newest run (Jepsen's store.clj).

import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, symlinkSync, unlinkSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export interface RunDir {
  runId: string;
  dir: string;
  history: string;
  journal: string;
  logs: string;
  result: string;
}

function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const date = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`;
  return `${date}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

export function createRunDir(outDir: string, scenarioName: string, now = new Date()): RunDir {
  const ts = stamp(now);
  const suffix = randomBytes(2).toString('hex');
  // Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-]; keep the id short and sortable.
  const runId = `${ts.slice(2, 8)}${ts.slice(9, 15)}-${suffix}`.toLowerCase();
  const dir = resolve(outDir, scenarioName, `${ts}-${suffix}`);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  pointLatest(outDir, dir);
  return {
    runId,
    dir,
    history: join(dir, 'history.jsonl'),
    journal: join(dir, 'faults.jsonl'),
    logs: join(dir, 'logs'),
    result: join(dir, 'result.json'),
  };
}

/** Atomically repoint <out>/latest at the run directory (relative link, survives moving the tree). */
function pointLatest(outDir: string, dir: string): void {
  const link = resolve(outDir, 'latest');
  const tmp = `${link}.${process.pid}.tmp`;
  try {
    try {
      unlinkSync(tmp);
    } catch {
      /* not there */
    }
    symlinkSync(relative(resolve(outDir), dir), tmp);
    renameSync(tmp, link);
  } catch {
    // A filesystem without symlinks: the printed path is enough.
  }
}
