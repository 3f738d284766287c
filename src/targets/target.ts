// The target seam: everything the harness needs from a system under test, and nothing
// more. graph-agent (src/targets/graph-agent/) and custom targets defined in the scenario
// (src/targets/custom/) implement it; createTarget (create.ts) is the one place that knows
// both. Code specific to one system stays behind this seam: a target declares what it
// supports (workload kinds here, backup capabilities and refusal reasons in backup.ts)
// instead of generic code asking which target it is.

import type { FinalReadSource } from '../client/final-read.js';
import type { WriteClient } from '../client/write-client.js';
import type { Netns } from '../docker/netns.js';
import type { ResourceOps } from '../faults/resource-ops.js';
import type { WorkloadKind } from '../scenario/workload-schema.js';
import type { BackupControl } from './backup.js';

export interface NodeState {
  running: boolean;
  paused: boolean;
  /** Host pid of the node's main process (for network-namespace faults); null when not running. */
  pid: number | null;
  exitCode: number | null;
  /**
   * Harness time the state was observed, when it was observed on another host (a fault
   * agent's clock, converted): a confirmation taken from it is the agent's instant, not the
   * moment its answer arrived. Absent: observed now.
   */
  observedT?: number | undefined;
}

/**
 * Told when booting a target has to build its image first (a fresh machine, changed code),
 * so the drill shows the build as its own phase: `start` as the build begins, `done` with
 * its duration on the harness clock.
 */
export type ImageBuildListener = (
  e: { phase: 'start'; tag: string } | { phase: 'done'; tag: string; ms: number },
) => void;

/** Lifecycle operations, the narrow interface process faults need (kill, stop, pause...). */
export interface NodeLifecycle {
  kill(node: string, signal: string): Promise<void>;
  stop(node: string): Promise<void>;
  start(node: string): Promise<void>;
  restart(node: string): Promise<void>;
  pause(node: string): Promise<void>;
  unpause(node: string): Promise<void>;
  inspect(node: string): Promise<NodeState>;
}

/** What the harness asks the SUT about its health and roles. */
export interface RoleProbe {
  /** True when the node answers its health probe. */
  health(node: string): Promise<boolean>;
  /** The node every healthy node agrees is primary/leader, or null when there is none. */
  leader(): Promise<string | null>;
  /**
   * Every node that currently claims to lead, highest term first. More than one at a
   * time is a split brain. Optional: targets that cannot tell implement leader() only.
   */
  leaders?(): Promise<string[]>;
  /** What each node's role probe answered, in one line (for "no primary" errors). Optional. */
  describeRoles?(): Promise<string>;
}

/**
 * Network access to the nodes, for network faults (partition, loss, delay, bandwidth).
 * Optional: a target without it cannot take network faults (the step fails and says so).
 */
export interface NodeNetwork {
  /**
   * The network namespace of a running node: its host pid (faults enter it with `nsenter -t
   * <pid> -n`), or on another host, a handle its fault agent runs the commands through.
   */
  pid(node: string): Promise<Netns>;
  /** The node's address on the run network. */
  ip(node: string): Promise<string>;
  /** The TCP port nodes serve each other on (for port-level one-way cuts), if there is one. */
  readonly peerPort?: number | undefined;
  /** The link proxy node-to-node traffic runs through, when the target started one. */
  readonly links?: LinkControl | undefined;
}

/**
 * The harness's userspace link proxy (delay and jitter where the kernel has no netem).
 * Every directed link `from -> to` (connections `from` opens to `to`) has its own port.
 */
export interface LinkControl {
  /** Where `from`'s connections to `to` go: the proxy's address and this link's port. */
  endpoint(from: string, to: string): { ip: string; port: number };
  /** Delay bytes travelling from node `from` to node `to` (0, 0: none). */
  setDelay(from: string, to: string, delayMs: number, jitterMs: number): void;
  /** Chunks delivered from `from` to `to` with a delay >= `minMs` since the proxy started. */
  delayedChunks(from: string, to: string, minMs: number): number;
  /**
   * performance.now() at which the earliest chunk enqueued at or after `sincePerf` and held
   * at least `minMs` entered the delay queue (the moment the delay took hold), or null.
   */
  firstHeldSince(from: string, to: string, minMs: number, sincePerf: number): number | null;
}

