// Writes follow the primary (SPEC section 8). A store that accepts writes on its primary
// only (Redis, PostgreSQL) needs every write sent to whichever node is primary NOW; the
// tracker keeps that answer fresh without a probe per write:
//
//   - refreshed in the background at least every `refreshMs` (500 ms by default),
//   - refreshed at once when a write to the believed primary fails (`suspect`),
//   - concurrent refreshes share one in-flight lookup.
//
// Where the answer comes from is the caller's: the role probe of every node (the first node
// that claims the role), or a discovery probe that names the primary's address (Sentinel's
// `SENTINEL get-master-addr-by-name`), mapped back to a node.

export interface PrimaryTrackerOptions {
  /** Look the primary up; null when no node is primary right now. */
  lookup(): Promise<string | null>;
  refreshMs?: number;
  now?: () => number;
}

export class PrimaryTracker {
  private current: string | null = null;
  private lastRefresh = -Infinity;
  private inflight: Promise<string | null> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly refreshMs: number;
  private readonly now: () => number;

  constructor(private readonly o: PrimaryTrackerOptions) {
    this.refreshMs = o.refreshMs ?? 500;
    this.now = o.now ?? (() => performance.now());
  }

  /** Start refreshing in the background. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
    void this.refresh();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The believed primary; refreshed first when the answer is older than refreshMs or unknown. */
  async primary(): Promise<string | null> {
    if (this.current !== null && this.now() - this.lastRefresh < this.refreshMs) return this.current;
    return this.refresh();
  }

  /** The believed primary without waiting (null when unknown). */
  peek(): string | null {
    return this.current;
  }

  /** A write to `node` failed: if it was the believed primary, look again now. */
  suspect(node: string): void {
    if (node === this.current) void this.refresh();
  }

  refresh(): Promise<string | null> {
    this.inflight ??= this.o
      .lookup()
      .catch(() => null)
      .then((p) => {
        this.current = p;
        this.lastRefresh = this.now();
        return p;
      })
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }
}
