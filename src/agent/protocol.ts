// The fault agent's wire protocol: one POST /v1/op per host-side operation (HostOps,
// src/faults/host-ops.ts), JSON both ways, the run's token as a bearer token. Every answer
// carries `at`, the agent's own monotonic clock (ms) when the operation was observed done;
// the harness converts it to its clock with the offset it measured (clock-sync.ts).

import type { Controller } from '../docker/cgroup.js';
import type { DiskRef } from '../faults/host-ops.js';

export const AGENT_PORT = 7070;
/** Where the run's token is (a swarm secret) in the agent's container. */
export const TOKEN_FILE = '/run/secrets/drill-agent-token';
/** Bump when an operation changes shape: the harness refuses an agent of another version. */
export const PROTOCOL_VERSION = 2;

export type AgentOp =
  | { op: 'hello' }
  | { op: 'clock' }
  | { op: 'kill'; container: string; signal: string }
  | { op: 'stop'; container: string; timeoutS: number }
  | { op: 'pause'; container: string }
  | { op: 'unpause'; container: string }
  | { op: 'inspect'; container: string }
  | { op: 'netns'; pid: number; cmd: string; args: string[]; input?: string }
  | { op: 'init-clocks'; nodes: string[] }
  | { op: 'clock-offset'; node: string; offsetS: number }
  | { op: 'bounded-disk'; key: string; sizeMb: number }
  | { op: 'fill-disk'; disk: DiskRef }
  | { op: 'unfill-disk'; disk: DiskRef }
  | { op: 'disk-free'; disk: DiskRef }
  | { op: 'make-repository'; name: string }
  | { op: 'remove-repository'; name: string }
  | { op: 'corrupt-repository'; name: string }
  | { op: 'remove-run-state' }
  // The resource faults' (resource-side.ts); bigint fields travel as decimal strings.
  | { op: 'cgroup-version' }
  | { op: 'cgroup-read'; container: string; pid: number; controller: Controller; files: string[] }
  | { op: 'cgroup-write'; container: string; pid: number; controller: Controller; file: string; value: string }
  | { op: 'container-resources'; container: string }
  | { op: 'update-resources'; container: string; fields: Record<string, number | string> }
  | { op: 'oom-events'; containers: string[]; since: number }
  | { op: 'volume-device'; container: string; volume: string };

export type AgentOpName = AgentOp['op'];

export interface Hello {
  version: number;
  host: string;
  run: string;
  /** The agent's monotonic clock when it answered (ms). */
  mono: number;
}

/** The answer to any op: its value and when (agent monotonic ms), or why it failed. */
export type AgentAnswer = { ok: true; value: unknown; at: number } | { ok: false; error: string; at: number };

/** Ops that change nothing on the host: safe to send again after a lost connection. */
export const IDEMPOTENT_OPS: ReadonlySet<AgentOpName> = new Set([
  'hello',
  'clock',
  'inspect',
  'disk-free',
  'init-clocks',
  'clock-offset',
  'unfill-disk',
  'remove-repository',
  'make-repository',
  'remove-run-state',
  'cgroup-version',
  'cgroup-read',
  // Absolute values: writing them twice leaves the same limits.
  'cgroup-write',
  'update-resources',
  'container-resources',
  'oom-events',
  'volume-device',
]);

/** The run's names on a host: what an agent (or a cleanup helper) may create and remove. */
export function runNames(runId: string) {
  const p = `drill-${runId}`;
  return {
    agentService: `${p}-agent`,
    tokenSecret: `${p}-agent-token`,
    faketimeVolume: `${p}-faketime`,
    disksVolume: `${p}-disks`,
    /** A bounded disk's image file: the run id in its name finds its loop device anywhere. */
    diskImage: (key: string) => `${runId}--${key}.img`,
    diskImagePrefix: `${runId}--`,
  };
}
