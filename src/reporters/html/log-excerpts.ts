// The lines of each node's log around each fault. Node logs are stamped with the node's
// wall clock (ISO 8601 at the start of the line); they are placed on the run's timeline
// by subtracting the run's wall-clock start. That is only as good as the container's
// clock (a clock-skew fault moves it), so the page says which clock the times come from.

import type { FaultRecord } from '../../core/result.js';

export interface LogLine {
  /** Seconds since the run's origin by the node's clock; null when the line has no stamp. */
  t: number | null;
  text: string;
}

export interface LogExcerpt {
  faultId: string;
  node: string;
  /** Window shown, seconds since the run's origin. */
  from: number;
  to: number;
  lines: LogLine[];
  /** Lines in the window that were left out (beyond `maxLines`). */
  omitted: number;
}

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))\s?/;

export function parseLogLines(text: string, originWallMs: number): LogLine[] {
  const out: LogLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const m = STAMP.exec(raw);
    const wall = m ? Date.parse(m[1]!) : NaN;
    out.push({ t: Number.isFinite(wall) ? (wall - originWallMs) / 1000 : null, text: raw });
  }
  return out;
}

export interface ExcerptOptions {
  /** Seconds shown before the fault was requested. Default 2. */
  before?: number;
  /** Seconds shown after the fault ends (heal, or confirmation when never healed). Default 3. */
  after?: number;
  /** Lines per node and fault. Default 40. */
  maxLines?: number;
}

export function logExcerpts(
  faults: readonly FaultRecord[],
  logs: Record<string, string>,
  originWallMs: number,
  opts: ExcerptOptions = {},
): LogExcerpt[] {
  const before = opts.before ?? 2;
  const after = opts.after ?? 3;
  const maxLines = opts.maxLines ?? 40;
  const parsed = Object.entries(logs).map(([node, text]) => ({ node, lines: parseLogLines(text, originWallMs) }));
  const out: LogExcerpt[] = [];
  for (const f of faults) {
    const from = f.requested_s - before;
    const end = f.healed_s ?? f.confirmed_s ?? f.requested_s;
    const to = end + after;
    for (const { node, lines } of parsed) {
      const inWindow: LogLine[] = [];
      let lastT: number | null = null;
      for (const l of lines) {
        // An unstamped line (a stack trace) belongs with the stamped line before it.
        const t = l.t ?? lastT;
        if (l.t !== null) lastT = l.t;
        if (t !== null && t >= from && t <= to) inWindow.push(l);
      }
      out.push({
        faultId: f.id,
        node,
        from,
        to,
        lines: inWindow.slice(0, maxLines),
        omitted: Math.max(0, inWindow.length - maxLines),
      });
    }
  }
  return out;
}
