// What the resource faults (memory, cpu, io-limit) do on a node's host: the Docker API's
// resource update of its container, its cgroup files (found from its main process), the
// kernel's OOM kills while a memory limit is in effect, and the block device under one of
// its volumes. On one Docker host this process does them (local-resource-ops.ts); on a
// swarm the fault agent of the node's host does (src/agent/resource-side.ts), reached
// through the same HostOps client as the other host-side operations (HostOps extends this).
import type { BlockDevice, CgroupVersion, Controller } from '../docker/cgroup.js';
import type { ContainerState } from '../docker/resources.js';

/** A node's container on its host, and its main process there (where its cgroups are found). */
export interface CgroupRef {
  id: string;
  pid: number;
}

export interface ResourceOps {
  /** The cgroup version of the host; null without a cgroup hierarchy. */
  cgroupVersion(): Promise<CgroupVersion | null>;
  /** Files of the container's cgroup for `controller`, trimmed, by name; null where unreadable. */
  readCgroup(c: CgroupRef, controller: Controller, files: readonly string[]): Promise<Record<string, string | null>>;
  /** Write one file of the container's cgroup; rejects with the file named when the kernel refuses. */
  writeCgroup(c: CgroupRef, controller: Controller, file: string, value: string): Promise<void>;
  /** The container's resource settings as Docker has them, and whether the OOM killer ended it. */
  containerResources(container: string): Promise<ContainerState>;
  /** POST /containers/{id}/update with these resource fields (integers exactly, bigint included). */
  updateResources(container: string, fields: Record<string, number | bigint>): Promise<void>;
  /**
   * Call `onOom` for each OOM kill in one of `containers` from now on; `at` is the harness
   * instant it was observed at when another host observed it (undefined: the caller stamps
   * it now). Resolves once watching; returns the function that stops watching and delivers
   * what is still pending (a swarm polls its host's agent).
   */
  watchOom(
    containers: readonly string[],
    onOom: (container: string, at: number | undefined) => void,
  ): Promise<() => Promise<void>>;
  /** The block device (whole disk) under a volume of the container, or why there is none. */
  volumeDevice(container: string, volume: string): Promise<{ device: BlockDevice | null; why: string }>;
}
