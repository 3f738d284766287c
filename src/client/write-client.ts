// The narrowest interface the workload needs from a target: where requests can go, and
// one operation at a time with a timeout. Everything target-specific (URLs, status
// codes, what an error means) lives behind it, so custom targets only implement this.

import type { OpFunction } from './history.js';

export interface OpRequest {
  f: OpFunction;
  /** Unique id of the element written, or the id read. */
  id: string;
  /** add-edge only: the endpoints. */
  from?: string;
  to?: string;
}

export interface OpResult {
  /**
   * ok: it happened (acknowledged). fail: it certainly did not happen.
   * info: unknown, it may have happened (timeout, connection lost after sending, 5xx).
   * When in doubt, an implementation must answer info, never fail.
   */
  outcome: 'ok' | 'fail' | 'info';
  /** Short machine-readable reason for fail/info, e.g. "timeout", "ECONNREFUSED", "503 no_leader". */
  error?: string;
  /** Reads: whether the element was found. */
  found?: boolean;
  /** ok writes: the SUT's log position of the write, when it reports one. */
  index?: number;
  /**
   * The failure is about the node (cannot connect, timeout, 5xx), not about the request:
   * a smart client should send its next request elsewhere. When absent, the workload
   * rotates on any non-ok outcome whose error does not start with a 4xx status.
   */
  nodeTrouble?: boolean;
}

export interface WriteClient {
  /** The node names requests can go to. */
  nodes(): string[];
  /**
   * Perform one op against `node`, with a timeout; never throws: classify into ok/fail/info.
   * `lane`: the logical client (workload worker, probe) sending it: clients that hold a
   * connection per worker key it by lane.
   */
  perform(node: string, op: OpRequest, timeoutMs: number, lane?: number): Promise<OpResult>;
  /**
   * Where a write the workload would send to `suggested` must go now (writes that follow the
   * primary). Optional: without it, the workload's choice stands. The history records the
   * node returned here.
   */
  route?(suggested: string): Promise<string>;
  close(): Promise<void>;
}
