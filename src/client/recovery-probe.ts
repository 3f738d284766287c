// The recovery probe: while a fault's recovery is pending, the harness sends one real write
// every `intervalMs` (20 ms by default) with a short timeout, on its own logical clients,
// whatever the workload's rate, concurrency and timeouts. Without it, RTO resolution is the
// workload's: with every worker blocked in a 1 s timeout, no write can show a recovery that
// happened in that second. Probe writes are recorded in the history like any other operation
// (flagged `probe`), count in the RTO's sustained run, in availability, and in the RPO check.
//
//   fault confirmed / healed ──> session: a write every 20 ms ──> 25 acknowledged in a row ──> stop
//
// Cost: 1000 / intervalMs writes per second while a session runs (50/s by default), each a
// unique element left in the store. A session ends after `streak` consecutive acknowledged
// probe writes (0.5 s of evidence at the default cadence) or after `maxSessionMs`.
//
// Node choice: a cursor that stays on a node while it acknowledges and moves to the next after
// a probe sent to it fails, so probes do not keep hitting a dead node.

import type { Clock } from '../core/clock.js';
import type { CompletionEvent, HistoryEvent, InvokeEvent } from './history.js';
import type { HistoryWriter } from './history-writer.js';
import type { OpResult, WriteClient } from './write-client.js';

export interface RecoveryProbeOptions {
  client: WriteClient;
  clock: Clock;
  writer: HistoryWriter;
  /** What a probe writes: a vertex (graph) or a key (kv), as the workload does. */
  kind: 'graph' | 'kv';
  /** Period between probe writes, ms. Default 20. */
  intervalMs?: number;
  /** Per-write timeout, ms. Default 250. */
  timeoutMs?: number;
  /** Consecutive acknowledged probe writes that end a session. Default 25. */
  streak?: number;
  /** A session never runs longer than this, ms. Default 120 000. */
  maxSessionMs?: number;
  /** First logical-client number of the probe (distinct from the workload's workers). */
  processBase: number;
  /** Probe writes in flight at most (a slow node must not pile up requests). Default 32. */
  maxInFlight?: number;
  idPrefix?: string;
  onEvent?: (e: HistoryEvent) => void;
}

export class RecoveryProbe {
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly streakNeeded: number;
  private readonly maxSessionMs: number;
  private readonly maxInFlight: number;
  private readonly nodes: string[];
  private readonly free: number[] = [];
  private readonly inflight = new Map<number, { inv: InvokeEvent; done: Promise<void> }>();
  private timer: NodeJS.Timeout | null = null;
  private sessionEnd = 0;
  private streak = 0;
  private cursor = 0;
  /** Invoke time of the latest acknowledged probe: older failures are stale news. */
  private lastOkInvokeT = -Infinity;
  private seq = 0;
  private stopped = false;
  /** Probe writes sent so far. */
  sent = 0;
  /** Sessions started so far. */
  sessions = 0;

  constructor(private readonly o: RecoveryProbeOptions) {
    this.intervalMs = o.intervalMs ?? 20;
    this.timeoutMs = o.timeoutMs ?? 250;
    this.streakNeeded = o.streak ?? 25;
    this.maxSessionMs = o.maxSessionMs ?? 120_000;
    this.maxInFlight = o.maxInFlight ?? 32;
    this.nodes = o.client.nodes();
    if (!(this.intervalMs > 0)) throw new RangeError(`intervalMs: expected > 0, got ${this.intervalMs}`);
    if (!(this.timeoutMs > 0)) throw new RangeError(`timeoutMs: expected > 0, got ${this.timeoutMs}`);
    for (let i = this.maxInFlight - 1; i >= 0; i--) this.free.push(o.processBase + i);
  }

  /** Whether a session is running. */
  get active(): boolean {
    return this.timer !== null;
  }

  /** Start a session (or restart the streak of the running one): a fault took effect or was healed. */
  start(): void {
    if (this.stopped || this.nodes.length === 0) return;
    this.streak = 0;
    this.sessionEnd = this.o.clock.now() + this.maxSessionMs;
    if (this.timer) return;
    this.sessions++;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.tick();
  }

  private endSession(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    if (this.o.clock.now() >= this.sessionEnd) return this.endSession();
    const process = this.free.pop();
    if (process === undefined) return; // every probe client busy: skip this beat
    void this.send(process, this.nodes[this.cursor % this.nodes.length]!);
  }

  private async send(process: number, suggested: string): Promise<void> {
    // A client whose writes follow the primary names the node (the history records it).
    const node = this.o.client.route ? await this.o.client.route(suggested).catch(() => suggested) : suggested;
    const n = ++this.seq;
    const prefix = this.o.idPrefix ?? '';
    // Ids shaped like the workload's (<prefix>k<client>-<seq>), so that a read-back probe
    // matching the workload's ids matches these too.
    const inv: InvokeEvent =
      this.o.kind === 'kv'
        ? { type: 'invoke', process, f: 'put', id: `${prefix}k${process}-${n}`, node, t: 0, probe: true }
        : { type: 'invoke', process, f: 'add-vertex', id: `${prefix}v${process}-${n}`, node, t: 0, probe: true };
    if (this.stopped) {
      this.free.push(process);
      return;
    }
    inv.t = this.o.clock.now();
    this.record(inv);
    this.sent++;
    const done = this.o.client
      .perform(node, { f: inv.f, id: inv.id }, this.timeoutMs, process)
      .catch((e: unknown): OpResult => ({ outcome: 'info', error: `client error: ${String(e)}` }))
      .then((res) => this.complete(process, inv, res, this.o.clock.now()));
    this.inflight.set(process, { inv, done });
  }

  private complete(process: number, inv: InvokeEvent, res: OpResult, t: number): void {
    if (this.inflight.get(process)?.inv !== inv) return; // abandoned at stop
    this.inflight.delete(process);
    this.free.push(process);
    const c: CompletionEvent = { type: res.outcome, process, f: inv.f, id: inv.id, node: inv.node, t };
    if (res.error !== undefined) c.error = res.error;
    if (res.index !== undefined) c.index = res.index;
    this.record(c);
    if (res.outcome === 'ok') {
      this.lastOkInvokeT = Math.max(this.lastOkInvokeT, inv.t);
      if (++this.streak >= this.streakNeeded) this.endSession();
    } else if (inv.t > this.lastOkInvokeT) {
      // A timeout arriving now says the node failed when the probe was SENT: if a probe sent
      // later already succeeded, it is stale news and must not move the cursor off a good node.
      this.streak = 0;
      if (this.nodes[this.cursor % this.nodes.length] === inv.node) this.cursor++;
    }
  }

  private record(e: HistoryEvent): void {
    this.o.writer.append(e);
    try {
      this.o.onEvent?.(e);
    } catch {
      // A progress display must never break the history.
    }
  }

  /** Stop probing; wait for writes in flight (bounded by the timeout), then close the rest as info. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.endSession();
    const pending = [...this.inflight.values()].map((x) => x.done);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(pending),
      new Promise<void>((r) => {
        timer = setTimeout(r, this.timeoutMs + 250);
      }),
    ]);
    clearTimeout(timer);
    const t = this.o.clock.now();
    for (const [process, { inv }] of [...this.inflight]) {
      this.complete(process, inv, { outcome: 'info', error: 'abandoned at stop' }, t);
    }
  }
}
