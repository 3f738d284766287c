// A fault kind is one file under src/faults/: its name, the parameters a scenario gives it
// (a zod schema per field, with the messages users see), what it needs from the target,
// the mechanism it uses on this host, and `apply`, which returns the way to heal it (like
// Jepsen's nemesis/combined, where every fault comes with the step that heals it). The
// registry (registry.ts) lists the kinds; the scenario schema, the published JSON Schema,
// `drill doctor` and the fault manager are all assembled from it. Faults ask for the
// narrowest interface they need (NodeLifecycle plus the capabilities they name), so a unit
// test can fake two methods.

import type { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { BackupControl } from '../targets/backup.js';
import type { NodeClock, NodeDisk, NodeLifecycle, NodeNetwork, NodeResources, NodeState } from '../targets/target.js';
import type { HostCaps } from './host-caps.js';
import type { FaultKinds } from './registry.js';

export const FAULT_TARGETS = ['primary', 'replica', 'random', 'all', 'minority', 'majority'] as const;
export type TargetSelector = (typeof FAULT_TARGETS)[number];

/** The optional target capabilities a fault can need (Target members of the same names). */
export interface TargetCapabilities {
  network: NodeNetwork;
  clocks: NodeClock;
  disk: NodeDisk;
  backups: BackupControl;
  resources: NodeResources;
}
export type TargetCapability = keyof TargetCapabilities;

/** How a missing capability is named when a fault's step fails for want of it. */
export const CAPABILITY_TEXT: Record<TargetCapability, string> = {
  network: 'network access to the nodes',
  clocks: 'per-node clock control',
  disk: 'a size-bounded data volume',
  backups: 'a backup repository',
  resources: "access to the nodes' containers",
};

/** The fields every fault has, whatever its kind (durations in ms). */
export interface FaultSpecBase {
  /** Always set: the given name, or f1, f2, ... by order of the faults in the file. */
  name: string;
  /** Exactly one of target / node (or groups, for kinds that select by groups) is set. */
  target?: TargetSelector | undefined;
  node?: string | undefined;
  /** With node groups: choose `target` among this group's nodes (default: the data group). */
  group?: string | undefined;
  /** Heal automatically after this many ms. */
  duration?: number | undefined;
  /** Split into these groups of node names instead of target/node vs the rest (kinds that select by groups). */
  groups?: string[][] | undefined;
  /** Game days: hidden from the live page until the team marks it detected. */
  blind?: boolean | undefined;
}

type ParamsOf<K extends keyof FaultKinds> = FaultKinds[K] extends FaultKind<infer P, infer _N> ? P : never;
type ParamKey = { [K in keyof FaultKinds]: keyof ParamsOf<K> }[keyof FaultKinds];

export type FaultKindName = keyof FaultKinds & string;

/**
 * A fault as the scenario states it: the common fields, its kind, and that kind's own
 * parameters (declared in the kind's file). Other kinds' parameters are absent, so any of
 * them can be read from a spec of unknown kind.
 */
export type FaultSpec = {
  [K in FaultKindName]: FaultSpecBase & { kind: K } & ParamsOf<K> & {
      [F in Exclude<ParamKey, keyof ParamsOf<K>>]?: undefined;
    };
}[FaultKindName];

/** What a fault sees while it is applied: the lifecycle, plus the capabilities it declared in `needs`. */
export type FaultContext<N extends TargetCapability = never> = FaultContextBase &
  Partial<TargetCapabilities> &
  Pick<TargetCapabilities, N>;

export interface FaultContextBase {
  lifecycle: NodeLifecycle;
  /** The run id and the fault's id: network rules are tagged drill:<runId>:<faultId>. */
  runId: string;
  faultId: string;
  /** Every node of the cluster (partition needs "the rest"). */
  nodeNames: readonly string[];
  /** What this host offers (kernel features, tools), probed once. */
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
  /** Facts for the record; a fault may add to it while in effect (the manager copies it again on heal). */
  detail?: Record<string, unknown>;
  /** Undo the fault. Idempotent. Must work after the run was aborted. */
  heal(): Promise<void>;
}

/** The mechanism a fault uses on a host (drill doctor prints it), or why it cannot work there. */
export interface Mechanism {
  mechanism: string;
  available: boolean;
  why?: string;
}

/** What a target must set up when its cluster boots, for a kind to work on this host. */
export type BootNeed = 'link-proxy' | 'bounded-disk' | 'faketime';

/** Report a problem with a fault's fields: path relative to the fault map ('' for the map itself). */
export type ParamIssue = (path: string, message: string) => void;

/** A fault kind's scenario parameters: the fields, and how they become the spec's fields. */
export interface FaultParams<P extends object> {
  /** YAML field name -> schema (each optional in the file; `required` names the one that must be set). */
  readonly fields: Readonly<Record<string, z.ZodType>>;
  readonly required?: string | undefined;
  /** Rules across this kind's fields; runs on partial input (fields may have failed their schema). */
  refine?(fields: Record<string, unknown>, issue: ParamIssue): void;
  /** The parsed fields as the spec's fields (called only on a valid fault). */
  toSpec(parsed: Record<string, unknown>): P;
}

/** Typed construction of FaultParams: `toSpec` sees each field's parsed type. */
export function faultParams<S extends Record<string, z.ZodType>, P extends object>(
  fields: S,
  o: {
    required?: keyof S & string;
    refine?: (fields: Record<string, unknown>, issue: ParamIssue) => void;
    toSpec: (parsed: { [K in keyof S]?: z.output<S[K]> }) => P;
  },
): FaultParams<P> {
  return {
    fields,
    required: o.required,
    ...(o.refine ? { refine: o.refine } : {}),
    toSpec: o.toSpec as (parsed: Record<string, unknown>) => P,
  };
}

/** A kind without parameters of its own. */
export const noParams: FaultParams<Record<never, never>> = { fields: {}, toSpec: () => ({}) };

export interface FaultKind<P extends object = object, N extends TargetCapability = never> {
  readonly name: string;
  /** What the fault does, in a few words (the `kind` field's description in the schema). */
  readonly summary: string;
  /** Whether the fault is expected to disrupt the service (RTO is measured for these). */
  readonly disruptive: boolean;
  /** Whether the fault stays in effect until healed (restart heals itself: no duration). */
  readonly lasting: boolean;
  /** What it acts on: nodes by target/node, nodes or groups of nodes, or the backup repository. */
  readonly selects: 'nodes' | 'nodes-or-groups' | 'repository';
  /** The target capabilities it needs; the step fails naming a missing one. */
  readonly needs: readonly N[];
  readonly params: FaultParams<P>;
  /** The mechanism it uses on a host with these capabilities. */
  mechanism(caps: HostCaps): Mechanism;
  /** What the target must set up at boot for this kind on this host (a scenario with it boots that way). */
  bootNeeds?(caps: HostCaps): readonly BootNeed[];
  apply(spec: FaultSpecBase & P, nodes: string[], ctx: FaultContext<N>): Promise<AppliedFault>;
}

/** A fault kind of any parameters, as the registry holds it. */
export type AnyFaultKind = FaultKind<any, any>;

/** Typed construction of a fault kind (infers its parameters and needs). */
export function defineFault<P extends object, N extends TargetCapability = never>(k: FaultKind<P, N>): FaultKind<P, N> {
  return k;
}

/**
 * When these node states were observed: the latest of the instants their hosts' agents saw
 * them, if every one was seen on another host; otherwise now (seen here, just now).
 */
export function seenAt(states: readonly NodeState[], now: number): number {
  const ts = states.map((s) => s.observedT);
  return ts.every((t): t is number => t !== undefined) && ts.length > 0 ? Math.max(...ts) : now;
}

export class FaultNotInEffectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultNotInEffectError';
  }
}

