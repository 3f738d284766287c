// Applies faults, keeps track of those in effect, heals them on time, on `heal`, at the
// end of the run and on interrupt. Healing never depends on the run's abort signal: a
// cancelled run still heals everything (Pumba heals with a fresh context). Each heal has
// its own deadline (like Pumba's cleanup timeout), so one hung heal cannot hang the run:
// it is journaled as failed and the run goes on to heal the rest and tear down.

import type { Clock } from '../core/clock.js';
import type { Rng } from '../core/random.js';
import type { FaultRecord } from '../core/result.js';
import type { Target } from '../targets/target.js';
import { contextFor, type AppliedFault, type FaultSpec } from './fault.js';
import type { FaultJournal } from './journal.js';
import { hostCaps } from './host-caps.js';
import { faultKind } from './registry.js';
import { selectionPool, selectNodes } from './selectors.js';

interface ActiveFault {
  spec: FaultSpec;
  record: FaultRecord;
  applied: AppliedFault;
  timer?: NodeJS.Timeout;
  healing?: Promise<void>;
}

export interface FaultManagerOptions {
  /** Give up waiting for one fault's heal after this long (ms). Default 60 s. */
  healTimeoutMs?: number;
}

const HEAL_TIMEOUT_MS = 60_000;

/** `p`, or a rejection naming `what` once `ms` have passed (`p` goes on; its outcome is dropped). */
async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  p.catch(() => undefined); // settled after the deadline: nobody is listening any more
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface FaultEvents {
  onApplied?(record: FaultRecord): void;
  onHealed?(record: FaultRecord): void;
  onError?(message: string): void;
}

export class FaultManager {
  private readonly active = new Map<string, ActiveFault>();
  readonly records: FaultRecord[] = [];

  constructor(
    private readonly target: Target,
    private readonly clock: Clock,
    private readonly journal: FaultJournal,
    private readonly runId: string,
    private readonly rng: Rng,
    private readonly events: FaultEvents = {},
    private readonly options: FaultManagerOptions = {},
  ) {}

  activeNames(): string[] {
    return [...this.active.values()].map((a) => `${a.spec.name}:${a.spec.kind}(${a.record.nodes.join(',')})`);
  }

  /** Each node's host, when the nodes run on other hosts than this one. */
  private hostsOf(nodes: string[]): Record<string, string> | undefined {
    const of = this.target.hostOf?.bind(this.target);
    if (!of) return undefined;
    const hosts = Object.fromEntries(nodes.flatMap((n) => (of(n) !== undefined ? [[n, of(n)!]] : [])));
    return Object.values(hosts).some((h) => h !== 'local') ? hosts : undefined;
  }

