// The host-side operations faults perform on a node, wherever it runs. On one Docker host
// this process does them (local-host-ops.ts: dockerode, nsenter, files under the run's state
// dir, loop devices); on a swarm the fault agent of the node's host does the same things
// there (src/agent/), and the harness reaches it over HTTP (src/agent/client.ts). A target
// gets the HostOps of each node's host from its engine, so the faults cannot tell the two
// apart: local and agent execution are interchangeable.
//
// Everything a fault leaves on a host is findable without the process that made it: rules
// and qdiscs carry the fault's tag or handle, offset files, disk images and balloons live
// under the run's own names, containers and volumes carry the run's labels. So an agent may
// die and come back (or `drill cleanup` run later) and still undo all of it.

import type { Netns } from '../docker/netns.js';
import type { NodeState } from '../targets/target.js';
import type { ResourceOps } from './resource-ops.js';

/** A container's state as seen on its host, and when (harness clock, ms). */
export interface ContainerObservation extends NodeState {
  /** Harness time the state was observed: its host's clock converted when observed elsewhere. */
  at: number;
}

/** Where a node's bounded data volume is: its volume, and the node's process when it runs. */
export interface DiskRef {
  /** The bounded disk's key (graph-agent: the node name). */
  key: string;
  volume: string;
  /** The node's main process on its host (null when it is down): its mount of the volume. */
  pid: number | null;
  /** Where the volume is mounted in the node's container. */
  path: string;
}

export interface FillResult {
  freeBytes: number;
  balloonBytes: number;
  volume: string;
}

/** What a run left on a host's side, removed. */
export interface HostStateRemoved {
  loops: number;
  dirs: number;
  errors: string[];
}

/** The resource faults' operations (resource-ops.ts) are host-side operations too. */
export interface HostOps extends ResourceOps {
  /** The host ('local' for this one). */
  readonly host: string;

  // Containers on this host, by id (the Docker API of the host).
  kill(container: string, signal: string): Promise<void>;
  stop(container: string, timeoutS: number): Promise<void>;
  pause(container: string): Promise<void>;
  unpause(container: string): Promise<void>;
  inspect(container: string): Promise<ContainerObservation>;

  /** The network namespace of process `pid` of this host: netfilter.ts and qdisc.ts run iptables / tc in it. */
  netns(pid: number): Netns;

  /** Create the run's offset files, each "+0", for these nodes. */
  initClocks(runId: string, nodes: readonly string[]): Promise<void>;
  /** Write a node's libfaketime offset (seconds). */
  setClockOffset(runId: string, node: string, offsetS: number): Promise<void>;

  /** A fresh size-bounded ext4 filesystem for `key`: the block device a volume is made on. */
  boundedDisk(runId: string, key: string, sizeMb: number): Promise<string>;
  /** Fill the volume with a balloon until the filesystem refuses. */
  fillDisk(runId: string, disk: DiskRef): Promise<FillResult>;
  /** Delete the balloon (the node may be down). Idempotent. */
  unfillDisk(runId: string, disk: DiskRef): Promise<void>;
  /** Free bytes on the volume; null when it cannot be read (node down). */
  diskFree(runId: string, disk: DiskRef): Promise<number | null>;

  /** Undo the run's host-side state (loop devices, offset files): after its containers and volumes are gone. */
  removeRunState(runId: string): Promise<HostStateRemoved>;
}
