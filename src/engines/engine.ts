// The engine seam: where and how a cluster's nodes run. A cluster driver (graph-agent's
// cluster.ts; the custom target's engine-cluster.ts) describes each node as a NodeSpec (image, command,
// env, ports, volumes, aliases) and the engine places it:
//
//   docker  one Docker host (src/engines/docker/): a container per node on a per-run bridge
//           network with a fixed address per node, ports published on 127.0.0.1.
//   swarm   a Docker Swarm (src/engines/swarm/): a service per node with one task pinned to
//           a host, on a per-run attachable overlay network (endpoint_mode dnsrr), ports
//           published in host mode on the task's host, a fault agent on every host.
//
// The host-side operations faults perform on a node (namespace rules, qdiscs, clock
// offsets, disk balloons, signals) go through the HostOps of the node's host
// (src/faults/host-ops.ts): this process on one host, the host's fault agent on a swarm.

import type { HostOps } from '../faults/host-ops.js';
import type { NodeState } from '../targets/target.js';
import type { ExecAnswer } from '../docker/exec.js';
import type { CorruptedChunk } from '../faults/backup-storage.js';

export const ENGINE_KINDS = ['docker', 'swarm'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

/** A mount of a node's container. Engines translate it (a swarm task's mounts live on its host). */
export type MountSpec =
  | {
      kind: 'volume';
      /** A named volume: created with its labels where the node runs, if missing. */
      name: string;
      target: string;
      readOnly?: boolean | undefined;
      /** Size-bounded: the volume is an ext4 filesystem on this block device of the node's host. */
      device?: string | undefined;
      /** Shared by every node of the run (a repository): never removed with one node. */
      shared?: boolean | undefined;
    }
  | {
      /** A directory of the host where the node runs (swarm: the same path must exist on every host). */
      kind: 'bind';
      source: string;
      target: string;
      readOnly?: boolean | undefined;
    };

export interface NodeSpec {
  /** Node name (n1, ...): hostname, alias on the run network, drill.node label. */
  name: string;
  /** Container (docker) or service (swarm) name, e.g. drill-<runId>-n1. */
  resourceName: string;
  image: string;
  /** Arguments to the image's entrypoint (Docker's Cmd); default: the image's. */
  command?: string[] | undefined;
  /** Replaces the image's entrypoint (Docker's Entrypoint; a swarm service's Command). */
  entrypoint?: string[] | undefined;
  /** The user the node runs as; default: the image's. */
  user?: string | undefined;
  /** Container paths on a tmpfs of their own. */
  tmpfs?: readonly string[] | undefined;
  ulimits?: Readonly<Record<string, { soft: number; hard: number }>> | undefined;
  env: Record<string, string>;
  /** More names the node answers to on the run network (its own name is always one). */
  aliases?: string[] | undefined;
  /** Container TCP ports the harness must reach (published: 127.0.0.1 on one host, host mode on a swarm). */
  ports: number[];
  mounts: MountSpec[];
  /** drill labels (run, role, node, kind): on the container, service, task and volumes. */
  labels: Record<string, string>;
  /** Where to run it (a swarm node's hostname); default: the engine spreads the nodes. */
  host?: string | undefined;
}

/** The per-run network the nodes talk on. */
export interface RunNetwork {
  readonly name: string;
  /**
   * How a node's peers address it: a fixed IP (one host: no DNS on the peer path) or its
   * name (a swarm: task addresses change when a task is replaced).
   */
  peerAddress(node: string): string;
  /** The address the nodes reach the harness at (its link proxy), when there is one. */
  readonly gateway?: string | undefined;
}

export interface NetworkRequest {
  name: string;
  labels: Record<string, string>;
  /** The node names, in order: one host gives each a fixed address in a private /24. */
  nodes: readonly string[];
}

/** Where the harness reaches a node's published port, now (it changes when the node starts again). */
export interface Published {
  host: string;
  port: number;
}

export interface NodeAddress {
  /** The node's address on the run network ('' when it is not running). */
  ip: string;
  /** Container port -> where the harness reaches it. */
  ports: Map<number, Published>;
}

/** A node placed by an engine: its lifecycle, its addresses and its host. */
export interface EngineNode {
  readonly name: string;
  /** The host it runs on ('local' on one Docker host). */
  readonly host: string;
  /** The container id on that host ('' when it has none: not created, or its task is gone). */
  containerId(): string;
  kill(signal: string): Promise<void>;
  /** Graceful stop: SIGTERM, SIGKILL after `timeoutS`. Already stopped is fine. */
  stop(timeoutS: number): Promise<void>;
  /** Start a stopped or killed node from its volumes. Already running is fine. */
  start(): Promise<void>;
  restart(timeoutS: number): Promise<void>;
  pause(): Promise<void>;
  unpause(): Promise<void>;
  inspect(): Promise<NodeState>;
  /** Re-read its address and published ports. */
  refresh(): Promise<NodeAddress>;
  /**
   * Its output from `since` (Docker's "<sec>.<nanos>"), followed, demultiplexed into `out`;
   * resolves with a function that stops following. Null when there is nothing to follow.
   */
  followLogs(out: NodeJS.WritableStream, since?: string): Promise<(() => void) | null>;
  /** When the node's last run ended (or began, if it is running), for the next followLogs. */
  logsSince(): Promise<string | undefined>;
  exec(argv: string[], timeoutMs: number): Promise<ExecAnswer>;
  /** Remove the node (its container or service); its volumes stay. Already gone is fine. */
  remove(): Promise<void>;
}

export interface Engine {
  readonly kind: EngineKind;
  /** Check the engine answers (InfraError with what to do when not). */
  check(): Promise<void>;
  /** Make an image built on this machine available wherever nodes may run (a swarm: every host). */
  distributeImage(tag: string): Promise<void>;
  createNetwork(req: NetworkRequest): Promise<RunNetwork>;
  /** Create and start a node (a task pinned to its host on a swarm). */
  startNode(spec: NodeSpec, net: RunNetwork): Promise<EngineNode>;
  /**
   * Run `spec` once to its end on its host, with its volumes (created, labelled, if missing)
   * and no network: an offline restore before a node starts. Its exit code and output.
   * Optional: one Docker host's custom targets run theirs beside the node (cluster.ts).
   */
  runOnce?(spec: NodeSpec, timeoutMs: number): Promise<{ exitCode: number; output: string }>;
  removeNetwork(name: string): Promise<void>;
  /** Remove a volume of the run on every host that has it. Already gone is fine. */
  removeVolume(name: string): Promise<void>;
  /**
   * A repository every node of the run shares wherever it runs, mounted at `target` (a
   * backup repository): a named volume on one host; a directory of the directory every
   * swarm host shares (DRILL_SWARM_SHARED_DIR). Created now, labelled. Undefined when the
   * engine has no storage every host shares.
   */
  repository(name: string, target: string, labels: Record<string, string>): Promise<MountSpec | undefined>;
  removeRepository(name: string): Promise<void>;
  /** Where the repository's files are on this machine (backup-storage faults), or why they are not here. */
  repositoryPath(name: string): Promise<string>;
  /**
   * backup-storage corrupt: flip one byte of a stored chunk of the newest snapshot of
   * graph-agent's repository `name`, where its files are (this machine; a swarm host's view
   * of the storage every host shares, through its fault agent).
   */
  corruptRepository(name: string): Promise<CorruptedChunk>;
  /**
   * Where a node finds its libfaketime offset file (`<target>/<node>`, written through the
   * host ops): the run's state directory on one host, a per-run volume on each swarm host.
   */
  faketimeMount(runId: string, target: string): MountSpec;
  /** The hosts nodes can run on, in placement order ('local' on one Docker host). */
  hosts(): Promise<string[]>;
  /** The host-side operations on `host` (faults), this process or that host's fault agent. */
  hostOps(host: string): HostOps;
  /**
   * How a host's instants reach the harness clock: the offset of its fault agent's clock and
   * the error of that measurement (ms); null for this host (no conversion).
   */
  hostClock(host: string): { clock_offset_ms: number; clock_error_ms: number } | null;
  /** Facts for the report (engine, hosts, agents and their clock offsets). */
  settings(): Record<string, unknown>;
  /** Release what the engine holds for the run (agents, their service). Idempotent, never throws. */
  close(): Promise<string[]>;
}
