// The operation history: every client operation is recorded as an invoke event and
// exactly one completion event, on the harness's monotonic clock (ms since run origin).
//   ok   - it happened (acknowledged)
//   fail - it certainly did not happen (refused before any effect, e.g. connection refused, 4xx)
//   info - unknown (timeout, connection lost mid-request, 5xx after forwarding): it may have happened
// Stored as JSON lines (history.jsonl), one event per line.

/** put: a key/value write (workload kind kv, custom targets). The one list of operation kinds. */
export type OpFunction = 'add-vertex' | 'add-edge' | 'put' | 'read';
export type Outcome = 'ok' | 'fail' | 'info';

export interface InvokeEvent {
  type: 'invoke';
  /** Worker (logical client) number. */
  process: number;
  f: OpFunction;
  /** Unique id of the element written (or read). */
  id: string;
  /** Node the request was sent to. */
  node: string;
  /** Harness monotonic time, ms since the run's origin. */
  t: number;
  /** For add-edge: the vertices it references. */
  from?: string;
  to?: string;
  /**
   * A recovery probe's write (src/client/recovery-probe.ts): sent at a fixed cadence while a
   * fault's recovery is pending, recorded and checked like every other write.
   */
  probe?: true;
}

export interface CompletionEvent {
  type: Outcome;
  process: number;
  f: OpFunction;
  id: string;
  node: string;
  t: number;
  /** Short machine-readable reason for fail/info, e.g. "timeout", "ECONNREFUSED", "503 no_leader". */
  error?: string;
  /** ok writes: the SUT's log position of the write, when it reports one (resolves writes concurrent with a backup). */
  index?: number;
  /** ok reads: whether the element read was there (a miss of an acknowledged write is a stale read). */
  found?: boolean;
}

/**
 * A human mark on the timeline (game days: detected, mitigated, a note), on the same clock
 * as the operations. Not an operation: pairHistory skips it.
 */
export interface MarkEvent {
  type: 'mark';
  t: number;
  kind: 'note' | 'detected' | 'mitigated';
  label: string;
  operator?: string;
  source: 'scenario' | 'live' | 'terminal';
}

export type HistoryEvent = InvokeEvent | CompletionEvent | MarkEvent;

/** Operation events only (marks are on the same timeline but are not operations). */
export function isOpEvent(e: HistoryEvent): e is InvokeEvent | CompletionEvent {
  return e.type !== 'mark';
}

/** An invoke paired with its completion: what checkers work on. */
export interface Op {
  process: number;
  f: OpFunction;
  id: string;
  node: string;
  invokeT: number;
  /** Completion time; for an op still open at the end of the history, the history's end and outcome 'info'. */
  completeT: number;
  outcome: Outcome;
  error?: string;
  /** ok writes: the SUT's log position, when reported. */
  index?: number;
  /** ok reads: whether the element was found. */
  found?: boolean;
  /** A recovery probe's write. */
  probe?: true;
  from?: string;
  to?: string;
}

export function isWrite(op: { f: OpFunction }): boolean {
  return op.f === 'add-vertex' || op.f === 'add-edge' || op.f === 'put';
}

/**
 * Pair invoke and completion events into ops (by process: each process has at most one
 * op in flight). An invoke with no completion becomes 'info' completing at `endT`.
 */
export function pairHistory(events: readonly HistoryEvent[], endT?: number): Op[] {
  const open = new Map<number, InvokeEvent>();
  const ops: Op[] = [];
  let lastT = 0;
  for (const e of events) {
    lastT = Math.max(lastT, e.t);
    if (e.type === 'mark') continue;
    if (e.type === 'invoke') {
      open.set(e.process, e);
      continue;
    }
    const inv = open.get(e.process);
    if (!inv) continue;
    open.delete(e.process);
    const op: Op = {
      process: inv.process,
      f: inv.f,
      id: inv.id,
      node: inv.node,
      invokeT: inv.t,
      completeT: e.t,
      outcome: e.type,
    };
    if (e.error !== undefined) op.error = e.error;
    if (e.index !== undefined) op.index = e.index;
    if (e.found !== undefined) op.found = e.found;
    if (inv.probe) op.probe = true;
    if (inv.from !== undefined) op.from = inv.from;
    if (inv.to !== undefined) op.to = inv.to;
    ops.push(op);
  }
  for (const inv of open.values()) {
    const op: Op = {
      process: inv.process,
      f: inv.f,
      id: inv.id,
      node: inv.node,
      invokeT: inv.t,
      completeT: endT ?? lastT,
      outcome: 'info',
      error: 'no completion recorded',
    };
    if (inv.probe) op.probe = true;
    if (inv.from !== undefined) op.from = inv.from;
    if (inv.to !== undefined) op.to = inv.to;
    ops.push(op);
  }
  ops.sort((a, b) => a.invokeT - b.invokeT);
  return ops;
}

/** What the harness read back from the SUT after recovery. */
export interface FinalRead {
  /** Ids of every element present (vertices and edges), read from the leader until stable. */
  ids: string[];
  /** Edges present, with their endpoints, for the dangling-edge check. */
  edges: { id: string; from: string; to: string }[];
  /** Vertex ids present. */
  vertices: string[];
  /** Checksum reported by each node (node name -> checksum), null where the node did not answer. */
  checksums: Record<string, string | null>;
  /** Harness time the final read completed. */
  t: number;
  /**
   * Two consecutive full reads were identical. False: the data was still changing when the
   * read gave up, so absences cannot be scored as certain (rpo.lost is then unknown).
   * Absent in runs recorded before this field existed (taken as stable).
   */
  stable?: boolean;
}