/** Per-node wall clock control (clock-skew faults). Never touches the host clock. */
export interface NodeClock {
  /** Set the node's wall-clock offset in seconds (0 = none). */
  setClockOffset(node: string, offsetS: number): Promise<void>;
  /** The node's wall clock (ms since the epoch) as the SUT reports it; null if it cannot be read. */
  readClock(node: string): Promise<number | null>;
  /** Why a skew cannot take effect on this target (e.g. a static binary), or null when it can. */
  skewBlocker(): Promise<string | null>;
}

/** A node's data volume, bounded in size (disk-full faults). */
export interface NodeDisk {
  /** Fill the node's data volume; bytes still free afterwards. */
  fillDisk(node: string): Promise<{ freeBytes: number; balloonBytes: number; volume: string }>;
  /** Delete what fillDisk wrote. Idempotent. */
  freeDisk(node: string): Promise<void>;
  /** Free bytes on the node's data volume, null when it cannot be read (node down). */
  diskFree(node: string): Promise<number | null>;
}

/** The node's container, for resource faults (memory, cpu, io-limit), which act on its cgroup. */
export interface NodeResources {
  /** The node's container id on its host; undefined when it has none (not created, or destroyed). */
  containerId(node: string): string | undefined;
  /** Names of the node's data volumes (io-limit throttles the block devices under them). */
  dataVolumes(node: string): string[];
  /** The resource operations of the node's host: this process on one Docker host, its agent on a swarm. */
  ops(node: string): ResourceOps;
}

export interface Target extends NodeLifecycle, RoleProbe {
  /** Network faults' access to the nodes (optional capability). */
  readonly network?: NodeNetwork | undefined;
  /** Clock-skew faults' access to the nodes' clocks (optional capability). */
  readonly clocks?: NodeClock | undefined;
  /** Disk-full faults' access to the nodes' data volumes (optional capability). */
  readonly disk?: NodeDisk | undefined;
  /** Resource faults' access to the nodes' containers (optional capability). */
  readonly resources?: NodeResources | undefined;
  /** Backup, destroy, restore (optional capability; docs/backup-restore.md). */
  readonly backups?: BackupControl | undefined;

  /** Run an argument list inside a node's container (the `exec` step with `in:`); optional. */
  exec?(node: string, argv: string[], timeoutMs: number): Promise<{ exitCode: number; stdout: string; stderr: string }>;

  readonly kind: string;
  /** The workload kinds this target takes; the first is the default when the scenario names none. */
  readonly workloads: readonly [WorkloadKind, ...WorkloadKind[]];
  /** Node names, e.g. n1..n3, fixed for the run. */
  readonly nodeNames: readonly string[];
  /**
   * With node groups (cluster.groups / compose): the nodes that carry the data, among which the primary is, and
   * every group's nodes (fault selectors `group:`). Absent: every node carries the data.
   */
  readonly dataNodes?: readonly string[];
  nodeGroups?(): Record<string, readonly string[]>;
  /** The host a node runs on ('local' on one Docker host); optional. */
  hostOf?(node: string): string | undefined;
  /**
   * How instants observed on a host (by its fault agent) were converted to the harness
   * clock: the agent clock's offset and the error of its measurement, ms; null for this host.
   */
  hostClock?(host: string): { clock_offset_ms: number; clock_error_ms: number } | null;
  /** Boot the cluster and wait until it is ready to serve (a leader is elected). */
  boot(signal?: AbortSignal): Promise<void>;
  /** Remove every container, network and volume this target created. Idempotent, never throws. */
  teardown(): Promise<void>;
  writeClient(): WriteClient;
  finalReadSource(): FinalReadSource;
  /** Settings worth reporting (image, flaw switches...). */
  settings(): Record<string, unknown>;
}

/** The nodes that carry the data: all of them but with node groups (where the primary and replicas are). */
export function dataNodesOf(t: Pick<Target, 'dataNodes' | 'nodeNames'>): readonly string[] {
  return t.dataNodes ?? t.nodeNames;
}
