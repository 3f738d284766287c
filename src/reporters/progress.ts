// Live progress while a drill runs. On a TTY one status line is redrawn in place (at most
// ~4 times a second, so a fast workload does not flood the terminal); notable events are
// printed above it. Elsewhere (CI logs, pipes) a redrawn line would be noise: plain
// timestamped lines, a status line at most once a second plus every event.

export interface ProgressSnapshot {
  phase: string;
  elapsedS: number;
  opsPerS: number;
  /** 0..1 */
  errorRate: number;
  leader: string | null;
  activeFaults: string[];
}

export interface ProgressOptions {
  tty: boolean;
  write: (s: string) => void;
  /** Monotonic ms, injectable for tests. Default performance.now. */
  now?: () => number;
  /** Terminal width (TTY only). The redrawn status line is cut to fit: a line that wraps
   *  cannot be cleared with one \r, and every redraw would leave a copy behind. */
  columns?: () => number | undefined;
}

export interface Progress {
  update(snapshot: ProgressSnapshot): void;
  /** A notable event: fault applied, healed, step started. */
  event(line: string): void;
  done(): void;
}

const CLEAR_LINE = '\r\x1b[2K';
const TTY_INTERVAL_MS = 250;
const PLAIN_INTERVAL_MS = 1000;

export function stamp(elapsedS: number): string {
  return `[${elapsedS.toFixed(1).padStart(6)}s]`;
}

export function formatSnapshot(s: ProgressSnapshot): string {
  const parts = [
    `phase=${s.phase}`,
    `ops/s=${Math.round(s.opsPerS)}`,
    `errors=${(Math.round(s.errorRate * 1000) / 10).toFixed(1)}%`,
    `leader=${s.leader ?? 'none'}`,
  ];
  if (s.activeFaults.length > 0) parts.push(`faults=${s.activeFaults.join(',')}`);
  return `${stamp(s.elapsedS)} ${parts.join(' ')}`;
}

export function createProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? (() => performance.now());
  let last: ProgressSnapshot | null = null;
  let lastAt = 0; // now() when `last` arrived
  let lastDrawn = -Infinity;
  let pending = false; // a snapshot arrived but was not drawn (rate limit)
  let closed = false;

  // Events carry the drill's elapsed time, extrapolated from the latest snapshot.
  const elapsedNow = (): number => (last ? last.elapsedS + (now() - lastAt) / 1000 : 0);

  const fit = (line: string): string => {
    const cols = opts.columns?.();
    return cols && cols > 1 && line.length > cols - 1 ? `${line.slice(0, cols - 2)}…` : line;
  };

  const draw = (): void => {
    if (!last) return;
    if (opts.tty) opts.write(`${CLEAR_LINE}${fit(formatSnapshot(last))}`);
    else opts.write(`${formatSnapshot(last)}\n`);
    lastDrawn = now();
    pending = false;
  };

  return {
    update(snapshot) {
      if (closed) return;
      last = snapshot;
      lastAt = now();
      pending = true;
      if (now() - lastDrawn >= (opts.tty ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS)) draw();
    },
    event(line) {
      if (closed) return;
      const text = `${stamp(elapsedNow())} ${line}`;
      if (opts.tty) {
        opts.write(`${CLEAR_LINE}${text}\n`);
        if (last) opts.write(`${CLEAR_LINE}${fit(formatSnapshot(last))}`); // restore the status line below
      } else {
        opts.write(`${text}\n`);
      }
    },
    done() {
      if (closed) return;
      closed = true;
      if (opts.tty) {
        if (last) opts.write(`${CLEAR_LINE}${formatSnapshot(last)}\n`);
      } else if (pending) {
        draw();
      }
    },
  };
}
