// Confirming that nodes went down (kill, stop, restart) without polling the engine: each
// node's container is confirmed dead by whichever comes first of
//
//   - its main process seen exited in the host's /proc (a zombie or gone: ~10-30 ms after
//     the signal), when the harness can see it as the container's (src/docker/process-exit.ts);
//   - the engine's `die` event for its container, on a stream opened before the signal is
//     sent (src/docker/events.ts: ~50-100 ms, the engine has handled the exit by then);
//
// and, for a node with neither (a target that does not offer its container ids, or an
// event stream that broke), the engine's inspect polled every 10 ms as before. The instant
// is taken on the harness clock when the last node is confirmed; the request itself
// (`act`) is still awaited, so an engine error fails the fault. A node on another host (a
// swarm task: its state observed by that host's fault agent, `observedT`) has neither a
// process here nor events on this engine: it is polled through its agent, and it counts as
// down at the agent's instant, converted to the harness clock.
import { watchContainerEvents, type EventWatch } from '../docker/events.js';
import { watchProcessExit, type ProcessWatch } from '../docker/process-exit.js';
import { FaultNotInEffectError, type FaultContextBase, type TargetCapabilities } from './fault.js';

export type ExitSeenBy = 'process exit' | 'die event' | 'inspect';

export interface ExitConfirmation {
  /** Harness time the last node was seen down. */
  confirmedT: number;
  /** How each node was seen down. */
  by: Record<string, ExitSeenBy>;
}

const PROC_POLL_MS = 1;
const INSPECT_POLL_MS = 10;
/** How long the engine may take to answer the requests once every node is seen down. */
const ACT_ANSWER_MS = 60_000;

interface Watched {
  node: string;
  id: string | undefined;
  proc: ProcessWatch | null;
  seen: ExitSeenBy | null;
  /** Harness time it was seen down at, when another host's agent saw it. */
  seenT?: number | undefined;
}

/**
 * Run `act` on every node (the signal, the stop request) and resolve once every node's
 * container is seen down; FaultNotInEffectError after ctx.confirmTimeoutMs.
 */
export async function confirmExited(
  ctx: FaultContextBase & Partial<Pick<TargetCapabilities, 'resources'>>,
  nodes: readonly string[],
  act: (node: string) => Promise<void>,
  what: string,
): Promise<ExitConfirmation> {
  if (nodes.length === 0) return { confirmedT: ctx.clock.now(), by: {} };
  const watched: Watched[] = await Promise.all(
    nodes.map(async (node) => {
      const st = await ctx.lifecycle.inspect(node);
      const remote = st.observedT !== undefined;
      const id = remote ? undefined : ctx.resources?.containerId(node);
      const proc = id !== undefined && st.pid !== null ? watchProcessExit(st.pid, id) : null;
      return { node, id, proc, seen: null };
    }),
  );
  const ids = watched.flatMap((w) => (w.id !== undefined ? [w.id] : []));
  let events: EventWatch | null = null;
  let settle: (() => void) | undefined;
  const allSeen = new Promise<void>((r) => (settle = r));
  let confirmedT = 0;
  const see = (w: Watched, by: ExitSeenBy, at?: number) => {
    if (w.seen !== null) return;
    w.seen = by;
    w.seenT = at;
    if (watched.every((x) => x.seen !== null)) {
      const remote = watched.map((x) => x.seenT ?? Number.NEGATIVE_INFINITY);
      confirmedT = watched.every((x) => x.seenT !== undefined) ? Math.max(...remote) : ctx.clock.now();
      settle?.();
    }
  };
  if (ids.length > 0) {
    events = await watchContainerEvents(ids, ['die'], (id) => {
      for (const w of watched) if (w.id === id) see(w, 'die event');
    }).catch(() => null);
  }
  const procTimer = setInterval(() => {
    for (const w of watched) if (w.seen === null && w.proc?.exited()) see(w, 'process exit');
  }, PROC_POLL_MS);
  // Nodes nothing else can see go down (and every node, if the event stream broke) are polled.
  const blind = (w: Watched) => w.proc === null && (events === null || events.broken || w.id === undefined);
  let inspecting = false;
  const inspectTimer = setInterval(() => {
    const pending = watched.filter((w) => w.seen === null && blind(w));
    if (pending.length === 0 || inspecting) return;
    inspecting = true;
    void Promise.all(
      pending.map(async (w) => {
        const s = await ctx.lifecycle.inspect(w.node).catch(() => null);
        if (s !== null && !s.running) see(w, 'inspect', s.observedT);
      }),
    ).finally(() => (inspecting = false));
  }, INSPECT_POLL_MS);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const still = watched.filter((w) => w.seen === null).map((w) => w.node);
      reject(new FaultNotInEffectError(`${what}: ${still.join(', ')} not seen down within ${ctx.confirmTimeoutMs} ms`));
    }, ctx.confirmTimeoutMs);
  });
  const acts = Promise.all(nodes.map((n) => act(n)));
  try {
    // An engine error fails at once; otherwise the nodes seen down, then the requests done.
    await Promise.race([allSeen, late, acts.then(() => new Promise<never>(() => undefined))]);
    clearTimeout(timer);
    // Every node is down: the fault is in effect. A loaded engine can take seconds more to answer the requests
    // (three kills at once took over 15 s on a busy CI machine); their errors still fail the fault, their
    // slowness does not, up to a bound.
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([acts, new Promise<void>((r) => (bound = setTimeout(r, ACT_ANSWER_MS)))]).finally(() =>
      clearTimeout(bound),
    );
  } finally {
    acts.catch(() => undefined);
    clearInterval(procTimer);
    clearInterval(inspectTimer);
    clearTimeout(timer);
    events?.stop();
  }
  const by: Record<string, ExitSeenBy> = {};
  for (const w of watched) by[w.node] = w.seen!;
  return { confirmedT, by };
}

/** "process exit" or "n1: die event, n2: process exit": how the nodes were seen down. */
export function seenBy(by: Record<string, ExitSeenBy>): string {
  const kinds = new Set(Object.values(by));
  if (kinds.size === 1) return [...kinds][0]!;
  return Object.entries(by)
    .map(([n, b]) => `${n}: ${b}`)
    .join(', ');
}
