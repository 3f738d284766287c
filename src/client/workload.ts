// The client workload: `concurrency` logical clients (Jepsen "processes"), each with at
// most one op in flight, paced to a total `rate` (see rate.ts), writing vertices and
// edges with unique ids and reading them back. Every op is recorded as an invoke event
// immediately before the request is sent and exactly one completion event (ok / fail /
// info, classified by the WriteClient) immediately when the answer arrives, both on the
// harness monotonic clock.
//
// Op mix (seeded, so --seed reproduces it): with probability readShare a read of an
// acknowledged vertex, with probability edgeShare an edge between two acknowledged
// vertices (acknowledged = ok, by any worker, so an edge to a missing vertex is never
// the client's fault), otherwise a new vertex. Until some vertex is acknowledged, reads
// and edges fall back to vertex writes. Ids: `<idPrefix>v<worker>-<seq>` and
// `<idPrefix>e<worker>-<seq>`, seq counting that worker's ops.
//
// Node choice (a "smart client"): worker w starts at node w mod N and sticks to it while
// it answers; after an op whose failure is about the node (connection error, timeout,
// 5xx) the worker moves to the next node. So requests do not keep hammering a dead node
// and the measured RTO reflects the cluster, not a client stuck on a corpse.

import type { Clock } from '../core/clock.js';
import { seededRng } from '../core/random.js';
import type { CompletionEvent, HistoryEvent, InvokeEvent } from './history.js';
import type { HistoryWriter } from './history-writer.js';
import { WorkerPacer, validatePacing } from './rate.js';
import type { OpRequest, OpResult, WriteClient } from './write-client.js';

export interface WorkloadOptions {
  client: WriteClient;
  clock: Clock;
  /** Target total rate, ops/s. */
  rate: number;
  /** Number of logical clients (each with at most one op in flight). */
  concurrency: number;
  /**
   * graph (default): vertex and edge writes. kv: key/value writes (`put`) of unique keys
   * `<idPrefix>k<worker>-<seq>`, no edges (edgeShare must be 0): what custom targets take.
   */
  kind?: 'graph' | 'kv';
  /** Share of ops that are edge writes, in [0, 1]. */
  edgeShare: number;
  /** Share of ops that are reads, in [0, 1]; edgeShare + readShare <= 1. */
  readShare: number;
  /** Per-op timeout, ms: an op with no answer by then completes as info "timeout". */
  timeoutMs: number;
  /** PRNG seed for the op mix. */
  seed: number;
  /** Prefix for element ids, so that several workloads against one cluster never collide. */
  idPrefix?: string;
  /** Called with every event right after it is recorded (live progress). Must be cheap; errors are ignored. */
  onEvent?: (e: HistoryEvent) => void;
  writer: HistoryWriter;
}

export interface WorkloadStats {
  invoked: number;
  ok: number;
  fail: number;
  info: number;
  /** Ops currently in flight. */
  inFlight: number;
  /** Completions per second over the last full second (100 ms buckets). */
  opsPerSLast1s: number;
  /** (fail + info) / completions over the last full second; 0 when nothing completed. */
  errorRateLast1s: number;
}

export interface Workload {
  /** Stop invoking; wait for in-flight ops (bounded by timeoutMs + a grace period). */
  stop(): Promise<void>;
  stats(): WorkloadStats;
}

/** Grace beyond timeoutMs before stop() gives up on an op its client did not time out. */
const STOP_GRACE_MS = 250;
const BUCKET_MS = 100;
const BUCKETS = 16;