  private agentClocks(hosts: Record<string, string> | undefined): Record<string, unknown> | undefined {
    if (!hosts || !this.target.hostClock) return undefined;
    const out: Record<string, unknown> = {};
    for (const h of new Set(Object.values(hosts))) {
      const c = this.target.hostClock(h);
      if (c) out[h] = c;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }

  async apply(spec: FaultSpec): Promise<FaultRecord> {
    const kind = faultKind(spec.kind);
    if (kind === undefined) throw new Error(`unknown fault kind ${spec.kind}`);
    const nodes =
      kind.selects === 'repository'
        ? [] // the repository, not a node
        : spec.groups
          ? spec.groups.flat()
          : await selectNodes(spec, selectionPool(spec, this.target), () => this.target.leader(), this.rng, {
              ...(this.target.describeRoles ? { describeRoles: () => this.target.describeRoles!() } : {}),
            });
    const hosts = this.hostsOf(nodes);
    const requestedT = this.clock.now();
    const record: FaultRecord = {
      id: spec.name,
      kind: spec.kind,
      disruptive: kind.disruptive,
      nodes,
      ...(hosts ? { hosts } : {}),
      requested_s: requestedT / 1000,
      confirmed_s: null,
      injection_latency_s: null,
      healed_s: null,
      mechanism: '',
    };
    this.records.push(record);
    this.journal.record({
      event: 'apply',
      id: spec.name,
      kind: spec.kind,
      nodes,
      ...(hosts ? { hosts } : {}),
      t: requestedT,
      run_id: this.runId,
      spec,
    });
    let applied: AppliedFault;
    try {
      const ctx = contextFor(kind, {
        lifecycle: this.target,
        clock: this.clock,
        confirmTimeoutMs: 15_000,
        runId: this.runId,
        faultId: spec.name,
        nodeNames: this.target.nodeNames,
        network: this.target.network,
        clocks: this.target.clocks,
        disk: this.target.disk,
        backups: this.target.backups,
        resources: this.target.resources,
        caps: hostCaps,
      });
      applied = await kind.apply(spec, nodes, ctx);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.journal.record({ event: 'apply-failed', id: spec.name, t: this.clock.now(), error: msg });
      record.mechanism = `failed: ${msg}`;
      throw e;
    }
    record.confirmed_s = applied.confirmedT / 1000;
    record.injection_latency_s = (applied.confirmedT - requestedT) / 1000;
    record.mechanism = applied.mechanism;
    // Applied through other hosts' agents: how their instants were put on this clock.
    const clocks = this.agentClocks(record.hosts);
    // Into the fault's own detail object: what it adds while in effect (OOM kills, heal's counts) must land in it.
    if (clocks) applied.detail = Object.assign(applied.detail ?? {}, { agent_clocks: clocks });
    if (applied.detail) record.detail = applied.detail;
    this.journal.record({
      event: 'confirmed',
      id: spec.name,
      t: applied.confirmedT,
      mechanism: applied.mechanism,
      ...(applied.detail ? { detail: applied.detail } : {}),
    });
    this.events.onApplied?.(record);
    if (!kind.lasting) {
      record.healed_s = this.clock.now() / 1000;
      this.journal.record({ event: 'healed', id: spec.name, t: this.clock.now() });
      return record;
    }
    const a: ActiveFault = { spec, record, applied };
    this.active.set(spec.name, a);
    if (spec.duration !== undefined) {
      a.timer = setTimeout(() => {
        this.heal(spec.name).catch((e) => this.events.onError?.(`auto-heal of ${spec.name} failed: ${String(e)}`));
      }, spec.duration);
    }
    return record;
  }

  /** Heal one fault by name, or every active fault with "all". Unknown or already healed: no-op. */
  async heal(name: string): Promise<void> {
    if (name === 'all') return this.healAll();
    const a = this.active.get(name);
    if (!a) return;
    if (a.healing) return a.healing;
    if (a.timer) clearTimeout(a.timer);
    a.healing = (async () => {
      this.journal.record({ event: 'heal', id: name, t: this.clock.now() });
      try {
        const ms = this.options.healTimeoutMs ?? HEAL_TIMEOUT_MS;
        await withDeadline(
          Promise.resolve().then(() => a.applied.heal()),
          ms,
          `heal of ${name}`,
        );
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        this.journal.record({ event: 'heal-failed', id: name, t: this.clock.now(), error: msg });
        throw e;
      } finally {
        this.active.delete(name);
        // What the fault observed while in effect (an OOM kill...) is in its detail by now.
        if (a.applied.detail) a.record.detail = { ...a.applied.detail };
      }
      a.record.healed_s = this.clock.now() / 1000;
      this.journal.record({
        event: 'healed',
        id: name,
        t: this.clock.now(),
        ...(a.applied.detail ? { detail: a.record.detail } : {}),
      });
      this.events.onHealed?.(a.record);
    })();
    return a.healing;
  }

  /** Heal everything still in effect; collects errors instead of stopping at the first. */
  async healAll(): Promise<void> {
    const names = [...this.active.keys()];
    const results = await Promise.allSettled(names.map((n) => this.heal(n)));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    if (errors.length) throw new Error(`healing failed: ${errors.join('; ')}`);
  }
}
