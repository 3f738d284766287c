// A fault is a small unit: a settings object plus `apply`, which returns the way to heal
// it (like Jepsen's nemesis/combined, where every fault comes with the step that heals
// it). Faults ask for the narrowest interface they need (NodeLifecycle), so a unit test
// can fake two methods.

import type { Clock } from '../core/clock.js';
import type { NodeClock, NodeDisk, NodeLifecycle, NodeNetwork } from '../targets/target.js';
import type { HostCaps } from './host-caps.js';
import type { BackupControl } from '../targets/backup.js';

export type FaultKindName =
  | 'kill'
  | 'stop'
  | 'restart'
  | 'pause'
  | 'partition'
  | 'delay'
  | 'loss'
  | 'duplicate'
  | 'bandwidth'
  | 'clock-skew'
  | 'disk-full'
  | 'backup-storage';
export type TargetSelector = 'primary' | 'replica' | 'random' | 'all' | 'minority' | 'majority';

/** A fault as the scenario states it (durations in ms). */
export interface FaultSpec {
  kind: FaultKindName;
  name: string;
  target?: TargetSelector | undefined;
  node?: string | undefined;
  signal?: string | undefined;
  duration?: number | undefined;
  /** partition: split into these groups (node names) instead of target/node vs the rest. */
  groups?: string[][] | undefined;
  /** partition: only the first group (or the target) is cut off from the others, not back. */
  oneWay?: boolean | undefined;
  /** delay: ms added to every packet/chunk the node sends to its peers; jitter: +- ms. */
  delayMs?: number | undefined;
  jitterMs?: number | undefined;
  /** loss / duplicate: percent of packets (0..100). */
  percent?: number | undefined;
  /** bandwidth: a tc rate, e.g. "1mbit". */
  rate?: string | undefined;
  /** clock-skew: offset of the node's wall clock, seconds (may be negative). */
  offsetS?: number | undefined;
  /** backup-storage: what happens to the repository. */
  mode?: 'unavailable' | 'read-only' | 'corrupt' | undefined;
  /** Game days: hidden from the live page until the team marks it detected. */
  blind?: boolean | undefined;
}

export interface FaultContext {
  lifecycle: NodeLifecycle;
  /** The run id and the fault's id: network rules are tagged drill:<runId>:<faultId>. */
  runId: string;
  faultId: string;
  /** Every node of the cluster (partition needs "the rest"). */
  nodeNames: readonly string[];
  /** Optional target capabilities; a fault that needs a missing one fails with the reason. */
  net?: NodeNetwork | undefined;
  clocks?: NodeClock | undefined;
  disk?: NodeDisk | undefined;
  /** The backup repository (backup-storage faults). */
  backups?: BackupControl | undefined;
  /** What this host's kernel offers (netem, tbf, iptables statistic), probed once. */
  caps(): Promise<HostCaps>;
  clock: Clock;
  /** Give up confirming after this long (ms). */
  confirmTimeoutMs: number;
}

export interface AppliedFault {
  /** Harness time the fault was observed in effect. */
  confirmedT: number;
  /** How it was applied and how it was verified, in words, for the report. */
  mechanism: string;
  detail?: Record<string, unknown>;
  /** Undo the fault. Idempotent. Must work after the run was aborted. */
  heal(): Promise<void>;
}

export interface FaultKind {
  readonly name: FaultKindName;
  /** Whether the fault is expected to disrupt the service (RTO is measured for these). */
  readonly disruptive: boolean;
  /** Whether the fault stays in effect until healed (restart heals itself). */
  readonly lasting: boolean;
  apply(spec: FaultSpec, nodes: string[], ctx: FaultContext): Promise<AppliedFault>;
}

export class FaultNotInEffectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultNotInEffectError';
  }
}

/** Poll `check` until it returns true; resolve with the harness time it first did. */
/** The capability a fault needs, or FaultNotInEffectError naming what is missing. */
export function need<T>(cap: T | undefined, fault: string, what: string): T {
  if (cap === undefined) throw new FaultNotInEffectError(`${fault} needs ${what}, which this target does not offer`);
  return cap;
}

export async function confirmWithin(
  ctx: FaultContext,
  what: string,
  check: () => Promise<boolean>,
  intervalMs = 10,
): Promise<number> {
  const deadline = ctx.clock.now() + ctx.confirmTimeoutMs;
  for (;;) {
    if (await check()) return ctx.clock.now();
    if (ctx.clock.now() > deadline) {
      throw new FaultNotInEffectError(`${what} not observed within ${ctx.confirmTimeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
