// A container's main process watched in the host's /proc from just before the agent signals
// it: the exit is seen when the process is a zombie or gone (within a millisecond or two),
// well before the engine has handled it. The instant is the agent's own clock; the harness
// converts it (clock-sync.ts). A pid is compared with its start time, so a reused pid is
// never taken for the original still running.
import { readFileSync } from 'node:fs';

/** State letter and start time (clock ticks since boot) of `pid`, or null when it is gone. */
export function procState(procRoot: string, pid: number): { state: string; start: string } | null {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // "pid (comm) S ppid ...": fields follow the last ')' (comm may hold spaces and parentheses).
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', start: fields[19] ?? '' };
}

interface Watch {
  pid: number;
  start: string;
  exitedAt: number | null;
  timer: NodeJS.Timeout | undefined;
}

const POLL_MS = 1;
const GIVE_UP_MS = 60_000;

export class ExitWatches {
  private readonly watches = new Map<string, Watch>();

  constructor(
    private readonly procRoot: string,
    private readonly now: () => number,
  ) {}

  /**
   * Start watching `pid`, the main process of `container`; with `start`, only if the pid is
   * still the process that started then (a pid remembered from an earlier inspect).
   */
  watch(container: string, pid: number, start?: string): boolean {
    this.clear(container);
    const first = procState(this.procRoot, pid);
    if (first === null || first.state === 'Z' || first.state === 'X') return false;
    if (start !== undefined && first.start !== start) return false;
    const w: Watch = { pid, start: first.start, exitedAt: null, timer: undefined };
    const started = this.now();
    w.timer = setInterval(() => {
      const s = procState(this.procRoot, pid);
      if (s === null || s.start !== w.start || s.state === 'Z' || s.state === 'X') {
        w.exitedAt = this.now();
        clearInterval(w.timer);
      } else if (this.now() - started > GIVE_UP_MS) {
        clearInterval(w.timer);
        this.watches.delete(container);
      }
    }, POLL_MS);
    w.timer.unref();
    this.watches.set(container, w);
    return true;
  }

  /**
   * When the watched process of `container` exited, or null (not watched, not yet exited,
   * or the container runs again under another pid: the watch is over).
   */
  exitedAt(container: string, runningPid: number): number | null {
    const w = this.watches.get(container);
    if (!w) return null;
    if (runningPid > 0 && runningPid !== w.pid) {
      this.clear(container);
      return null;
    }
    return w.exitedAt;
  }

  private clear(container: string): void {
    const w = this.watches.get(container);
    if (w?.timer) clearInterval(w.timer);
    this.watches.delete(container);
  }
}
