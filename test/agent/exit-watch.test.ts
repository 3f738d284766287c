// The agent's view of a container's main process in a /proc (here a hand-made one): its state
// and start time parsed past a command name with spaces and parentheses, a remembered pid
// watched only while it is still the process that started then, and its exit seen.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitWatches, procState } from '../../src/agent/exit-watch.js';

const proc = mkdtempSync(join(tmpdir(), 'drill-proc-'));
afterAll(() => rmSync(proc, { recursive: true, force: true }));

/** A /proc/<pid>/stat line: fields 3.. after "pid (comm) ", start time is field 22. */
function stat(pid: number, state: string, start: string, comm = 'node') {
  const fields = [state, ...Array.from({ length: 18 }, () => '0'), start, '0', '0'];
  mkdirSync(join(proc, String(pid)), { recursive: true });
  writeFileSync(join(proc, String(pid), 'stat'), `${pid} (${comm}) ${fields.join(' ')}\n`);
}

describe('exit watches', () => {
  it('reads the state and start time past a command name with spaces and parentheses', () => {
    stat(41, 'S', '777', 'my (odd) name');
    expect(procState(proc, 41)).toEqual({ state: 'S', start: '777' });
    expect(procState(proc, 42)).toBeNull();
  });

  it('watches a remembered pid only while it is the same process, and sees it exit', async () => {
    let now = 1000;
    const w = new ExitWatches(proc, () => now);
    stat(50, 'S', '900');
    expect(w.watch('c1', 50, '899')).toBe(false); // the pid now belongs to another process
    expect(w.watch('c1', 50, '900')).toBe(true);
    expect(w.exitedAt('c1', 50)).toBeNull();
    now = 1234;
    stat(50, 'Z', '900'); // a zombie: exited, not yet reaped
    await new Promise((r) => setTimeout(r, 30));
    expect(w.exitedAt('c1', 0)).toBe(1234);
    rmSync(join(proc, '50'), { recursive: true });
    expect(w.watch('c2', 50)).toBe(false); // gone: nothing to watch
  });
});
