// The target seam: everything the harness needs from a system under test, and nothing
// more. graph-agent is the first implementation (src/target/graph-agent/); custom
// targets defined in YAML come later and implement the same interface. Code specific to
// one system stays behind this seam.

import type { FinalReadSource } from '../client/final-read.js';
import type { WriteClient } from '../client/write-client.js';

export interface NodeState {
  running: boolean;
  paused: boolean;
  /** Host pid of the node's main process (for network-namespace faults); null when not running. */
  pid: number | null;
  exitCode: number | null;
}

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
}

export interface Target extends NodeLifecycle, RoleProbe {
  readonly kind: string;
  /** Node names, e.g. n1..n3, fixed for the run. */
  readonly nodeNames: readonly string[];
  /** Boot the cluster and wait until it is ready to serve (a leader is elected). */
  boot(signal?: AbortSignal): Promise<void>;
  /** Remove every container, network and volume this target created. Idempotent, never throws. */
  teardown(): Promise<void>;
  writeClient(): WriteClient;
  finalReadSource(): FinalReadSource;
  /** Settings worth reporting (image, flaw switches...). */
  settings(): Record<string, unknown>;
}