/** The context with every capability `kind` needs, or FaultNotInEffectError naming the missing one. */
export function contextFor<N extends TargetCapability>(
  kind: FaultKind<any, N>,
  ctx: FaultContextBase & Partial<TargetCapabilities>,
): FaultContext<N> {
  for (const cap of kind.needs) {
    if (ctx[cap] === undefined) {
      throw new FaultNotInEffectError(`${kind.name} needs ${CAPABILITY_TEXT[cap]}, which this target does not offer`);
    }
  }
  return ctx as FaultContext<N>;
}

/** FaultNotInEffectError with the reason when the kind's mechanism is unavailable on this host. */
export function mechanismOrThrow(m: Mechanism, kind: string): Mechanism {
  if (!m.available) throw new FaultNotInEffectError(m.why ?? `${kind} is not available on this host`);
  return m;
}

/**
 * Poll `check` until it holds; resolve with the harness time it was observed: now, or the
 * instant `check` returns when the state was observed elsewhere (seenAt: a fault agent's).
 */
export async function confirmWithin(
  ctx: FaultContextBase,
  what: string,
  check: () => Promise<boolean | number>,
  intervalMs = 10,
): Promise<number> {
  const deadline = ctx.clock.now() + ctx.confirmTimeoutMs;
  for (;;) {
    const held = await check();
    if (held !== false) return typeof held === 'number' ? held : ctx.clock.now();
    if (ctx.clock.now() > deadline) {
      throw new FaultNotInEffectError(`${what} not observed within ${ctx.confirmTimeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