export function startWorkload(opts: WorkloadOptions): Workload {
  validateOptions(opts);
  const { client, clock, rate, concurrency, edgeShare, readShare, timeoutMs, writer, onEvent } = opts;
  const prefix = opts.idPrefix ?? '';
  const kind = opts.kind ?? 'graph';
  const nodes = client.nodes();
  if (nodes.length === 0) throw new RangeError('client.nodes(): expected at least one node, got none');

  const acked: string[] = [];
  const inflight: (InvokeEvent | null)[] = new Array<InvokeEvent | null>(concurrency).fill(null);
  const wakers: ((() => void) | null)[] = new Array<(() => void) | null>(concurrency).fill(null);
  let stopping = false;
  let invoked = 0;
  const counts = { ok: 0, fail: 0, info: 0 };
  // Per-100ms buckets of completions and errors, for the last-second figures.
  const bStamp = new Float64Array(BUCKETS).fill(-1);
  const bDone = new Uint32Array(BUCKETS);
  const bErr = new Uint32Array(BUCKETS);

  const record = (e: HistoryEvent): void => {
    writer.append(e);
    if (onEvent) {
      try {
        onEvent(e);
      } catch {
        // A progress display must never break the history.
      }
    }
  };

  const complete = (w: number, inv: InvokeEvent, res: OpResult, t: number): void => {
    inflight[w] = null;
    const c: CompletionEvent = { type: res.outcome, process: w, f: inv.f, id: inv.id, node: inv.node, t };
    if (res.error !== undefined) c.error = res.error;
    if (res.index !== undefined) c.index = res.index;
    if (inv.f === 'read' && res.outcome === 'ok' && res.found !== undefined) c.found = res.found;
    record(c);
    counts[res.outcome]++;
    const b = Math.floor(t / BUCKET_MS);
    const i = b % BUCKETS;
    if (bStamp[i] !== b) {
      bStamp[i] = b;
      bDone[i] = 0;
      bErr[i] = 0;
    }
    bDone[i]!++;
    if (res.outcome !== 'ok') bErr[i]!++;
  };

  const sleepUntil = (w: number, ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakers[w] = null;
        resolve();
      }
      wakers[w] = done;
    });

  const runWorker = async (w: number): Promise<void> => {
    const rng = seededRng(workerSeed(opts.seed, w));
    const pacer = new WorkerPacer(rate, concurrency, w, clock.now());
    let nodeIdx = w % nodes.length;
    let seq = 0;
    let spins = 0;
    while (!stopping) {
      const at = pacer.next(clock.now());
      const wait = at - clock.now();
      // Timers have 1 ms granularity: less than that to wait, invoke now (at most 1 ms
      // early; the schedule itself stays on its grid, so the rate is unaffected).
      if (wait >= 1) {
        spins = 0;
        await sleepUntil(w, wait);
        if (stopping) break;
      } else if (++spins >= 16) {
        // Far behind (or an instant client): let timers and I/O run.
        spins = 0;
        await new Promise<void>((r) => setImmediate(r));
        if (stopping) break;
      }

      // Three draws per op, always, so the op mix does not depend on timing.
      const r0 = rng();
      const r1 = rng();
      const r2 = rng();
      seq++;
      const op = chooseOp(w, seq, r0, r1, r2);
      const node = client.route ? await client.route(nodes[nodeIdx]!) : nodes[nodeIdx]!;
      const inv: InvokeEvent = { type: 'invoke', process: w, f: op.f, id: op.id, node, t: 0 };
      if (op.from !== undefined) {
        inv.from = op.from;
        inv.to = op.to!;
      }
      inflight[w] = inv;
      invoked++;
      inv.t = clock.now();
      record(inv);
      let res: OpResult;
      try {
        res = await client.perform(node, op, timeoutMs, w);
      } catch (e) {
        // perform must not throw; if it does, we cannot know whether the op happened.
        res = { outcome: 'info', error: `client error: ${(e as Error)?.message ?? String(e)}`, nodeTrouble: true };
      }
      const t = clock.now();
      if (inflight[w] !== inv) break; // already completed as abandoned by stop()
      complete(w, inv, res, t);
      if (res.outcome === 'ok') {
        if (op.f === 'add-vertex' || op.f === 'put') acked.push(op.id);
      } else if (res.nodeTrouble ?? !/^4\d\d\b/.test(res.error ?? '')) {
        nodeIdx = (nodeIdx + 1) % nodes.length;
      }
    }
  };

  const chooseOp = (w: number, seq: number, r0: number, r1: number, r2: number): OpRequest => {
    const n = acked.length;
    if (n > 0 && r0 < readShare) {
      return { f: 'read', id: acked[Math.floor(r1 * n)]! };
    }
    if (n > 0 && r0 < readShare + edgeShare) {
      const a = Math.floor(r1 * n);
      let b = Math.floor(r2 * n);
      if (b === a && n > 1) b = (b + 1) % n; // avoid self-loops when we can
      return { f: 'add-edge', id: `${prefix}e${w}-${seq}`, from: acked[a]!, to: acked[b]! };
    }
    if (kind === 'kv') return { f: 'put', id: `${prefix}k${w}-${seq}` };
    return { f: 'add-vertex', id: `${prefix}v${w}-${seq}` };
  };

  const workers: Promise<void>[] = [];
  for (let w = 0; w < concurrency; w++) workers.push(runWorker(w));
  const allDone = Promise.all(workers);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      for (const wake of wakers) wake?.();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((r) => {
        timer = setTimeout(r, timeoutMs + STOP_GRACE_MS);
      });
      await Promise.race([allDone, deadline]);
      clearTimeout(timer);
      // A client that ignored its timeout: the op's outcome is unknown.
      const t = clock.now();
      for (let w = 0; w < concurrency; w++) {
        const inv = inflight[w];
        if (inv) complete(w, inv, { outcome: 'info', error: 'abandoned at stop' }, t);
      }
    })();
    return stopped;
  };

  const stats = (): WorkloadStats => {
    const cur = Math.floor(clock.now() / BUCKET_MS);
    let done = 0;
    let err = 0;
    // The last 10 complete buckets: exactly one second, up to 100 ms old.
    for (let b = cur - 10; b < cur; b++) {
      const i = ((b % BUCKETS) + BUCKETS) % BUCKETS;
      if (bStamp[i] === b) {
        done += bDone[i]!;
        err += bErr[i]!;
      }
    }
    let inFlight = 0;
    for (const x of inflight) if (x) inFlight++;
    return {
      invoked,
      ok: counts.ok,
      fail: counts.fail,
      info: counts.info,
      inFlight,
      opsPerSLast1s: (done * 1000) / (10 * BUCKET_MS),
      errorRateLast1s: done === 0 ? 0 : err / done,
    };
  };

  return { stop, stats };
}

function validateOptions(o: WorkloadOptions): void {
  validatePacing(o.rate, o.concurrency);
  const share = (name: string, v: number) => {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${name}: expected a share in [0, 1], got ${v}`);
  };
  share('edgeShare', o.edgeShare);
  share('readShare', o.readShare);
  if (o.kind === 'kv' && o.edgeShare !== 0)
    throw new RangeError(`edgeShare: expected 0 for kind kv (no edges), got ${o.edgeShare}`);
  if (o.edgeShare + o.readShare > 1) {
    throw new RangeError(`edgeShare + readShare: expected <= 1, got ${o.edgeShare} + ${o.readShare}`);
  }
  if (!(o.timeoutMs > 0)) throw new RangeError(`timeoutMs: expected > 0, got ${o.timeoutMs}`);
  if (!Number.isFinite(o.seed)) throw new RangeError(`seed: expected a finite number, got ${o.seed}`);
}

/** Independent per-worker streams from one seed. */
function workerSeed(seed: number, w: number): number {
  return (Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(w + 1, 0xc2b2ae35)) >>> 0;
}
