// history.jsonl: one HistoryEvent per line, appended while the drill runs.
//
// The hot path (append) only pushes the event onto an in-memory array, which checkers
// read at the end; serialisation and the file write happen off the hot path, every
// `flushIntervalMs` (200 ms by default) and on close. A crash therefore loses at most
// the last interval, and may leave a truncated last line, which readHistory tolerates.
// close() fsyncs, so a completed run's history is durable.
//
// A flush serialises in slices of SLICE events and lets the event loop run between them:
// at 20,000 ops/s an interval holds 8,000 events, ~10 ms of JSON at once, which would hold
// back every answer arriving meanwhile and show up as latency the system never had.

import { open, readFile, type FileHandle } from 'node:fs/promises';
import type { HistoryEvent } from './history.js';

/** Events serialised between two turns of the event loop (~1 ms of JSON). */
const SLICE = 1000;

export interface HistoryWriterOptions {
  /** Flush period, ms. Default 200. */
  flushIntervalMs?: number;
}

export class HistoryWriter {
  /** Every event appended, in order (also the checkers' input). */
  readonly events: HistoryEvent[] = [];
  private flushed = 0;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private firstError: Error | undefined;

  private constructor(
    private readonly fh: FileHandle | null,
    /** The file written, or null for an in-memory writer. */
    readonly path: string | null,
    flushIntervalMs: number,
  ) {
    if (fh) {
      this.timer = setInterval(() => void this.flush().catch(() => {}), flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Create (or truncate) `path` and write the history there. */
  static async open(path: string, opts: HistoryWriterOptions = {}): Promise<HistoryWriter> {
    const interval = opts.flushIntervalMs ?? 200;
    if (!(interval > 0)) throw new RangeError(`flushIntervalMs: expected > 0, got ${interval}`);
    const fh = await open(path, 'w');
    return new HistoryWriter(fh, path, interval);
  }

  /** A writer that only keeps events in memory (tests, dry runs). */
  static inMemory(): HistoryWriter {
    return new HistoryWriter(null, null, 0);
  }

  append(e: HistoryEvent): void {
    if (this.closed) throw new Error('HistoryWriter: append after close');
    this.events.push(e);
  }

  /** The first write error, if any (also thrown by close()). */
  get error(): Error | undefined {
    return this.firstError;
  }

  /** Write every event appended so far. Flushes are serialised. */
  flush(): Promise<void> {
    const fh = this.fh;
    if (!fh) return Promise.resolve();
    this.chain = this.chain.then(async () => {
      const to = this.events.length;
      const from = this.flushed;
      while (this.flushed < to && !this.firstError) {
        if (this.flushed > from) await new Promise<void>((r) => setImmediate(r));
        const end = Math.min(to, this.flushed + SLICE);
        let s = '';
        for (let i = this.flushed; i < end; i++) s += JSON.stringify(this.events[i]) + '\n';
        this.flushed = end;
        try {
          await fh.writeFile(s, 'utf8'); // at the current position: appends
        } catch (e) {
          this.firstError ??= e as Error;
        }
      }
    });
    return this.chain;
  }

  /** Flush, fsync and close the file. Throws the first write error, if any. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.fh) {
      await this.flush();
      try {
        await this.fh.sync();
      } catch (e) {
        this.firstError ??= e as Error;
      }
      await this.fh.close();
    }
    if (this.firstError) throw this.firstError;
  }
}

/**
 * Read a history.jsonl. A last line that does not parse (a run that crashed mid-write)
 * is dropped; an unparseable line anywhere else is corruption and throws.
 */
export async function readHistory(path: string): Promise<HistoryEvent[]> {
  const text = await readFile(path, 'utf8');
  return parseHistory(text, path);
}

export function parseHistory(text: string, source = 'history'): HistoryEvent[] {
  const lines = text.split('\n');
  const events: HistoryEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      if (isLastNonEmpty(lines, i)) break;
      throw new Error(`${source}:${i + 1}: not a JSON history event: ${line.slice(0, 80)}`);
    }
    if (!isEvent(e)) {
      if (isLastNonEmpty(lines, i)) break;
      throw new Error(`${source}:${i + 1}: not a history event: ${line.slice(0, 80)}`);
    }
    events.push(e);
  }
  return events;
}

function isLastNonEmpty(lines: string[], i: number): boolean {
  for (let j = i + 1; j < lines.length; j++) if (lines[j]!.trim() !== '') return false;
  return true;
}

const TYPES = new Set(['invoke', 'ok', 'fail', 'info']);
function isEvent(e: unknown): e is HistoryEvent {
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  if (o.type === 'mark') return typeof o.t === 'number' && typeof o.kind === 'string' && typeof o.label === 'string';
  return (
    typeof o.type === 'string' &&
    TYPES.has(o.type) &&
    typeof o.process === 'number' &&
    typeof o.f === 'string' &&
    typeof o.id === 'string' &&
    typeof o.t === 'number'
  );
}
