// Persistent Raft state: current term and vote. Saved (temp file, fsync, rename, fsync dir)
// synchronously, before the node acts on the new values.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface PersistentState {
  term: number;
  votedFor: string | null;
}

export class RaftStateStore {
  private readonly path: string;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'raft-state.json');
  }

  load(): PersistentState {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { term: 0, votedFor: null };
      throw err;
    }
    const parsed = JSON.parse(text) as unknown;
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      typeof (parsed as PersistentState).term !== 'number' ||
      !((parsed as PersistentState).votedFor === null || typeof (parsed as PersistentState).votedFor === 'string')
    ) {
      throw new Error(`corrupt raft state in ${this.path}`);
    }
    const s = parsed as PersistentState;
    return { term: s.term, votedFor: s.votedFor };
  }

  save(state: PersistentState): void {
    const tmp = this.path + '.tmp';
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify({ term: state.term, votedFor: state.votedFor }));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    const dfd = openSync(this.dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  }
}
