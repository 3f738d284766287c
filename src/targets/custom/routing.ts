// Where the writes of a custom target go (cluster.custom.write_to), for stores that accept
// writes on their primary only. Each router keeps its answer fresh through a PrimaryTracker
// (src/drivers/primary-tracker.ts): at least every 500 ms, and at once after a failed write.
//
//   primary              the node whose role probe succeeds; while several claim the role (a
//                        split brain), the one writes already go to, as a client with a stale
//                        view would keep doing
//   { node }             a fixed endpoint (a proxy in front of the store)
//   { discover, ... }    the node a discovery probe names (Sentinel's get-master-addr-by-name):
//                        its answer is a node name, or an address mapped back to a node

import { PrimaryTracker } from '../../drivers/primary-tracker.js';
import type { CustomTargetSpec } from '../../scenario/custom-schema.js';
import type { WriteRouter } from './client.js';
import { capture } from './probes/parse.js';
import type { AnyProbe, ProbeOutcome } from './probes/run.js';

export interface RouterHost {
  nodeNames: readonly string[];
  /** Every node whose role probe succeeds now. */
  leaders(): Promise<string[]>;
  /** Run a probe on a node (status lane). */
  probe(p: AnyProbe, node: string): Promise<ProbeOutcome>;
  /** The node's address on the run network, for mapping a discovered address to a node. */
  ip(node: string): Promise<string>;
}

type WriteTo = CustomTargetSpec['write_to'];

class TrackingRouter implements WriteRouter {
  readonly tracker: PrimaryTracker;
  constructor(
    lookup: (current: string | null) => Promise<string | null>,
    private readonly fallback: (suggested: string) => string,
  ) {
    this.tracker = new PrimaryTracker({ lookup: () => lookup(this.tracker.peek()) });
    this.tracker.start();
  }
  async route(suggested: string): Promise<string> {
    return (await this.tracker.primary()) ?? this.fallback(suggested);
  }
  failed(node: string): void {
    this.tracker.suspect(node);
  }
  stop(): void {
    this.tracker.stop();
  }
}

export function createRouter(writeTo: WriteTo, host: RouterHost): (WriteRouter & { stop(): void }) | undefined {
  if (writeTo === 'any') return undefined;
  if (writeTo === 'primary') {
    // No primary known: send it where the workload would have, and let it fail there.
    return new TrackingRouter(
      async (current) => {
        const claim = await host.leaders();
        if (current !== null && claim.includes(current)) return current;
        return claim[0] ?? null;
      },
      (s) => s,
    );
  }
  if ('node' in writeTo) {
    const node = writeTo.node;
    return { route: async () => node, failed: () => {}, stop: () => {} };
  }
  const d = writeTo;
  return new TrackingRouter(
    async () => {
      const order = d.on !== undefined ? [d.on] : [...host.nodeNames];
      for (const n of order) {
        const o = await host.probe(d.discover, n);
        if (o.kind !== 'success') continue;
        const text = d.capture !== undefined ? capture(o.output, d.capture) : o.output.split('\n')[0];
        const found = text === undefined ? null : await nodeOf(text.trim(), host);
        if (found !== null) return found;
      }
      return null;
    },
    (s) => s,
  );
}

/** A discovered primary: a node name, or an address on the run network. */
async function nodeOf(answer: string, host: RouterHost): Promise<string | null> {
  if (host.nodeNames.includes(answer)) return answer;
  for (const n of host.nodeNames) {
    if ((await host.ip(n).catch(() => '')) === answer) return n;
  }
  return null;
}
