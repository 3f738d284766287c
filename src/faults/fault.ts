// A fault is a small unit: a settings object plus `apply`, which returns the way to heal
// it (like Jepsen's nemesis/combined, where every fault comes with the step that heals
// it). Faults ask for the narrowest interface they need (NodeLifecycle), so a unit test
// can fake two methods.

import type { Clock } from '../core/clock.js';
import type { NodeLifecycle } from '../target/target.js';

export type FaultKindName = 'kill' | 'stop' | 'restart' | 'pause';
export type TargetSelector = 'primary' | 'replica' | 'random' | 'all';

/** A fault as the scenario states it (durations in ms). */
export interface FaultSpec {
  kind: FaultKindName;
  name: string;
  target?: TargetSelector | undefined;
  node?: string | undefined;
  signal?: string | undefined;
  duration?: number | undefined;
}

export interface FaultContext {
  lifecycle: NodeLifecycle;
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
